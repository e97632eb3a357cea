"""Communes of France (overseas included) and their postal codes."""

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import enum_check
from ..extensions import db

# How a commune's centre was obtained (see docs/data-sources.md).
COORD_SOURCES = ("geonames", "postal_code", "epci", "departement")


class Commune(db.Model):
    """A commune, with its centre used as the patient's position."""

    __tablename__ = "communes"
    __table_args__ = (enum_check("coord_source", COORD_SOURCES),)

    # INSEE code, e.g. "16015" (Angoulême), "2A004", "97411"
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    # official name with accents
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # folded name (lower case, no accents, words separated by one space) for search
    search_name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    # département code, e.g. "16", "2A", "974"
    departement: Mapped[str] = mapped_column(String(3), nullable=False, index=True)
    # region code (INSEE), e.g. "75" for Nouvelle-Aquitaine
    region: Mapped[str | None] = mapped_column(String(3))
    # EPCI (SIREN) the commune belongs to, when any
    epci: Mapped[str | None] = mapped_column(String(9))
    # legal population
    population: Mapped[int | None] = mapped_column(Integer)
    # centre of the commune, WGS84 degrees
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    # where the centre comes from: GeoNames, or a fallback
    coord_source: Mapped[str] = mapped_column(String(12), nullable=False)

    postal_codes: Mapped[list["CommunePostalCode"]] = relationship(
        back_populates="commune", cascade="all, delete-orphan", order_by="CommunePostalCode.code"
    )

    def __repr__(self) -> str:
        return f"<Commune {self.insee} {self.name}>"


class CommunePostalCode(db.Model):
    """One postal code served to one commune (a code can cover several communes)."""

    __tablename__ = "commune_postal_codes"
    __table_args__ = (CheckConstraint("length(code) = 5", name="code_length"),)

    # five-digit postal code
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    # the commune it serves
    insee: Mapped[str] = mapped_column(
        ForeignKey("communes.insee", ondelete="CASCADE"), primary_key=True, index=True
    )

    commune: Mapped[Commune] = relationship(back_populates="postal_codes")
