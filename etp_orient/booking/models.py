"""Who comes when: slots, cohorts and their sessions, participants and their places."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import FORMATS, Programme, Site, TeamMember, Workshop
from ..core.models import TimestampMixin, enum_check
from ..core.types import UTCDateTime
from ..extensions import db

SLOT_KINDS = ("bep", "final", "followup")
REMOTE_MODES = ("phone", "video")
SLOT_STATUSES = ("open", "cancelled")
SESSION_STATUSES = ("scheduled", "moved", "cancelled")
COHORT_STATUSES = ("open", "cancelled")
BOOKING_STATUSES = ("confirmed", "cancelled")
BOOKING_OUTCOMES = ("held", "no_show")
ENROLLMENT_STATUSES = ("confirmed", "offered", "waitlisted", "cancelled", "completed")
ATTENDANCE_STATUSES = ("present", "absent", "excused")
# who oriented the patient (INDICATORS.md, "Entry")
ORIENTED_BY = ("professional", "hospital_stay", "hospital_consultation", "self", "coordinator")
LANGUAGES = ("fr", "en", "ar")


class LocalTimesMixin:
    """Local start/end for rows that carry ``start_at``, ``end_at`` and a ``timezone``."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.end_at.astimezone(self.tz)


class Slot(LocalTimesMixin, TimestampMixin, db.Model):
    """An individual appointment slot: a BEP, a final assessment or a follow-up visit."""

    __tablename__ = "slots"
    __table_args__ = (
        enum_check("kind", SLOT_KINDS),
        enum_check("status", SLOT_STATUSES),
        CheckConstraint("remote IS NULL OR remote IN ('phone', 'video')", name="remote_valid"),
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("site_id IS NOT NULL OR remote IS NOT NULL", name="site_or_remote"),
        CheckConstraint("revision >= 0", name="revision_positive"),
        Index("ix_slots_programme_kind_start", "programme_id", "kind", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # public code used in /rdv/<code>
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    # NULL for a remote slot
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    # "phone" or "video" for a remote slot
    remote: Mapped[str | None] = mapped_column(String(5))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # time zone the slot is shown in (the site's, or the programme's first site's)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", nullable=False)
    # name or profession of who receives the patient
    professional: Mapped[str | None] = mapped_column(String(200))
    # staff account of the professional, for their feed
    professional_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    # raised on every change of time or place: the iCal SEQUENCE
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    programme: Mapped[Programme] = relationship()
    site: Mapped[Site | None] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(back_populates="slot")
    # the team members who receive the person (``professional`` is their names, or free text)
    facilitators: Mapped[list["Facilitator"]] = relationship(
        back_populates="slot",
        cascade="all, delete-orphan",
        order_by="Facilitator.position",
        primaryjoin="Facilitator.slot_id == Slot.id",
    )

    def __repr__(self) -> str:
        return f"<Slot {self.code}>"


class Cohort(TimestampMixin, db.Model):
    """A group who follows the workshops together, the same group for the whole cycle."""

    __tablename__ = "cohorts"
    __table_args__ = (
        enum_check("format", FORMATS),
        enum_check("status", COHORT_STATUSES),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("revision >= 0", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # NULL for a remote cohort
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    format: Mapped[str] = mapped_column(String(12), default="presentiel", nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    # confirmed places; kept equal to the confirmed enrollments by conditional updates
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # whether people may wait for a place when it is full
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # registrations close at this instant; NULL: at the first session
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", nullable=False)
    # video link for remote sessions
    video_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    programme: Mapped[Programme] = relationship()
    site: Mapped[Site | None] = relationship()
    sessions: Mapped[list["GroupSession"]] = relationship(
        back_populates="cohort", order_by="GroupSession.start_at"
    )
    facilitators: Mapped[list["Facilitator"]] = relationship(
        back_populates="cohort",
        cascade="all, delete-orphan",
        order_by="Facilitator.position",
        primaryjoin="Facilitator.cohort_id == Cohort.id",
    )
    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="cohort")

    def __repr__(self) -> str:
        return f"<Cohort {self.code}>"


class GroupSession(LocalTimesMixin, TimestampMixin, db.Model):
    """One dated occurrence of a workshop for a cohort, or an open transversal session."""

    __tablename__ = "group_sessions"
    __table_args__ = (
        enum_check("status", SESSION_STATUSES),
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("revision >= 0", name="revision_positive"),
        Index("ix_group_sessions_cohort_start", "cohort_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    # NULL for an open transversal session
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # NULL: the cohort's site, or remote
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    room: Mapped[str | None] = mapped_column(String(200))
    video_url: Mapped[str | None] = mapped_column(String(500))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", nullable=False)
    # for an open session; a cohort's sessions use the cohort's capacity
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="scheduled", nullable=False)
    # when it was cancelled (the feeds keep it 30 days after)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # raised on every change of time or place: the iCal SEQUENCE
    revision: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    cohort: Mapped[Cohort | None] = relationship(back_populates="sessions")
    workshop: Mapped[Workshop] = relationship()
    site: Mapped[Site | None] = relationship()
    facilitators: Mapped[list["Facilitator"]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="Facilitator.position",
        primaryjoin="Facilitator.session_id == GroupSession.id",
    )

    def __repr__(self) -> str:
        return f"<GroupSession {self.code}>"


class Facilitator(db.Model):
    """Someone who runs a cohort's sessions, one open session, or receives the person at
    an individual appointment: a member of the programme's team (``team_member_id``), or
    a free-text name (old offer files, a member since taken out of the team)."""

    __tablename__ = "facilitators"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN cohort_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN session_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN slot_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_parent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("slots.id", ondelete="CASCADE"), index=True
    )
    # the team member this is; NULL for a free-text name
    team_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"), index=True
    )
    # staff account, when the facilitator has one (for their feed and e-mails)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    profession: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    cohort: Mapped[Cohort | None] = relationship(
        back_populates="facilitators", foreign_keys=[cohort_id]
    )
    session: Mapped[GroupSession | None] = relationship(
        back_populates="facilitators", foreign_keys=[session_id]
    )
    slot: Mapped["Slot | None"] = relationship(
        back_populates="facilitators", foreign_keys=[slot_id]
    )
    team_member: Mapped[TeamMember | None] = relationship()


def slot_held_by(user_id: int):
    """SQL condition: the slot is received by this staff account (its professional, or one
    of its facilitators)."""
    return or_(
        Slot.professional_user_id == user_id,
        Slot.id.in_(
            select(Facilitator.slot_id).where(
                Facilitator.user_id == user_id, Facilitator.slot_id.is_not(None)
            )
        ),
    )


class Participant(TimestampMixin, db.Model):
    """A patient, with the minimum. The condition is never stored here."""

    __tablename__ = "participants"
    __table_args__ = (
        enum_check("language", LANGUAGES),
        CheckConstraint(
            "anonymised_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL",
            name="reachable",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # E.164, e.g. "+33612345678"
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="fr", nullable=False)
    # accessibility needs in the person's words (interpreter, wheelchair, large print…)
    needs: Mapped[str | None] = mapped_column(String(500))
    # consents with their time stamps; NULL = not given
    consent_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_share_gp_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the GP's e-mail address, given by the person; used only with consent_share_gp
    gp_email: Mapped[str | None] = mapped_column(String(254))
    # SHA-256 of the manage link token (/gerer/<token>)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # SHA-256 of the personal feed token (/calendar/me/<token>.ics); NULL = revoked
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # show the programme's name in feed titles (default: neutral titles)
    feed_explicit_titles: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # last booking, enrollment, attendance or visit of the manage page: drives the purge
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # set when the purge or a deletion replaced the identity by placeholders
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bookings: Mapped[list["Booking"]] = relationship(back_populates="participant")
    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="participant")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Booking(TimestampMixin, db.Model):
    """A participant's individual appointment, with its outcome."""

    __tablename__ = "bookings"
    __table_args__ = (
        enum_check("status", BOOKING_STATUSES),
        CheckConstraint("outcome IS NULL OR outcome IN ('held', 'no_show')", name="outcome_valid"),
        CheckConstraint(
            "oriented_by IS NULL OR oriented_by IN ('professional', 'hospital_stay', "
            "'hospital_consultation', 'self', 'coordinator')",
            name="oriented_by_valid",
        ),
        # The database itself refuses a second confirmed booking of a slot.
        Index(
            "uq_bookings_confirmed_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("slots.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="confirmed", nullable=False)
    # after the date: held or no-show
    outcome: Mapped[str | None] = mapped_column(String(10))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # who oriented the patient here (indicators)
    oriented_by: Mapped[str | None] = mapped_column(String(24))
    # the referral that brought the patient, if any
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), index=True
    )
    # staff account that booked on the patient's behalf
    booked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # coordination with the GP (HAS pair 3), only with consent_share_gp
    gp_informed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gp_synthesis_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # on a held BEP, the plan agreed with the person: {"workshops": [workshop codes]};
    # NULL: no plan recorded (the programme's own rule applies)
    plan: Mapped[dict | None] = mapped_column(JSON)
    # on a final assessment: when the person was invited to book their follow-up (once)
    followup_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship(back_populates="bookings")
    slot: Mapped[Slot] = relationship(back_populates="bookings")


class Enrollment(TimestampMixin, db.Model):
    """A participant's place in a cohort, or on its waiting list."""

    __tablename__ = "enrollments"
    __table_args__ = (
        enum_check("status", ENROLLMENT_STATUSES),
        CheckConstraint(
            "status <> 'waitlisted' OR waitlist_rank IS NOT NULL", name="waitlist_ranked"
        ),
        CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_deadline"
        ),
        # one live enrollment per person and cohort
        Index(
            "uq_enrollments_live",
            "participant_id",
            "cohort_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_enrollments_cohort_status", "cohort_id", "status", "waitlist_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    # order on the waiting list (smaller first); kept after promotion for the record
    waitlist_rank: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a place offered from the waiting list (status "offered", holding the seat):
    # when it was offered and until when the person may accept it
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # who left: the participant themselves or staff
    cancelled_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    participant: Mapped[Participant] = relationship(back_populates="enrollments")
    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")


class Attendance(TimestampMixin, db.Model):
    """Whether a participant came to a group session."""

    __tablename__ = "attendances"
    __table_args__ = (
        enum_check("status", ATTENDANCE_STATUSES),
        UniqueConstraint("participant_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    # a relative or carer came too
    carer_present: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    marked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    participant: Mapped[Participant] = relationship()
    session: Mapped[GroupSession] = relationship()


__all__ = [
    "Attendance",
    "Booking",
    "Cohort",
    "Enrollment",
    "Facilitator",
    "GroupSession",
    "Participant",
    "Slot",
]
