"""Validation of an offer file: the schema, then the references between codes, then the rules.

Every error is reported, each with its JSON path. Items that break the schema
are left out of the later checks (their own errors are already listed), but
their codes still count as defined, so one bad field does not cascade into a
list of "unknown code" errors elsewhere.
"""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..models import TERRITORY_KINDS
from .codes import session_code, slot_code
from .errors import OfferError, json_path
from .errors import tr as _
from .schema import parse_date_time, schema_errors
from .state import DbState
from .text import text_errors

KINDS = ("structures", "sites", "programmes", "slots", "cohorts")


@cache
def valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone known to this system."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _is_code(value) -> bool:
    return isinstance(value, str) and bool(value)


class FileIndex:
    """The file's items with their paths, which ones passed the schema, and every code defined."""

    def __init__(self, data: dict, bad_paths: list[list]):
        self.data = data
        self.bad_items: set[tuple] = set()
        self.bad_kinds: set[str] = set()
        for path in bad_paths:
            if not path:
                self.bad_kinds.update(KINDS)
            elif len(path) == 1:
                self.bad_kinds.add(path[0])
            elif path[0] == "cohorts" and len(path) >= 4 and path[2] == "sessions":
                self.bad_items.add(tuple(path[:4]))
            else:
                self.bad_items.add(tuple(path[:2]))
        # code → index of the first item defining it
        self.structures: dict[str, int] = {}
        self.sites: dict[str, int] = {}
        self.programmes: dict[str, int] = {}
        self.cohorts: dict[str, int] = {}
        # programme code → workshop codes defined in the file
        self.workshops: dict[str, set[str]] = {}
        # effective codes (given or derived) of slots and sessions, per item
        self.slot_codes: dict[int, str] = {}
        self.session_codes: dict[tuple[int, int], str] = {}
        for kind in ("structures", "sites", "programmes", "cohorts"):
            target = getattr(self, kind)
            for i, item in self.all_items(kind):
                code = item.get("code")
                if _is_code(code) and code not in target:
                    target[code] = i
        for _i, item in self.all_items("programmes"):
            code = item.get("code")
            workshops = item.get("workshops")
            if _is_code(code) and isinstance(workshops, list):
                self.workshops.setdefault(code, set()).update(
                    w["code"] for w in workshops if isinstance(w, dict) and _is_code(w.get("code"))
                )
        for i, item in self.items("slots"):
            self.slot_codes[i] = item.get("code") or slot_code(
                item["programme"],
                item["kind"],
                parse_date_time(item["start"]),
                item.get("site"),
                item.get("remote"),
            )
        for i, cohort in self.all_items("cohorts"):
            sessions = cohort.get("sessions")
            if not _is_code(cohort.get("code")) or not isinstance(sessions, list):
                continue
            ranks: dict[str, int] = {}
            for j, session in enumerate(sessions):
                if not isinstance(session, dict):
                    continue
                workshop = session.get("workshop")
                if not isinstance(workshop, str):
                    continue
                ranks[workshop] = ranks.get(workshop, 0) + 1
                if ("cohorts", i, "sessions", j) in self.bad_items:
                    continue
                self.session_codes[(i, j)] = session.get("code") or session_code(
                    cohort["code"], workshop, ranks[workshop]
                )

    def all_items(self, kind: str):
        """Every (index, item) of a kind that is an object, schema errors or not."""
        items = self.data.get(kind)
        if kind in self.bad_kinds or not isinstance(items, list):
            return
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item

    def items(self, kind: str):
        """The (index, item) pairs of a kind that passed the schema."""
        for i, item in self.all_items(kind):
            if (kind, i) not in self.bad_items:
                yield i, item

    def sessions(self, i: int, cohort: dict):
        """The (index, session) pairs of a cohort that passed the schema."""
        for j, session in enumerate(cohort["sessions"]):
            if ("cohorts", i, "sessions", j) not in self.bad_items:
                yield j, session


class _Checker:
    def __init__(self, data: dict, index: FileIndex, state: DbState):
        self.data = data
        self.index = index
        self.state = state
        self.errors: list[OfferError] = []

    def error(self, path: list, message: str) -> None:
        self.errors.append(OfferError(json_path(path), message))

    # ---- references between codes -------------------------------------------------------

    def _duplicates(self, kind: str, label: str) -> None:
        first: dict[str, int] = {}
        for i, item in self.index.items(kind):
            code = item["code"]
            if code in first:
                self.error(
                    [kind, i, "code"],
                    _(
                        "Le code « %(code)s » est déjà utilisé par %(what)s plus haut (%(path)s).",
                        code=code,
                        what=label,
                        path=json_path([kind, first[code]]),
                    ),
                )
            else:
                first[code] = i

    def _commune(self, path: list, insee) -> None:
        if insee is not None and insee not in self.state.communes:
            self.error(path, _("Commune inconnue : code INSEE « %(code)s ».", code=insee))

    def _structure_known(self, code: str) -> bool:
        return code in self.index.structures or code in self.state.structures

    def _site_known(self, code: str) -> bool:
        return code in self.index.sites or code in self.state.sites

    def _programme_known(self, code: str) -> bool:
        return code in self.index.programmes or code in self.state.programmes

    def _unknown(self, path: list, what: str, code: str) -> None:
        self.error(
            path,
            _(
                "%(what)s inconnu(e) : « %(code)s » n'est ni dans le fichier ni dans la base.",
                what=what,
                code=code,
            ),
        )

    def _list_refs(self, path: list, codes: list, known, what: str) -> None:
        seen: set[str] = set()
        for k, code in enumerate(codes):
            if code in seen:
                self.error(path + [k], _("« %(code)s » est cité deux fois.", code=code))
                continue
            seen.add(code)
            if not known(code):
                self._unknown(path + [k], what, code)

    def references(self) -> None:
        state = self.state
        self._duplicates("structures", _("une autre structure"))
        for i, s in self.index.items("structures"):
            self._commune(["structures", i, "commune"], s.get("commune"))
            territory = s.get("territory")
            if territory and s["kind"] not in TERRITORY_KINDS:
                self.error(
                    ["structures", i, "territory"],
                    _(
                        "Seule une plateforme ou une UTEP déclare un territoire (ici : %(kind)s).",
                        kind=s["kind"],
                    ),
                )
            for k, insee in enumerate((territory or {}).get("communes", [])):
                self._commune(["structures", i, "territory", "communes", k], insee)

        self._duplicates("sites", _("un autre lieu"))
        for i, s in self.index.items("sites"):
            if not self._structure_known(s["structure"]):
                self._unknown(["sites", i, "structure"], _("Structure"), s["structure"])
            self._commune(["sites", i, "commune"], s["commune"])

        self._duplicates("programmes", _("un autre programme"))
        for i, p in self.index.items("programmes"):
            path = ["programmes", i]
            self._list_refs(
                path + ["structures"], p["structures"], self._structure_known, _("Structure")
            )
            seen: set[str] = set()
            for k, code in enumerate(p["conditions"]):
                where = path + ["conditions", k]
                if code in seen:
                    self.error(where, _("« %(code)s » est cité deux fois.", code=code))
                    continue
                seen.add(code)
                known = state.conditions.get(code)
                if known is None:
                    self.error(where, _("Pathologie inconnue : « %(code)s ».", code=code))
                elif known[1]:
                    self.error(
                        where,
                        _(
                            "« %(code)s » est un groupe de pathologies : indiquez un code "
                            "précis (par exemple %(example)s).",
                            code=code,
                            example=self._child_example(code),
                        ),
                    )
            self._list_refs(path + ["sites"], p.get("sites", []), self._site_known, _("Lieu"))
            first: dict[str, int] = {}
            for k, w in enumerate(p.get("workshops", [])):
                if w["code"] in first:
                    self.error(
                        path + ["workshops", k, "code"],
                        _(
                            "L'atelier « %(code)s » est déjà défini plus haut dans ce programme.",
                            code=w["code"],
                        ),
                    )
                else:
                    first[w["code"]] = k

        first_slot: dict[str, int] = {}
        for i, s in self.index.items("slots"):
            path = ["slots", i]
            if not self._programme_known(s["programme"]):
                self._unknown(path + ["programme"], _("Programme"), s["programme"])
            if s.get("site") is not None and not self._site_known(s["site"]):
                self._unknown(path + ["site"], _("Lieu"), s["site"])
            code = self.index.slot_codes[i]
            if code in first_slot:
                if s.get("code"):
                    message = _(
                        "Le code « %(code)s » est déjà utilisé par un autre créneau plus haut "
                        "(%(path)s).",
                        code=code,
                        path=json_path(["slots", first_slot[code]]),
                    )
                else:
                    message = _(
                        "Créneau en double : même programme, type, début et lieu que %(path)s.",
                        path=json_path(["slots", first_slot[code]]),
                    )
                self.error(path + (["code"] if s.get("code") else []), message)
            else:
                first_slot[code] = i

        self._duplicates("cohorts", _("un autre groupe"))
        first_session: dict[str, tuple[int, int]] = {}
        for i, c in self.index.items("cohorts"):
            path = ["cohorts", i]
            programme = c["programme"]
            if not self._programme_known(programme):
                self._unknown(path + ["programme"], _("Programme"), programme)
            if c.get("site") is not None and not self._site_known(c["site"]):
                self._unknown(path + ["site"], _("Lieu"), c["site"])
            workshops = self.index.workshops.get(programme, set()) | state.workshop_codes.get(
                programme, set()
            )
            for j, session in self.index.sessions(i, c):
                where = path + ["sessions", j]
                if self._programme_known(programme) and session["workshop"] not in workshops:
                    self.error(
                        where + ["workshop"],
                        _(
                            "Atelier inconnu : « %(workshop)s » n'est pas un atelier du "
                            "programme « %(programme)s ».",
                            workshop=session["workshop"],
                            programme=programme,
                        ),
                    )
                code = self.index.session_codes[(i, j)]
                if code in first_session:
                    self.error(
                        where + (["code"] if session.get("code") else []),
                        _(
                            "Le code de séance « %(code)s » est déjà utilisé plus haut (%(path)s).",
                            code=code,
                            path=json_path(["cohorts", *first_session[code]]),
                        )
                        if session.get("code")
                        else _(
                            "Séance en double : même atelier au même rang que %(path)s.",
                            path=json_path(["cohorts", *first_session[code]]),
                        ),
                    )
                else:
                    first_session[code] = (i, "sessions", j)

    def _child_example(self, group: str) -> str:
        from ..taxonomy import children

        try:
            found = children(group)
        except (OSError, ValueError):
            found = []
        return found[0] if found else group + "-…"

    # ---- rules --------------------------------------------------------------------------

    def _end_after_start(self, path: list, item: dict) -> None:
        start, end = parse_date_time(item["start"]), parse_date_time(item["end"])
        if start is not None and end is not None and end <= start:
            self.error(path + ["end"], _("La fin doit être après le début."))

    def rules(self) -> None:
        state = self.state
        for i, s in self.index.items("sites"):
            tz = s.get("timezone", "Europe/Paris")
            if "timezone" in s and not valid_timezone(tz):
                self.error(
                    ["sites", i, "timezone"],
                    _(
                        "Fuseau horaire inconnu : « %(tz)s ». Exemples : Europe/Paris, "
                        "Indian/Reunion, America/Cayenne.",
                        tz=tz,
                    ),
                )
            if ("lat" in s) != ("lon" in s):
                self.error(
                    ["sites", i, "lon" if "lat" in s else "lat"],
                    _("Donnez la latitude et la longitude ensemble, ou aucune des deux."),
                )
            existing = state.sites.get(s["code"])
            if existing is not None:
                owner = state.structure_codes.get(existing.structure_id)
                if owner != s["structure"]:
                    self.error(
                        ["sites", i, "structure"],
                        _(
                            "Le lieu « %(code)s » appartient déjà à la structure « %(owner)s » "
                            "dans la base ; un lieu ne change pas de structure.",
                            code=s["code"],
                            owner=owner,
                        ),
                    )

        for i, p in self.index.items("programmes"):
            path = ["programmes", i]
            if p.get("status", "published") == "published":
                professions = {
                    member.strip().lower()
                    for member in (
                        t if isinstance(t, str) else t["profession"] for t in p.get("team", [])
                    )
                    if member.strip()
                }
                if len(professions) < 2:
                    self.error(
                        path + ["team"],
                        _(
                            "Un programme publié doit avoir une équipe d'au moins deux "
                            "professions différentes (ici : %(count)s).",
                            count=len(professions),
                        ),
                    )
            audience = p.get("audience", {})
            age_min, age_max = audience.get("age_min"), audience.get("age_max")
            if age_min is not None and age_max is not None and age_min > age_max:
                self.error(
                    path + ["audience", "age_min"],
                    _(
                        "L'âge minimum (%(min)s) doit être inférieur ou égal à l'âge maximum "
                        "(%(max)s).",
                        min=age_min,
                        max=age_max,
                    ),
                )

        for i, s in self.index.items("slots"):
            path = ["slots", i]
            self._end_after_start(path, s)
            if s.get("site") is None and s.get("remote") is None:
                self.error(
                    path,
                    _(
                        "Indiquez un lieu (site) ou un rendez-vous à distance "
                        "(remote : phone ou video)."
                    ),
                )
            existing = state.slots.get(self.index.slot_codes[i])
            if existing is not None:
                owner = state.programme_codes.get(existing.programme_id)
                if owner != s["programme"]:
                    self.error(
                        path + (["code"] if s.get("code") else ["programme"]),
                        _(
                            "Le créneau « %(code)s » appartient déjà au programme "
                            "« %(owner)s » dans la base.",
                            code=self.index.slot_codes[i],
                            owner=owner,
                        ),
                    )

        for i, c in self.index.items("cohorts"):
            path = ["cohorts", i]
            if c.get("site") is None and c.get("format", "presentiel") == "presentiel":
                self.error(
                    path + ["site"],
                    _(
                        "Un groupe en présentiel a besoin d'un lieu (site). Sinon, "
                        "indiquez le format distanciel."
                    ),
                )
            existing = state.cohorts.get(c["code"])
            if existing is not None:
                owner = state.programme_codes.get(existing.programme_id)
                if owner != c["programme"]:
                    self.error(
                        path + ["programme"],
                        _(
                            "Le groupe « %(code)s » appartient déjà au programme « %(owner)s » "
                            "dans la base ; un groupe ne change pas de programme.",
                            code=c["code"],
                            owner=owner,
                        ),
                    )
                if c["capacity"] < existing.seats_taken:
                    self.error(
                        path + ["capacity"],
                        _(
                            "La capacité (%(capacity)s) est inférieure au nombre de places déjà "
                            "prises (%(taken)s).",
                            capacity=c["capacity"],
                            taken=existing.seats_taken,
                        ),
                    )
            for j, session in self.index.sessions(i, c):
                where = path + ["sessions", j]
                self._end_after_start(where, session)
                code = self.index.session_codes[(i, j)]
                found = state.sessions.get(code)
                if found is not None:
                    owner = state.cohort_codes.get(found.cohort_id)
                    if owner != c["code"]:
                        self.error(
                            where + (["code"] if session.get("code") else []),
                            _(
                                "La séance « %(code)s » appartient déjà à un autre groupe "
                                "dans la base.",
                                code=code,
                            ),
                        )


def check_offer(data, state: DbState, progress=None) -> tuple[list[OfferError], FileIndex | None]:
    """Every error of the file (schema, references, rules, in that order) and its index."""
    found = schema_errors(data, progress)
    errors = [error for _path, error in found] + text_errors(data)
    if not isinstance(data, dict):
        return errors, None
    index = FileIndex(data, [path for path, _error in found])
    checker = _Checker(data, index, state)
    checker.references()
    checker.rules()
    return errors + checker.errors, index
