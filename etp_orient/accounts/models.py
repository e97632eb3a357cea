"""Staff users, their roles per structure, and their server-side sessions."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import Structure
from ..core.models import TimestampMixin, enum_check
from ..core.types import UTCDateTime
from ..extensions import db

ROLES = ("admin", "coordinator", "educator", "referrer")


class User(UserMixin, TimestampMixin, db.Model):
    """A staff account: coordinator, educator, referrer or platform admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # login, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    # argon2id hash
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200))
    profession: Mapped[str | None] = mapped_column(String(100))
    # platform admin: every structure, accounts, territory-wide figures
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # raised when the password changes: invalidates reset links and other sessions
    credentials_version: Mapped[int] = mapped_column(default=0, nullable=False)
    # SHA-256 of the staff feed token (/calendar/staff/<token>.ics); NULL = none
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="fr", nullable=False)
    # RPPS number (11 digits), optional: links a Pro Santé Connect sign-in to the account
    rpps: Mapped[str | None] = mapped_column(String(11), unique=True)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class Membership(db.Model):
    """A role held by a user in a structure."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "structure_id", "role"),
        enum_check("role", ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(12), nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    structure: Mapped[Structure] = relationship()


class StaffSession(db.Model):
    """A logged-in staff session, checked on every request so that logout revokes it."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # SHA-256 of the random id kept in the signed cookie
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class OidcIdentity(db.Model):
    """An OpenID Connect identity (provider name, subject) linked to a staff account.

    Made at the first sign-in through that provider, only when the provider's
    verified e-mail or RPPS number matched an existing account; never made otherwise.
    """

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # the provider's name in OIDC_PROVIDERS
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    # the provider's ``sub`` claim
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    # what matched at the first sign-in: "email" or "rpps"
    linked_by: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
