"""Loading the logged-in staff user (Flask-Login)."""

from ..extensions import db, login_manager
from .models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
