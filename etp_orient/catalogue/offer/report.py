"""What an import did: counts per kind of row, and the dated rows that moved."""

from dataclasses import dataclass, field, fields

from .errors import tr as _


@dataclass
class KindCounts:
    """How many rows of one kind the import created, updated or left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, per kind of row."""

    structures: KindCounts = field(default_factory=KindCounts)
    sites: KindCounts = field(default_factory=KindCounts)
    programmes: KindCounts = field(default_factory=KindCounts)
    workshops: KindCounts = field(default_factory=KindCounts)
    slots: KindCounts = field(default_factory=KindCounts)
    cohorts: KindCounts = field(default_factory=KindCounts)
    sessions: KindCounts = field(default_factory=KindCounts)
    # codes of the existing dated rows whose time or place changed, or that were
    # cancelled: the import does not tell the people booked, a caller may
    moved_slots: list[str] = field(default_factory=list)
    moved_sessions: list[str] = field(default_factory=list)
    cancelled_sessions: list[str] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, KindCounts]]:
        return [
            (f.name, getattr(self, f.name))
            for f in fields(self)
            if isinstance(getattr(self, f.name), KindCounts)
        ]

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return any(c.created or c.updated for _name, c in self.kinds())

    def as_dict(self) -> dict:
        return {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in self.kinds()
        }

    def lines(self) -> list[str]:
        """One plain line per kind (and the moves), for the command line."""
        labels = {
            "structures": _("structures"),
            "sites": _("lieux"),
            "programmes": _("programmes"),
            "workshops": _("ateliers"),
            "slots": _("créneaux"),
            "cohorts": _("groupes"),
            "sessions": _("séances"),
        }
        lines = [
            _(
                "%(kind)s : %(created)s créé(s), %(updated)s modifié(s), %(unchanged)s inchangé(s)",
                kind=labels[name],
                created=c.created,
                updated=c.updated,
                unchanged=c.unchanged,
            )
            for name, c in self.kinds()
        ]
        if self.moved_slots or self.moved_sessions or self.cancelled_sessions:
            lines.append(
                _(
                    "Dates changées : %(slots)s créneau(x) et %(moved)s séance(s) déplacé(e)s, "
                    "%(cancelled)s séance(s) annulée(s). L'import ne prévient pas les personnes "
                    "inscrites.",
                    slots=len(self.moved_slots),
                    moved=len(self.moved_sessions),
                    cancelled=len(self.cancelled_sessions),
                )
            )
        return lines
