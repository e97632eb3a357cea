"""Writing a validated offer file into the database, in bulk, inside one savepoint.

Rows are matched by code. Each kind is written with a few executemany
statements (Core inserts and updates keyed by id), built by comparing the file
with the in-memory :class:`~.state.DbState`: a row whose values did not change
is not written at all, so a second import of the same file changes nothing
(no ``updated_at``, no ``revision``).
"""

from datetime import date

from sqlalchemy import bindparam, delete, or_, select

from ...core.clock import now
from ...core.text import name_key
from ...extensions import db
from .errors import OfferInvalid
from .report import ImportReport, KindCounts
from .schema import PROGRESS_EVERY, parse_date_time
from .state import (
    LINK_TABLES,
    LINK_TARGET,
    DbState,
    load_state,
    table,
)
from .validate import FileIndex, check_offer

DEFAULT_TZ = "Europe/Paris"
# a site given without a time zone takes its commune's: overseas ones by INSEE prefix
OVERSEAS_TZ = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}


def commune_timezone(insee: str) -> str:
    """The time zone of a commune: its overseas zone, else Europe/Paris."""
    return OVERSEAS_TZ.get(insee[:3], DEFAULT_TZ)


# changes of these columns raise a slot's or a session's revision (the iCal SEQUENCE)
SLOT_MOVES = ("start_at", "end_at", "site_id", "remote")
SESSION_MOVES = ("start_at", "end_at", "room")


def import_offer(data: dict, *, progress=None) -> ImportReport:
    """Validate an offer file, then write all of it or nothing; flush, never commit.

    Raises :class:`OfferInvalid` (with every error) before touching the database
    when the file is not valid. Rows are matched by code and updated in place;
    rows absent from the file are left alone. ``progress(stage, done, total)``
    is called every few thousand rows. The caller commits (or rolls back); to
    keep other writers out between validation and writing on SQLite, call
    ``core.db.begin_write()`` first.
    """
    state = load_state()
    errors, index = check_offer(data, state, progress)
    if errors:
        raise OfferInvalid(errors)
    with db.session.begin_nested():
        report = _Importer(data, index, state, progress).run()
    db.session.flush()
    # the rows were written with Core statements: reload any ORM object already in the session
    db.session.expire_all()
    return report


def _translations(value: dict | None) -> dict | None:
    """The file's translations without empty languages or texts; None when nothing is left."""
    if not value:
        return None
    kept = {}
    for language, texts in value.items():
        texts = {name: text for name, text in (texts or {}).items() if text}
        if texts:
            kept[language] = texts
    return kept or None


def _territory(value: dict | None) -> dict | None:
    """A territory with its lists in the file's order; None when it names nothing."""
    if not value:
        return None
    kept = {name: list(value[name]) for name in ("departements", "communes") if value.get(name)}
    return kept or None


def _team_changes(current: list, items: list, programme_id: int) -> tuple[list, list, list]:
    """(rows to insert, rows to update, ids to delete) to make a team match the file.

    A plain profession keeps a member of that profession (their name and training
    date, given in the back office, stay); a named member ``{"name", "profession",
    "trained_on"}`` is matched by name and profession and takes the file's date.
    """
    inserts, updates, used = [], [], set()
    for position, item in enumerate(items):
        if isinstance(item, str):
            profession, name, wanted = item, None, {"position": position}
        else:
            profession, name = item["profession"], item["name"]
            trained = item.get("trained_on")
            wanted = {
                "position": position,
                "etp_training_on": date.fromisoformat(trained) if trained else None,
            }
        match = next(
            (
                row
                for row in current
                if row.id not in used
                and row.profession == profession
                and (name is None or row.name == name)
            ),
            None,
        )
        if match is None:
            inserts.append(
                {
                    "programme_id": programme_id,
                    "profession": profession,
                    "name": name,
                    "etp_training_on": wanted.get("etp_training_on"),
                    "position": position,
                }
            )
            continue
        used.add(match.id)
        have = {"position": match.position, "etp_training_on": match.trained_on}
        change = {key: value for key, value in wanted.items() if have[key] != value}
        if change:
            updates.append({"_id": match.id, **change})
    deletes = [row.id for row in current if row.id not in used]
    return inserts, updates, deletes


def _slot_people(programme_id: int, text: str | None, team: dict) -> list:
    """[(name, member or None)] for a slot's ``professional``: the whole text when it is
    one member's name (a name may hold a comma), else each comma-separated name; [] when
    no name is a member (the text stays free text, as in old files)."""
    if not text:
        return []
    whole = team.get((programme_id, name_key(text)))
    if whole is not None:
        return [(whole.name, whole)]
    names = [part.strip() for part in text.split(",") if part.strip()]
    people = [(name, team.get((programme_id, name_key(name)))) for name in names]
    if not any(m for _n, m in people):
        return []
    return [(m.name if m else name, m) for name, m in people]


def _differs(row, values: dict) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def _chunks(rows: list, size: int = PROGRESS_EVERY):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class _Importer:
    def __init__(self, data: dict, index: FileIndex, state: DbState, progress):
        self.data = data
        self.index = index
        self.state = state
        self.progress = progress
        self.report = ImportReport()
        self.ts = now()
        self.structure_ids = {c: r.id for c, r in state.structures.items()}
        self.site_ids = {c: r.id for c, r in state.sites.items()}
        self.programme_ids = {c: r.id for c, r in state.programmes.items()}
        self.cohort_ids = {c: r.id for c, r in state.cohorts.items()}
        # time zone of each site and of each programme (its first site's)
        self.site_tz = {c: r.timezone for c, r in state.sites.items()}
        self.programme_tz = {
            state.programme_codes[pid]: tz for pid, tz in state.programme_first_tz.items()
        }
        # cohorts whose place changed: their sessions move too
        self.moved_cohorts: set[int] = set()

    def run(self) -> ImportReport:
        self.structures()
        self.sites()
        self.programmes()
        self.slots()
        self.cohorts()
        self.sessions()
        self.link_team()
        return self.report

    # ---- writing --------------------------------------------------------------------

    def _tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def _write(self, name: str, stage: str, inserts: list, updates: list) -> None:
        t = table(name)
        total = len(inserts) + len(updates)
        done = 0
        for chunk in _chunks(inserts):
            db.session.execute(t.insert(), chunk)
            done += len(chunk)
            if total > PROGRESS_EVERY:
                self._tick(stage, done, total)
        # executemany needs the same keys in every row: group updates by their keys
        groups: dict[tuple, list] = {}
        for row in updates:
            groups.setdefault(tuple(sorted(row)), []).append(row)
        statement = t.update().where(t.c.id == bindparam("_id"))
        for rows in groups.values():
            for chunk in _chunks(rows):
                db.session.execute(statement, chunk)
                done += len(chunk)
                if total > PROGRESS_EVERY:
                    self._tick(stage, done, total)

    def _apply(self, name, stage, counts, items, existing_of) -> list:
        """Insert or update rows of a simple table; returns the codes inserted."""
        inserts, updates, created = [], [], []
        for code, values in items:
            row = existing_of(code)
            if row is None:
                inserts.append(
                    {"code": code, **values, "created_at": self.ts, "updated_at": self.ts}
                )
                created.append(code)
            elif _differs(row, values):
                updates.append({"_id": row.id, **values, "updated_at": self.ts})
            else:
                counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write(name, stage, inserts, updates)
        return created

    def _new_ids(self, name: str, codes: list[str]) -> dict[str, int]:
        if not codes:
            return {}
        t = table(name)
        wanted = set(codes)
        return {
            code: id_
            for code, id_ in db.session.execute(select(t.c.code, t.c.id))
            if code in wanted
        }

    # ---- kinds ----------------------------------------------------------------------

    def structures(self) -> None:
        items = []
        for _i, s in self.index.items("structures"):
            values = {
                "name": s["name"],
                "kind": s["kind"],
                "commune_insee": s.get("commune"),
                "email": s.get("email"),
                "phone": s.get("phone"),
                "website": s.get("website"),
                "territory": _territory(s.get("territory")),
            }
            items.append((s["code"], values))
        created = self._apply(
            "structures",
            "structures",
            self.report.structures,
            items,
            self.state.structures.get,
        )
        self.structure_ids.update(self._new_ids("structures", created))

    def sites(self) -> None:
        items = []
        for _i, s in self.index.items("sites"):
            given = "lat" in s and "lon" in s
            if given:
                lat, lon = float(s["lat"]), float(s["lon"])
            else:
                lat, lon = self.state.communes[s["commune"]]
            tz = s.get("timezone") or commune_timezone(s["commune"])
            values = {
                "structure_id": self.structure_ids[s["structure"]],
                "name": s["name"],
                "address": s.get("address"),
                "postal_code": s.get("postal_code"),
                "commune_insee": s["commune"],
                "lat": lat,
                "lon": lon,
                "coords_given": given,
                "step_free_access": s.get("step_free_access"),
                "transport": s.get("transport"),
                "timezone": tz,
            }
            self.site_tz[s["code"]] = tz
            items.append((s["code"], values))
        created = self._apply("sites", "sites", self.report.sites, items, self.state.sites.get)
        self.site_ids.update(self._new_ids("sites", created))

    def programmes(self) -> None:
        state = self.state
        items, links, teams = [], [], []
        for _i, p in self.index.items("programmes"):
            audience = p.get("audience", {})
            contact = p.get("contact", {})
            values = {
                "title": p["title"],
                "plain_title": p.get("plain_title"),
                "summary_plain": p.get("summary_plain"),
                "age_min": audience.get("age_min"),
                "age_max": audience.get("age_max"),
                "pregnancy": audience.get("pregnancy", "either"),
                "formats": list(p["formats"]),
                "languages": list(p.get("languages", ["fr"])),
                "catchment_km": p.get("catchment_km"),
                "ars_authorisation": p.get("ars_authorisation"),
                "contact_name": contact.get("name"),
                "contact_email": contact.get("email"),
                "contact_phone": contact.get("phone"),
                "status": p.get("status", "published"),
                "group_access": p.get("group_access", "open"),
                "translations": _translations(p.get("translations")),
            }
            wanted_links = {
                "programme_structures": [self.structure_ids[c] for c in p["structures"]],
                "programme_conditions": [state.conditions[c][0] for c in p["conditions"]],
                "programme_sites": [self.site_ids[c] for c in p.get("sites", [])],
            }
            team = list(p.get("team", []))
            sites = p.get("sites", [])
            if sites:
                self.programme_tz[p["code"]] = self.site_tz.get(sites[0], DEFAULT_TZ)
            else:
                self.programme_tz.pop(p["code"], None)
            items.append((p["code"], values))
            links.append((p["code"], wanted_links))
            teams.append((p["code"], team))

        # a programme counts as updated when its links or team change too
        counts = self.report.programmes
        inserts, updates, created = [], [], []
        for (code, values), (_c, wanted_links), (_t, team) in zip(items, links, teams, strict=True):
            row = state.programmes.get(code)
            if row is None:
                inserts.append(
                    {"code": code, **values, "created_at": self.ts, "updated_at": self.ts}
                )
                created.append(code)
                continue
            same_links = all(
                state.links[name].get(row.id, []) == ids for name, ids in wanted_links.items()
            )
            same_team = not any(_team_changes(state.team.get(row.id, []), team, row.id))
            if _differs(row, values) or not same_links or not same_team:
                updates.append({"_id": row.id, **values, "updated_at": self.ts})
            else:
                counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write("programmes", "programmes", inserts, updates)
        self.programme_ids.update(self._new_ids("programmes", created))

        self._programme_links(links)
        self._teams(teams)
        self.workshops()

    def _programme_links(self, links: list) -> None:
        for name in LINK_TABLES:
            t = table(name)
            target = LINK_TARGET[name]
            reset, rows = [], []
            for code, wanted in links:
                pid = self.programme_ids[code]
                ids = wanted[name]
                current = self.state.links[name].get(pid, [])
                if current == ids:
                    continue
                if current:
                    reset.append(pid)
                rows.extend(
                    {"programme_id": pid, target: id_, "position": pos}
                    for pos, id_ in enumerate(ids)
                )
            for chunk in _chunks(reset, 500):
                db.session.execute(delete(t).where(t.c.programme_id.in_(chunk)))
            for chunk in _chunks(rows):
                db.session.execute(t.insert(), chunk)

    def _teams(self, teams: list) -> None:
        """Make each programme's team match the file (see :func:`_team_changes`)."""
        inserts, updates, deletes = [], [], []
        for code, items in teams:
            pid = self.programme_ids[code]
            new, changed, gone = _team_changes(self.state.team.get(pid, []), items, pid)
            inserts += new
            updates += changed
            deletes += gone
        t = table("team_members")
        for chunk in _chunks(deletes, 500):
            db.session.execute(delete(t).where(t.c.id.in_(chunk)))
        self._write("team_members", "team", inserts, updates)

    def workshops(self) -> None:
        inserts, updates = [], []
        counts = self.report.workshops
        for _i, p in self.index.items("programmes"):
            pid = self.programme_ids[p["code"]]
            for pos, w in enumerate(p.get("workshops", [])):
                values = {
                    "title": w["title"],
                    "summary_plain": w.get("summary_plain"),
                    "translations": _translations(w.get("translations")),
                    "duration_min": w.get("duration_min"),
                    "transversal": bool(w.get("transversal", False)),
                    "position": pos,
                }
                row = self.state.workshops.get((pid, w["code"]))
                if row is None:
                    inserts.append({"programme_id": pid, "code": w["code"], **values})
                elif _differs(row, values):
                    updates.append({"_id": row.id, **values})
                else:
                    counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write("workshops", "workshops", inserts, updates)
        t = table("workshops")
        self.workshop_ids = {
            (pid, code): id_
            for id_, pid, code in db.session.execute(select(t.c.id, t.c.programme_id, t.c.code))
        }

    def _tz_for(self, site: str | None, programme: str) -> str:
        if site is not None:
            return self.site_tz.get(site, DEFAULT_TZ)
        return self.programme_tz.get(programme) or DEFAULT_TZ

    def slots(self) -> None:
        inserts, updates = [], []
        counts = self.report.slots
        existing = self.state.slots
        for i, s in self.index.items("slots"):
            code = self.index.slot_codes[i]
            site = s.get("site")
            values = {
                "programme_id": self.programme_ids[s["programme"]],
                "kind": s["kind"],  # the keys are SLOT_FIELDS
                "site_id": self.site_ids[site] if site is not None else None,
                "remote": s.get("remote"),
                "start_at": parse_date_time(s["start"]),
                "end_at": parse_date_time(s["end"]),
                "timezone": self._tz_for(site, s["programme"]),
                "professional": s.get("professional"),
            }
            row = existing.get(code)
            if row is None:
                inserts.append(
                    {
                        "code": code,
                        **values,
                        "status": "open",
                        "revision": 0,
                        "created_at": self.ts,
                        "updated_at": self.ts,
                    }
                )
            elif _differs(row, values):
                moved = any(getattr(row, f) != values[f] for f in SLOT_MOVES)
                revision = row.revision + 1 if moved else row.revision
                if moved:
                    self.report.moved_slots.append(code)
                updates.append(
                    {"_id": row.id, **values, "revision": revision, "updated_at": self.ts}
                )
            else:
                counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write("slots", "slots", inserts, updates)

    def cohorts(self) -> None:
        inserts, updates, created, facilitators = [], [], [], []
        counts = self.report.cohorts
        for _i, c in self.index.items("cohorts"):
            site = c.get("site")
            closes = c.get("registration_closes")
            values = {
                "programme_id": self.programme_ids[c["programme"]],
                "site_id": self.site_ids[site] if site is not None else None,
                "format": c.get("format", "presentiel"),
                "capacity": c["capacity"],
                "waitlist_enabled": bool(c.get("waitlist", True)),
                "registration_closes_at": parse_date_time(closes) if closes else None,
                "timezone": self._tz_for(site, c["programme"]),
            }
            names = list(c.get("facilitators", []))
            row = self.state.cohorts.get(c["code"])
            facilitators.append((c["code"], names))
            if row is None:
                inserts.append(
                    {
                        "code": c["code"],
                        **values,
                        "seats_taken": 0,
                        "status": "open",
                        "revision": 0,
                        "created_at": self.ts,
                        "updated_at": self.ts,
                    }
                )
                created.append(c["code"])
                continue
            same_team = [f[1] for f in self.state.facilitators.get(row.id, [])] == names
            if _differs(row, values) or not same_team:
                moved = row.site_id != values["site_id"] or row.format != values["format"]
                if row.site_id != values["site_id"]:
                    self.moved_cohorts.add(row.id)
                updates.append(
                    {
                        "_id": row.id,
                        **values,
                        "revision": row.revision + 1 if moved else row.revision,
                        "updated_at": self.ts,
                    }
                )
            else:
                counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write("cohorts", "cohorts", inserts, updates)
        self.cohort_ids.update(self._new_ids("cohorts", created))
        self._facilitators(facilitators)

    def _facilitators(self, wanted_lists: list) -> None:
        """Keep the facilitators whose name is still listed (their account link stays)."""
        wanted = [(self.cohort_ids[code], names) for code, names in wanted_lists]
        self._sync_lists("facilitators", "cohort_id", "name", self.state.facilitators, wanted)

    def _sync_lists(self, name: str, parent: str, key: str, current_of: dict, wanted: list):
        """Make each parent's ordered list of rows match the wanted values, keeping matches.

        ``current_of``: parent id → [(row id, value, position)]; ``wanted``: [(parent id,
        [value, …])]. A row whose value is still wanted is kept (only its position may
        change), the others are deleted, the missing values inserted.
        """
        t = table(name)
        inserts, moves, deletes = [], [], []
        for parent_id, values in wanted:
            current = current_of.get(parent_id, [])
            if [row[1] for row in current] == values:
                continue
            used: set[int] = set()
            for pos, value in enumerate(values):
                match = next((r for r in current if r[0] not in used and r[1] == value), None)
                if match is None:
                    inserts.append({parent: parent_id, key: value, "position": pos})
                    continue
                used.add(match[0])
                if match[2] != pos:
                    moves.append({"_id": match[0], "position": pos})
            deletes.extend(r[0] for r in current if r[0] not in used)
        for chunk in _chunks(deletes, 500):
            db.session.execute(delete(t).where(t.c.id.in_(chunk)))
        self._write(name, name, inserts, moves)

    def link_team(self) -> None:
        """Link a cohort's ``facilitators`` and a slot's ``professional`` to the members of
        the programme's team they name (by name, without case, accents nor extra spaces).

        A slot's ``professional`` may name several members, separated by commas (as the
        export writes a slot received by two members); a name that is no member stays
        free text and links nothing. Only the rows that differ are written, so a second
        import of the same file changes nothing.
        """
        pids = {self.programme_ids[p["code"]] for _i, p in self.index.items("programmes")}
        pids |= {self.programme_ids[s["programme"]] for _i, s in self.index.items("slots")}
        pids |= {self.programme_ids[c["programme"]] for _i, c in self.index.items("cohorts")}
        if not pids:
            return
        tm = table("team_members")
        team = {}
        for chunk in _chunks(sorted(pids), 500):
            for row in db.session.execute(
                select(tm.c.id, tm.c.programme_id, tm.c.name, tm.c.profession, tm.c.user_id)
                .where(tm.c.programme_id.in_(chunk), tm.c.name.is_not(None))
                .order_by(tm.c.position)
            ):
                team.setdefault((row.programme_id, name_key(row.name)), row)
        self._link_cohorts(pids, team)
        self._link_slots(pids, team)

    def _link_cohorts(self, pids: set[int], team: dict) -> None:
        c, f = table("cohorts"), table("facilitators")
        updates = []
        for chunk in _chunks(sorted(pids), 500):
            rows = db.session.execute(
                select(
                    f.c.id,
                    f.c.name,
                    f.c.team_member_id,
                    f.c.profession,
                    f.c.user_id,
                    c.c.programme_id,
                )
                .join(c, c.c.id == f.c.cohort_id)
                .where(c.c.programme_id.in_(chunk))
            )
            for row in rows:
                member = team.get((row.programme_id, name_key(row.name)))
                wanted = member.id if member is not None else None
                if wanted == row.team_member_id:
                    continue
                change = {"_id": row.id, "team_member_id": wanted}
                if member is not None:
                    change |= {"profession": member.profession, "user_id": member.user_id}
                else:
                    change |= {"profession": row.profession, "user_id": row.user_id}
                updates.append(change)
        self._write("facilitators", "facilitators", [], updates)

    def _link_slots(self, pids: set[int], team: dict) -> None:
        """A slot's ``professional`` that names members gets one facilitator row per name
        (the members linked, any other name as free text beside them); one that names no
        member gets none. ``professional_user_id`` is the first linked member's account."""
        s, f = table("slots"), table("facilitators")
        current: dict[int, list] = {}
        slots = []
        for chunk in _chunks(sorted(pids), 500):
            slots.extend(
                db.session.execute(
                    select(
                        s.c.id, s.c.programme_id, s.c.professional, s.c.professional_user_id
                    ).where(
                        s.c.programme_id.in_(chunk),
                        or_(s.c.professional.is_not(None), s.c.professional_user_id.is_not(None)),
                    )
                )
            )
            for row in db.session.execute(
                select(f.c.id, f.c.slot_id, f.c.team_member_id, f.c.name)
                .join(s, s.c.id == f.c.slot_id)
                .where(s.c.programme_id.in_(chunk))
                .order_by(f.c.slot_id, f.c.position)
            ):
                current.setdefault(row.slot_id, []).append(row)
        inserts, deletes, slot_updates = [], [], []
        named = {pid for pid, _name in team}
        for slot in slots:
            have = current.pop(slot.id, [])
            if slot.programme_id not in named and not have and slot.professional_user_id is None:
                continue  # a programme without named members: nothing to link
            wanted = _slot_people(slot.programme_id, slot.professional, team)
            if [(r.team_member_id, r.name) for r in have] != [
                (m.id if m else None, name) for name, m in wanted
            ]:
                deletes.extend(r.id for r in have)
                for position, (name, m) in enumerate(wanted):
                    inserts.append(
                        {
                            "slot_id": slot.id,
                            "team_member_id": m.id if m else None,
                            "name": name,
                            "profession": m.profession if m else None,
                            "user_id": m.user_id if m else None,
                            "position": position,
                        }
                    )
            user_id = next((m.user_id for _n, m in wanted if m and m.user_id), None)
            if user_id != slot.professional_user_id:
                slot_updates.append({"_id": slot.id, "professional_user_id": user_id})
        # slots whose professional was emptied lose their links
        for rows in current.values():
            deletes.extend(r.id for r in rows)
        for chunk in _chunks(deletes, 500):
            db.session.execute(delete(f).where(f.c.id.in_(chunk)))
        self._write("facilitators", "facilitators", inserts, [])
        self._write("slots", "slots", [], slot_updates)

    def sessions(self) -> None:
        inserts, updates = [], []
        counts = self.report.sessions
        existing = self.state.sessions
        for i, c in self.index.items("cohorts"):
            cid = self.cohort_ids[c["code"]]
            pid = self.programme_ids[c["programme"]]
            tz = self._tz_for(c.get("site"), c["programme"])
            for j, s in self.index.sessions(i, c):
                code = self.index.session_codes[(i, j)]
                row = existing.get(code)
                values = {
                    "cohort_id": cid,
                    "workshop_id": self.workshop_ids[(pid, s["workshop"])],
                    "start_at": parse_date_time(s["start"]),
                    "end_at": parse_date_time(s["end"]),
                    "room": s.get("room"),
                    "timezone": tz,
                }
                cancelled = s.get("status", "scheduled") == "cancelled"
                if row is None:
                    values["status"] = "cancelled" if cancelled else "scheduled"
                    values["cancelled_at"] = self.ts if cancelled else None
                    inserts.append(
                        {
                            "code": code,
                            **values,
                            "revision": 0,
                            "created_at": self.ts,
                            "updated_at": self.ts,
                        }
                    )
                    continue
                moved = any(getattr(row, f) != values[f] for f in SESSION_MOVES)
                was_cancelled = row.status == "cancelled"
                if cancelled:
                    values["status"] = "cancelled"
                    values["cancelled_at"] = row.cancelled_at if was_cancelled else self.ts
                else:
                    # "moved" is how the back office marks a session whose date changed;
                    # the file only knows scheduled / cancelled
                    values["status"] = "moved" if moved or row.status == "moved" else "scheduled"
                    values["cancelled_at"] = None
                if cancelled and not was_cancelled:
                    self.report.cancelled_sessions.append(code)
                elif not cancelled and (moved or cid in self.moved_cohorts):
                    self.report.moved_sessions.append(code)
                if _differs(row, values):
                    bump = moved or was_cancelled != cancelled or cid in self.moved_cohorts
                    updates.append(
                        {
                            "_id": row.id,
                            **values,
                            "revision": row.revision + 1 if bump else row.revision,
                            "updated_at": self.ts,
                        }
                    )
                elif cid in self.moved_cohorts:
                    # same row, but its cohort changed place: the date's place changed
                    updates.append(
                        {
                            "_id": row.id,
                            **values,
                            "revision": row.revision + 1,
                            "updated_at": self.ts,
                        }
                    )
                else:
                    counts.unchanged += 1
        counts.created += len(inserts)
        counts.updated += len(updates)
        self._write("group_sessions", "sessions", inserts, updates)


__all__ = ["ImportReport", "KindCounts", "OfferInvalid", "import_offer"]
