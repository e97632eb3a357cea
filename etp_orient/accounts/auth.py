"""Loading the logged-in staff user (Flask-Login), checked against the server-side session.

The signed cookie holds Flask-Login's user id and a random session id
(``staff_sid``); the user is only loaded while the matching ``StaffSession`` row
is live (not revoked by logout or a password change, not idle for 30 minutes,
not older than 12 hours).
"""

from flask import session

from ..extensions import login_manager
from . import services
from .models import User

SESSION_KEY = "staff_sid"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = services.session_user(session.get(SESSION_KEY))
    if user is None or str(user.id) != user_id:
        return None
    return user


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    # No "remember me": a staff session never outlives its server-side row.
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
