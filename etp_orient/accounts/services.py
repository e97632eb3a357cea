"""Staff accounts: creation, passwords, login sessions, reset links, memberships.

Plain functions; the acting user is a parameter; they flush and never commit.
"""

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from ..catalogue.models import Structure
from ..core import throttle
from ..core.clock import now
from ..core.models import audit
from ..core.tokens import hash_token, new_token
from ..extensions import db
from . import passwords
from .models import ROLES, Membership, StaffSession, User

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often (one UPDATE per minute, not per request)
SEEN_RESOLUTION = timedelta(seconds=60)
RESET_MAX_AGE = 3600
RESET_SALT = "etp-orient password reset"
# reset e-mails per address (known or not) and per hour, whatever the client IP
RESET_PER_ADDRESS = 3
RESET_WINDOW = timedelta(hours=1)


class AccountError(ValueError):
    """A refused change; ``field`` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account with this login (case-insensitive), or None."""
    address = normalise_email(email)
    if not address:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == address))


def find_structure(code: str) -> Structure:
    structure = db.session.scalar(select(Structure).where(Structure.code == code))
    if structure is None:
        raise AccountError(f"unknown structure {code!r}", field="structure")
    return structure


def _roles_from(role, structures, roles) -> list[tuple[str, str | None]]:
    pairs = list(roles or [])
    if role is not None:
        codes = list(structures or []) or [None]
        pairs += [(role, code) for code in codes]
    return pairs


def create_user(
    email: str,
    password: str,
    *,
    roles: Iterable[tuple[str, str | None]] | None = None,
    role: str | None = None,
    structures: Iterable[str] | None = None,
    full_name: str | None = None,
    profession: str | None = None,
    language: str = "fr",
    actor: User | None = None,
) -> User:
    """Create a staff account with its roles; ``roles`` holds ``(role, structure code or None)``.

    ``("admin", None)`` makes a platform admin; any other role with a structure
    becomes a membership; a role without a structure (a referrer working alone)
    adds nothing. ``role=`` with ``structures=[codes]`` is the short form the
    demo seeder uses. The password must pass :func:`passwords.password_problem`.
    """
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise AccountError(_l("Saisissez une adresse e-mail valide."), field="email")
    if find_user(address) is not None:
        raise AccountError(_l("Un compte existe déjà avec cette adresse."), field="email")
    problem = passwords.password_problem(password, email=address)
    if problem:
        raise AccountError(problem, field="password")
    pairs = _roles_from(role, structures, roles)
    for name, _code in pairs:
        if name not in ROLES:
            raise AccountError(f"unknown role {name!r}", field="role")
    user = User(
        email=address,
        password_hash=passwords.hash_password(password),
        full_name=full_name,
        profession=profession,
        language=language,
        is_admin=False,
        active=True,
        credentials_version=0,
    )
    db.session.add(user)
    for name, code in pairs:
        if code is None:
            if name == "admin":
                user.is_admin = True
            continue
        user.memberships.append(Membership(role=name, structure=find_structure(code)))
    db.session.flush()
    audit("user.create", actor_id=actor.id if actor else None, obj_type="user", obj_id=user.id)
    return user


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Change the password; old reset links and every open session stop working."""
    problem = passwords.password_problem(password, email=user.email)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(password)
    user.credentials_version += 1
    revoke_all_sessions(user)
    db.session.flush()
    audit(
        "user.password",
        actor_id=actor.id if actor else user.id,
        obj_type="user",
        obj_id=user.id,
    )


def authenticate(email: str, password: str) -> User | None:
    """The active account for these credentials, or None; the attempt is audited.

    A failure records the account id when the address is known, never the
    address typed nor the password.
    """
    user = find_user(email)
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        audit("login.failure", obj_type="user")
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        audit("login.failure", obj_type="user", obj_id=user.id)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    audit("login.success", actor_id=user.id, obj_type="user", obj_id=user.id)
    return user


def start_session(user: User) -> str:
    """Open a server-side session for ``user``; return the raw id kept in the cookie."""
    token = new_token()
    at = now()
    db.session.add(
        StaffSession(user_id=user.id, token_hash=hash_token(token), created_at=at, last_seen_at=at)
    )
    user.last_login_at = at
    db.session.flush()
    return token


def session_user(token: str | None) -> User | None:
    """The user of a live session (not revoked, not idle 30 min, not older than 12 h)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(StaffSession).where(StaffSession.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    at = now()
    if at - row.last_seen_at > IDLE_TIMEOUT or at - row.created_at > ABSOLUTE_TIMEOUT:
        return None
    user = row.user
    if not user.active:
        return None
    if at - row.last_seen_at >= SEEN_RESOLUTION:
        # Own short transaction, so a view's transaction is never committed by the loader.
        with db.engine.begin() as conn:
            conn.execute(
                update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=at)
            )
    return user


def revoke_session(token: str | None) -> None:
    """End one session (logout)."""
    if not token:
        return
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == hash_token(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )


def revoke_all_sessions(user: User) -> None:
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    """A signed link token bound to the current ``credentials_version`` (single use, 1 hour)."""
    return _serializer().dumps({"u": user.id, "v": user.credentials_version})


def user_for_reset(token: str) -> User | None:
    """The user a reset token is for, if it is authentic, fresh and not used yet."""
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or user.credentials_version != data.get("v"):
        return None
    return user


def request_password_reset(email: str) -> bool:
    """Queue a reset e-mail if the account exists; the page says the same either way.

    At most ``RESET_PER_ADDRESS`` e-mails per address per hour, whatever the
    client IP. A known and an unknown address (or one over that cap) do the same
    work — the look-up, the counter, a signed token, the message rendered and
    written, the audit row — and only a real request keeps its writes: neither
    the answer nor its time tells whether the address has an account.
    """
    from ..notify.services import kept_if, queue_email

    address = normalise_email(email)
    # The count first: on SQLite a transaction that starts with its write waits for
    # the lock, where one that read first could not take it after another's commit.
    capped = (
        throttle.enabled()
        and throttle.hit("reset", address, window=RESET_WINDOW) > RESET_PER_ADDRESS
    )
    user = find_user(address)
    real = user is not None and user.active and not capped
    if not real:
        user = User(id=None, email=address, language="fr", credentials_version=0)
    base = current_app.config["BASE_URL"].rstrip("/")
    with kept_if(real):
        queue_email(
            to=user.email,
            template="password_reset",
            language=user.language,
            context={
                "full_name": user.full_name,
                "reset_url": f"{base}/connexion/nouveau-mot-de-passe/{reset_token(user)}",
                "minutes": RESET_MAX_AGE // 60,
            },
            owner=f"user:{user.id}",
        )
        audit("user.reset_requested", obj_type="user", obj_id=user.id)
    return real


def add_membership(user: User, structure: Structure, role: str, *, actor: User) -> Membership:
    """Give ``user`` a role in ``structure`` (nothing new if they already have it)."""
    if role not in ROLES:
        raise AccountError(_l("Choisissez un rôle de la liste."), field="role")
    for membership in user.memberships:
        if membership.structure_id == structure.id and membership.role == role:
            return membership
    membership = Membership(user=user, structure=structure, role=role)
    db.session.add(membership)
    db.session.flush()
    audit(
        "membership.add",
        actor_id=actor.id,
        obj_type="user",
        obj_id=user.id,
        structure=structure.code,
        role=role,
    )
    return membership


def remove_membership(membership: Membership, *, actor: User) -> None:
    """Take a role away; with the last one goes the person's staff feed link."""
    user = membership.user
    audit(
        "membership.remove",
        actor_id=actor.id,
        obj_type="user",
        obj_id=membership.user_id,
        structure=membership.structure.code,
        role=membership.role,
    )
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["memberships"])
    if not user.memberships and user.feed_token_hash is not None:
        user.feed_token_hash = None
        audit("feed_token.revoke", actor_id=actor.id, obj_type="user", obj_id=user.id)
        db.session.flush()


def set_rpps(user: User, rpps: str | None, *, actor: User) -> None:
    """Set or remove the account's RPPS number (11 digits, one account per number)."""
    rpps = rpps or None
    if rpps == user.rpps:
        return
    if rpps is not None:
        other = db.session.scalar(select(User).where(User.rpps == rpps, User.id != user.id))
        if other is not None:
            raise AccountError(_l("Un autre compte a déjà ce numéro RPPS."), field="rpps")
    user.rpps = rpps
    db.session.flush()
    audit("user.rpps", actor_id=actor.id, obj_type="user", obj_id=user.id, set=rpps is not None)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Suspend or restore an account; suspending ends its sessions."""
    user.active = active
    if not active:
        revoke_all_sessions(user)
    audit(
        "user.activate" if active else "user.suspend",
        actor_id=actor.id,
        obj_type="user",
        obj_id=user.id,
    )
    db.session.flush()
