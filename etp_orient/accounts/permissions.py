"""Who may see and change what in the back office.

Every ``/gestion/`` view is wrapped in :func:`staff_required`, then loads its
object and calls :func:`check_structures` with the structures the object
belongs to, before acting. Someone with no role in those structures gets 404
(the object does not exist for them); someone who may read but not manage
gets 403. A platform admin (``User.is_admin``) may do everything.
"""

from collections.abc import Iterable
from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from .models import User

# role → what it may do in its structures
READ_ROLES = frozenset({"admin", "coordinator", "educator"})
MANAGE_ROLES = frozenset({"admin", "coordinator"})
ADMIN_ROLES = frozenset({"admin"})
LEVELS = {"read": READ_ROLES, "manage": MANAGE_ROLES, "admin": ADMIN_ROLES}


def structure_ids(user: User, level: str = "read") -> set[int] | None:
    """Ids of the structures where ``user`` acts at ``level``; None means every structure."""
    if user.is_admin:
        return None
    roles = LEVELS[level]
    return {m.structure_id for m in user.memberships if m.role in roles}


def visible(ids: set[int] | None, structures: Iterable[int]) -> bool:
    """Whether an object belonging to ``structures`` is within ``ids`` (None: all)."""
    return ids is None or bool(ids.intersection(structures))


def check_structures(structures: Iterable[int], level: str = "read") -> None:
    """404 unless the current user reads in one of ``structures``; 403 if they may not ``level``."""
    owners = set(structures)
    if not visible(structure_ids(current_user, "read"), owners):
        abort(404)
    if level != "read" and not visible(structure_ids(current_user, level), owners):
        abort(403)


def can(structures: Iterable[int], level: str = "manage") -> bool:
    """For templates: may the current user act at ``level`` on these structures?"""
    return visible(structure_ids(current_user, level), set(structures))


def staff_required(level: str = "read", *, platform_admin: bool = False):
    """Log-in required, then a role somewhere (or platform admin).

    Without an object in the URL, a role at ``level`` is needed (else 403); with
    one, the view loads it and checks ``level`` on its structures (404/403).
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if platform_admin:
                if not current_user.is_admin:
                    abort(404)
            elif structure_ids(current_user, "read") == set():
                # An object in the URL does not exist for someone with no role at all.
                abort(404 if kwargs else 403)
            elif not kwargs and structure_ids(current_user, level) == set():
                abort(403)
            # With an object in the URL, the view's loader checks ``level`` on it.
            g.staff_level = level
            return view(*args, **kwargs)

        return wrapped

    return decorator
