"""The ETP offer of a territory. It does not know who booked."""

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

from ..core.models import TimestampMixin, enum_check
from ..extensions import db
from ..geo.models import Commune
from .localize import Translatable

STRUCTURE_KINDS = ("cpts", "msp", "ces", "hospital", "utep", "platform", "association", "other")
FORMATS = ("presentiel", "distanciel", "mixte")
PREGNANCY = ("required", "excluded", "either")
PROGRAMME_STATUSES = ("draft", "published", "suspended")
# who may join a group: anyone from its public page, or only after a BEP (from the manage link)
GROUP_ACCESS = ("open", "after_bep")
# programme codes taken by pages of their own (/programmes/carte is the directory's map)
RESERVED_PROGRAMME_CODES = ("carte",)
# kinds of structure that may answer for a territory (the contact when nothing is near)
TERRITORY_KINDS = ("platform", "utep")


class Structure(TimestampMixin, db.Model):
    """Who runs programmes: a CPTS, an MSP, a health-examination centre, a hospital…"""

    __tablename__ = "structures"
    __table_args__ = (enum_check("kind", STRUCTURE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # stable code chosen by the publisher, e.g. "cpts-ouest-angoumois"
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # INSEE code of the commune of its seat
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    website: Mapped[str | None] = mapped_column(String(300))
    # for a platform or UTEP, the territory it answers for:
    # {"departements": ["59", …], "communes": ["59350", …]}; NULL when none
    territory: Mapped[dict | None] = mapped_column(JSON)

    sites: Mapped[list["Site"]] = relationship(back_populates="structure", order_by="Site.code")

    def __repr__(self) -> str:
        return f"<Structure {self.code}>"


class Site(Translatable, TimestampMixin, db.Model):
    """A place where BEPs and ateliers happen."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"), nullable=False)
    # coordinates; when absent in the offer file, the commune's centre is used
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    # whether the coordinates were given by the publisher (False: commune centre)
    coords_given: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # step-free access to the rooms; NULL when unknown
    step_free_access: Mapped[bool | None] = mapped_column(Boolean)
    # how to come by public transport, in plain words
    transport: Mapped[str | None] = mapped_column(String(300))
    # IANA time zone of the site, e.g. "Europe/Paris", "Indian/Reunion"
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", nullable=False)
    # the coordinator's own versions: {"en": {"name", "transport"}, "ar": …}; kept in the
    # database and the back office only (the offer file has no site translations)
    translations: Mapped[dict | None] = mapped_column(JSON)

    structure: Mapped[Structure] = relationship(back_populates="sites")
    commune: Mapped[Commune] = relationship(viewonly=True)

    @property
    def town_line(self) -> str:
        """Postal code and town, e.g. "16710 Saint-Yrieix-sur-Charente"."""
        postal = self.postal_code
        if not postal and self.commune is not None and self.commune.postal_codes:
            postal = min(p.code for p in self.commune.postal_codes)
        town = self.commune.name if self.commune is not None else ""
        return " ".join(p for p in (postal, town) if p)

    @property
    def address_line(self) -> str:
        """Street address, postal code and town on one line."""
        return ", ".join(p for p in (self.address, self.town_line) if p)

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


class Condition(db.Model):
    """A node of the condition taxonomy (codes are a contract, DESIGN §2)."""

    __tablename__ = "conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    # parent group code ("diabete", "respiratoire", "cardio", …); NULL for a root
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("conditions.code"))
    # True for a grouping node that programmes do not declare directly
    is_group: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # medical label in French
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    # plain-language label in French ("Diabète de grossesse")
    plain_label: Mapped[str] = mapped_column(String(120), nullable=False)
    # everyday words people use for it, in French, folded or not
    synonyms: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # {"en": {"label": …, "plain_label": …}, "ar": {…}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    # name of the SVG pictogram under static/img/conditions/
    pictogram: Mapped[str | None] = mapped_column(String(60))
    # display order in lists and pictogram grids
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    def __repr__(self) -> str:
        return f"<Condition {self.code}>"


programme_structures = Table(
    "programme_structures",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("structure_id", ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True),
    # order given by the publisher (the first one is the holder)
    Column("position", Integer, nullable=False, default=0),
)

programme_conditions = Table(
    "programme_conditions",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("condition_id", ForeignKey("conditions.id"), primary_key=True, index=True),
    Column("position", Integer, nullable=False, default=0),
)

programme_sites = Table(
    "programme_sites",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("position", Integer, nullable=False, default=0),
)


class Programme(Translatable, TimestampMixin, db.Model):
    """A declared ETP programme: BEP → ordered workshops → final assessment → follow-up."""

    __tablename__ = "programmes"
    __table_args__ = (
        enum_check("pregnancy", PREGNANCY),
        enum_check("status", PROGRAMME_STATUSES),
        enum_check("group_access", GROUP_ACCESS),
        CheckConstraint(
            "age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="age_range"
        ),
        CheckConstraint("catchment_km IS NULL OR catchment_km >= 0", name="catchment_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    # title in everyday words, shown to patients
    plain_title: Mapped[str | None] = mapped_column(String(200))
    summary_plain: Mapped[str | None] = mapped_column(Text)
    # the coordinator's own versions: {"en": {"title", "plain_title", "summary_plain"}, "ar": …}
    translations: Mapped[dict | None] = mapped_column(JSON)
    # audience: age range in years (inclusive), pregnancy rule
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    pregnancy: Mapped[str] = mapped_column(String(10), default="either", nullable=False)
    # list of "presentiel", "distanciel", "mixte", in the publisher's order
    formats: Mapped[list] = mapped_column(JSON, nullable=False)
    # ISO 639 codes of the languages the sessions can be held in
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["fr"], nullable=False)
    # how far from its sites the programme takes patients (km); NULL = platform default
    catchment_km: Mapped[float | None] = mapped_column(Float)
    # ARS declaration / authorisation reference
    ars_authorisation: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="published", nullable=False, index=True)
    # who may join a group (GROUP_ACCESS)
    group_access: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    # completion rule: at least this many workshops attended (plus the final assessment)
    completion_min_workshops: Mapped[int | None] = mapped_column(Integer)
    # the programme's coordinator (staff account), when known
    coordinator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    structures: Mapped[list[Structure]] = relationship(
        secondary=programme_structures, order_by=programme_structures.c.position
    )
    conditions: Mapped[list[Condition]] = relationship(
        secondary=programme_conditions, order_by=programme_conditions.c.position
    )
    sites: Mapped[list[Site]] = relationship(
        secondary=programme_sites, order_by=programme_sites.c.position
    )
    team: Mapped[list["TeamMember"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="TeamMember.position"
    )
    workshops: Mapped[list["Workshop"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Workshop.position"
    )

    @property
    def display_title(self) -> str:
        return self.plain_title or self.title

    @property
    def professions(self) -> list[str]:
        return sorted({m.profession for m in self.team})

    @property
    def is_remote_possible(self) -> bool:
        return "distanciel" in self.formats or "mixte" in self.formats

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


class TeamMember(db.Model):
    """A member of a programme's team: a profession, optionally a name and the ETP training date."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # e.g. medecin, infirmier, dieteticien, sage-femme, pharmacien, enseignant-apa
    profession: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    # date of the 40-hour ETP training, when recorded
    etp_training_on: Mapped[date | None] = mapped_column(Date)
    # whether this member coordinates the programme
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # staff account of the member, when they have one
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    programme: Mapped[Programme] = relationship(back_populates="team")


class Workshop(Translatable, db.Model):
    """An atelier theme of a programme; a transversal one is open to several programmes."""

    __tablename__ = "workshops"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        CheckConstraint("duration_min IS NULL OR duration_min > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # code, unique within the programme
    code: Mapped[str] = mapped_column(String(80), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary_plain: Mapped[str | None] = mapped_column(Text)
    # the coordinator's own versions: {"en": {"title", "summary_plain"}, "ar": …}
    translations: Mapped[dict | None] = mapped_column(JSON)
    duration_min: Mapped[int | None] = mapped_column(Integer)
    transversal: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # order in the programme's path
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    programme: Mapped[Programme] = relationship(back_populates="workshops")
