"""Plain values for communes, free of any database session (geo services return them)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommuneInfo:
    """A commune as the API and orientation use it (plain values, no database session)."""

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str
    region: str | None
    lat: float
    lon: float
    population: int | None = None

    @property
    def label(self) -> str:
        """E.g. "Angoulême (16000)": the name and its first postal code (or département)."""
        return f"{self.name} ({self.postal_codes[0] if self.postal_codes else self.departement})"

    def to_dict(self) -> dict:
        """The JSON form: insee, name, postal_codes, departement, region, lat, lon."""
        return {
            "insee": self.insee,
            "name": self.name,
            "postal_codes": list(self.postal_codes),
            "departement": self.departement,
            "region": self.region,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass(frozen=True)
class CommuneResolution:
    """What a typed place resolves to.

    ``commune`` is set when exactly one commune clearly fits; otherwise
    ``candidates`` lists the communes to choose from, best first (a postal code
    shared by several communes, a name borne by several, an unclear typo), and is
    empty when nothing fits. ``query`` echoes the text as given.
    """

    query: str
    commune: CommuneInfo | None = None
    candidates: list[CommuneInfo] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return self.commune is None and bool(self.candidates)


def by_population(info: CommuneInfo):
    """Sort key: most populated first, then by name and code (stable)."""
    return (-(info.population or 0), info.name, info.insee)
