"""The yearly activity figures (``/gestion/indicateurs``, ``etp-orient indicators``).

Every figure follows ``shared/INDICATORS.md`` and carries the rule used to
compute it, shown beside it and exported with it. Figures are computed for a
calendar year (UTC), per programme and for the territory (the programmes the
user sees; every programme for the command line). Orientation figures come
from the anonymous ``OrientationLog``: the whole platform's for a platform admin
and the command line, the départements of the user's structures for the others.
"""

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..booking.models import Attendance, Booking, Cohort, Enrollment, GroupSession, Slot
from ..catalogue.models import Programme
from ..core.clock import now
from ..core.text import neutralise_csv_cell
from ..extensions import db
from ..orientation.models import OrientationLog, Referral

FOLLOWED_WITHIN = timedelta(days=60)


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    rule: object
    section: str
    territory_only: bool = False
    percent: bool = False


FIGURES = [
    # Entry
    Figure(
        "bep_patients",
        _l("Patients ayant eu un BEP"),
        _l(
            "Personnes distinctes avec un bilan éducatif partagé tenu (issue « tenu ») dans l'année."
        ),
        "entry",
    ),
    Figure(
        "bep_patients_remote",
        _l("… dont à distance"),
        _l("Les mêmes, quand le BEP était par téléphone ou en vidéo."),
        "entry",
    ),
    Figure(
        "oriented_by",
        _l("Qui les a orientés"),
        _l(
            "Pour chaque BEP tenu, l'origine notée à la réservation (professionnel de ville, séjour ou consultation à l'hôpital, patient lui-même, coordinateur ; « inconnu » sinon)."
        ),
        "entry",
    ),
    Figure(
        "entered",
        _l("Patients entrés dans le programme"),
        _l(
            "Un BEP tenu (cette année ou avant) et au moins une séance (atelier où la personne était présente, ou rendez-vous individuel tenu après le BEP) dans l'année."
        ),
        "entry",
    ),
    Figure(
        "entered_3",
        _l("Patients entrés (BEP + au moins 3 séances)"),
        _l("Un BEP tenu et au moins 3 séances dans l'année (même définition des séances)."),
        "entry",
    ),
    # Sessions
    Figure(
        "individual_held",
        _l("Séances individuelles tenues"),
        _l("Rendez-vous individuels (BEP, bilan final, suivi) marqués « tenu », dans l'année."),
        "sessions",
    ),
    Figure(
        "individual_held_remote",
        _l("… dont à distance"),
        _l("Les mêmes, par téléphone ou en vidéo."),
        "sessions",
    ),
    Figure(
        "collective_held",
        _l("Séances collectives tenues"),
        _l("Séances de groupe non annulées, commencées dans l'année et déjà passées."),
        "sessions",
    ),
    Figure(
        "collective_held_remote",
        _l("… dont à distance"),
        _l("Les mêmes, sans lieu (en vidéo)."),
        "sessions",
    ),
    Figure(
        "mean_participants",
        _l("Participants par séance collective (moyenne)"),
        _l("Présences notées « présent » divisées par les séances collectives tenues."),
        "sessions",
    ),
    Figure(
        "sessions_with_carer",
        _l("Séances avec un proche présent"),
        _l("Séances collectives tenues où au moins une présence porte « un proche est venu »."),
        "sessions",
    ),
    # Exit
    Figure(
        "completed",
        _l("Patients ayant terminé le programme"),
        _l(
            "Inscriptions passées à « terminé » dans l'année : au moins N ateliers suivis (N fixé par le programme, sinon tous) et un bilan final tenu."
        ),
        "exit",
    ),
    Figure(
        "final_assessment",
        _l("Patients avec un bilan final individuel"),
        _l("Personnes distinctes avec un bilan de fin de programme tenu dans l'année."),
        "exit",
    ),
    Figure(
        "left",
        _l("Patients sortis en cours de route"),
        _l(
            "Personnes qui ont quitté leur groupe après y avoir eu une place et après le début de sa première séance (dans l'année), ou absentes aux deux dernières séances tenues de leur groupe. Il n'existe pas de définition officielle de l'abandon."
        ),
        "exit",
    ),
    Figure(
        "withdrawn",
        _l("Patients retirés avant le début"),
        _l(
            "Personnes qui ont quitté leur groupe, après y avoir eu une place, avant sa première séance (dans l'année) : un retrait, pas un abandon."
        ),
        "exit",
    ),
    Figure(
        "followup",
        _l("Patients vus en suivi (6 mois)"),
        _l("Personnes distinctes avec un rendez-vous de suivi tenu dans l'année."),
        "exit",
    ),
    # Coordination
    Figure(
        "gp_informed",
        _l("Médecin traitant informé de l'entrée"),
        _l("Personnes dont le médecin a été informé dans l'année (date notée, avec leur accord)."),
        "coordination",
    ),
    Figure(
        "gp_synthesis",
        _l("Médecin traitant destinataire de la synthèse"),
        _l(
            "Personnes dont le médecin a reçu la synthèse du bilan final dans l'année (date notée, avec leur accord)."
        ),
        "coordination",
    ),
    # Functioning
    Figure(
        "team_professions",
        _l("Équipe par profession"),
        _l("Membres de l'équipe du programme par profession, à la date du calcul."),
        "functioning",
    ),
    Figure(
        "team_trained_share",
        _l("Part de l'équipe formée à l'ETP (40 h)"),
        _l("Membres avec une date de formation de 40 heures divisés par tous les membres."),
        "functioning",
        percent=True,
    ),
    # Waiting and no-shows
    Figure(
        "waitlist_at_start",
        _l("Liste d'attente au début des groupes (moyenne)"),
        _l(
            "Pour chaque groupe dont la première séance est dans l'année : personnes en attente à cette date (inscrites avant, ni confirmées ni parties avant). Moyenne sur ces groupes."
        ),
        "waiting",
    ),
    Figure(
        "median_days_to_bep",
        _l("Délai orientation → BEP (médiane, jours)"),
        _l(
            "Pour les BEP réservés avec un code d'orientation dans l'année : jours entre l'orientation et le rendez-vous. Médiane."
        ),
        "waiting",
    ),
    Figure(
        "no_show_bep",
        _l("Absence non prévenue aux BEP"),
        _l("BEP « non venu » divisés par les BEP tenus ou non venus de l'année."),
        "waiting",
        percent=True,
    ),
    Figure(
        "no_show_collective",
        _l("Absence aux séances collectives"),
        _l(
            "Présences « absent » divisées par « présent » + « absent » (les excusés ne comptent pas), dans l'année."
        ),
        "waiting",
        percent=True,
    ),
    # Orientation (territory)
    Figure(
        "orientations",
        _l("Orientations réalisées"),
        _l(
            "Lignes du journal anonyme des orientations datées de l'année : toute la plateforme pour son administrateur, le département de vos structures sinon."
        ),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "orientations_by_channel",
        _l("… par canal"),
        _l("Patient en ligne, professionnel, API."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "orientations_by_condition",
        _l("… par maladie"),
        _l("Chaque code de maladie reconnu compte une fois par orientation."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "orientations_by_departement",
        _l("… par département"),
        _l("Département de la commune donnée ; « inconnu » sans commune."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "unmet",
        _l("Orientations sans rien sur place à portée"),
        _l(
            "Orientations de l'année (même périmètre) où une maladie a été reconnue mais où aucun programme avec un lieu à portée n'a été trouvé (les programmes à distance ne comptent pas ; une recherche « à distance » seulement n'en est pas une). Compté depuis décembre 2026 : les lignes plus anciennes ne le disent pas."
        ),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "unmet_by_departement",
        _l("… par département"),
        _l("Département de la commune donnée."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "unmet_by_condition",
        _l("… par maladie"),
        _l("Chaque code de maladie reconnu compte une fois par orientation."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "unmet_by_departement_condition",
        _l("… par département et maladie"),
        _l("Les mêmes comptes, par couple « département / maladie »."),
        "orientation",
        territory_only=True,
    ),
    Figure(
        "referrals_issued",
        _l("Orientations avec code remises"),
        _l("Codes d'orientation créés dans l'année."),
        "orientation",
    ),
    Figure(
        "referrals_used",
        _l("Codes d'orientation utilisés"),
        _l("Codes créés dans l'année puis utilisés pour réserver."),
        "orientation",
    ),
    Figure(
        "referrals_followed_60d",
        _l("Part suivie d'un BEP réservé sous 60 jours"),
        _l(
            "Codes créés dans l'année avec une réservation de BEP faite dans les 60 jours, divisés par les codes créés."
        ),
        "orientation",
        percent=True,
    ),
    Figure(
        "active_programmes",
        _l("Programmes actifs"),
        _l("Programmes avec au moins un patient entré dans l'année."),
        "orientation",
        territory_only=True,
    ),
]
SECTIONS = {
    "entry": _l("Entrée"),
    "sessions": _l("Séances"),
    "exit": _l("Sortie"),
    "coordination": _l("Coordination avec le médecin traitant"),
    "functioning": _l("Fonctionnement de l'équipe"),
    "waiting": _l("Attente et absences"),
    "orientation": _l("Orientation"),
}


@dataclass
class Report:
    year: int
    programmes: list[Programme]
    per_programme: dict[int, dict] = field(default_factory=dict)
    territory: dict = field(default_factory=dict)


def _bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _in(value: datetime | None, start: datetime, end: datetime) -> bool:
    return value is not None and start <= value < end


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _programme_figures(
    programme_ids: set[int], data: "_YearData", start: datetime, end: datetime
) -> dict:
    """Every non-territory figure over the rows of ``programme_ids``."""
    bookings = [b for b in data.bookings if b.slot.programme_id in programme_ids]
    held = [b for b in bookings if b.outcome == "held"]
    bep_held = [b for b in held if b.slot.kind == "bep"]
    bep_first: dict[int, datetime] = {}
    for b in sorted(bep_held, key=lambda b: b.slot.start_at):
        bep_first.setdefault(b.participant_id, b.slot.start_at)

    sessions = [s for s in data.sessions if s.cohort.programme_id in programme_ids]
    held_sessions = [s for s in sessions if s.status != "cancelled" and s.start_at < data.now]
    held_ids = {s.id for s in held_sessions}
    marks = [a for a in data.attendances if a.session_id in held_ids]

    # Sessions per person in the year: collective presences + individual slots held after a BEP.
    count_sessions: Counter = Counter()
    for a in marks:
        if a.status == "present":
            count_sessions[a.participant_id] += 1
    # an individual session counts once the person had a BEP in that programme
    bep_at: dict[tuple[int, int], datetime] = {}
    for b in sorted(bep_held, key=lambda b: b.slot.start_at):
        bep_at.setdefault((b.slot.programme_id, b.participant_id), b.slot.start_at)
    for b in held:
        key = (b.slot.programme_id, b.participant_id)
        if b.slot.kind != "bep" and (
            key in data.bep_before or (key in bep_at and bep_at[key] <= b.slot.start_at)
        ):
            count_sessions[b.participant_id] += 1
    # A BEP held this year or before (a December BEP, then January's workshops).
    had_bep = set(bep_first) | {
        person for programme, person in data.bep_before if programme in programme_ids
    }
    entered = {p for p in had_bep if count_sessions[p] >= 1}
    entered_3 = {p for p in had_bep if count_sessions[p] >= 3}

    enrollments = [e for e in data.enrollments if e.cohort.programme_id in programme_ids]
    gone = [
        e
        for e in enrollments
        if e.status == "cancelled"
        and e.confirmed_at is not None
        and _in(e.cancelled_at, start, end)
    ]
    # Leaving before the group's first session is a withdrawal, not a dropout.
    first_start = data.cohort_first_start
    withdrawn = {
        e.participant_id
        for e in gone
        if e.cohort_id not in first_start or e.cancelled_at < first_start[e.cohort_id]
    }
    left = {e.participant_id for e in gone if e.participant_id not in withdrawn}
    by_cohort: dict[int, list[GroupSession]] = defaultdict(list)
    for s in held_sessions:
        by_cohort[s.cohort_id].append(s)
    marks_by_session: dict[int, dict[int, str]] = defaultdict(dict)
    for a in marks:
        marks_by_session[a.session_id][a.participant_id] = a.status
    for e in enrollments:
        if e.status not in ("confirmed", "completed"):
            continue
        last_two = sorted(by_cohort.get(e.cohort_id, []), key=lambda s: s.start_at)[-2:]
        if len(last_two) == 2 and all(
            marks_by_session[s.id].get(e.participant_id) == "absent" for s in last_two
        ):
            left.add(e.participant_id)

    team = [m for p in data.programmes if p.id in programme_ids for m in p.team]
    professions = Counter(m.profession for m in team)

    waiting = []
    for cohort_id, first in data.cohort_first_start.items():
        cohort = data.cohorts[cohort_id]
        if cohort.programme_id not in programme_ids or not _in(first, start, end):
            continue
        waiting.append(
            sum(
                1
                for e in data.all_enrollments.get(cohort_id, [])
                if e.waitlist_rank is not None
                and e.created_at < first
                and (e.confirmed_at is None or e.confirmed_at >= first)
                and (e.cancelled_at is None or e.cancelled_at >= first)
            )
        )

    referrals = [r for r in data.referrals if r.programme_id in programme_ids]
    first_booking = data.referral_first_bep
    delays = [
        (b.slot.start_at - data.referral_created[b.referral_id]).total_seconds() / 86400
        for b in bookings
        if b.slot.kind == "bep" and b.referral_id in data.referral_created
    ]
    bep_outcomes = [b for b in bookings if b.slot.kind == "bep" and b.outcome]
    attended = [a for a in marks if a.status in ("present", "absent")]
    return {
        "bep_patients": len(bep_first),
        "bep_patients_remote": len({b.participant_id for b in bep_held if b.slot.remote}),
        "oriented_by": dict(Counter(b.oriented_by or "unknown" for b in bep_held)),
        "entered": len(entered),
        "entered_3": len(entered_3),
        "individual_held": len(held),
        "individual_held_remote": sum(1 for b in held if b.slot.remote),
        "collective_held": len(held_sessions),
        "collective_held_remote": sum(
            1 for s in held_sessions if s.site_id is None and s.cohort.site_id is None
        ),
        "mean_participants": (
            round(sum(1 for a in marks if a.status == "present") / len(held_sessions), 2)
            if held_sessions
            else None
        ),
        "sessions_with_carer": len({a.session_id for a in marks if a.carer_present}),
        "completed": sum(
            1 for e in enrollments if e.status == "completed" and _in(e.completed_at, start, end)
        ),
        "final_assessment": len({b.participant_id for b in held if b.slot.kind == "final"}),
        "left": len(left),
        "withdrawn": len(withdrawn),
        "followup": len({b.participant_id for b in held if b.slot.kind == "followup"}),
        "gp_informed": len(
            {b.participant_id for b in bookings if _in(b.gp_informed_at, start, end)}
        ),
        "gp_synthesis": len(
            {b.participant_id for b in bookings if _in(b.gp_synthesis_sent_at, start, end)}
        ),
        "team_professions": dict(sorted(professions.items())),
        "team_trained_share": _rate(sum(1 for m in team if m.etp_training_on), len(team)),
        "waitlist_at_start": round(statistics.mean(waiting), 2) if waiting else None,
        "median_days_to_bep": round(statistics.median(delays), 1) if delays else None,
        "no_show_bep": _rate(
            sum(1 for b in bep_outcomes if b.outcome == "no_show"), len(bep_outcomes)
        ),
        "no_show_collective": _rate(
            sum(1 for a in attended if a.status == "absent"), len(attended)
        ),
        "referrals_issued": len(referrals),
        "referrals_used": sum(1 for r in referrals if r.status == "used"),
        "referrals_followed_60d": _rate(
            sum(
                1
                for r in referrals
                if r.id in first_booking and first_booking[r.id] - r.created_at <= FOLLOWED_WITHIN
            ),
            len(referrals),
        ),
        "_entered_ids": entered,
    }


@dataclass
class _YearData:
    now: datetime
    programmes: list[Programme]
    bookings: list[Booking]
    sessions: list[GroupSession]
    attendances: list[Attendance]
    enrollments: list[Enrollment]
    all_enrollments: dict[int, list[Enrollment]]
    cohorts: dict[int, Cohort]
    cohort_first_start: dict[int, datetime]
    referrals: list[Referral]
    referral_created: dict[int, datetime]
    referral_first_bep: dict[int, datetime]
    # (programme id, participant id) of BEPs held before the year
    bep_before: set[tuple[int, int]] = field(default_factory=set)


def _load(programme_ids: list[int], start: datetime, end: datetime) -> _YearData:
    programmes = list(
        db.session.scalars(
            select(Programme).where(Programme.id.in_(programme_ids)).order_by(Programme.code)
        )
    )
    bookings = list(
        db.session.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Slot.programme_id.in_(programme_ids),
                (Slot.start_at >= start) & (Slot.start_at < end)
                | (Booking.gp_informed_at >= start) & (Booking.gp_informed_at < end)
                | (Booking.gp_synthesis_sent_at >= start) & (Booking.gp_synthesis_sent_at < end),
            )
        )
    )
    in_year = [b for b in bookings if start <= b.slot.start_at < end]
    gp_only = [b for b in bookings if b not in in_year]
    for b in gp_only:  # counted for the GP figures only
        b._gp_only = True
    sessions = list(
        db.session.scalars(
            select(GroupSession)
            .join(Cohort, Cohort.id == GroupSession.cohort_id)
            .where(
                Cohort.programme_id.in_(programme_ids),
                GroupSession.start_at >= start,
                GroupSession.start_at < end,
            )
        )
    )
    session_ids = [s.id for s in sessions] or [-1]
    attendances = list(
        db.session.scalars(select(Attendance).where(Attendance.session_id.in_(session_ids)))
    )
    cohorts = {
        c.id: c
        for c in db.session.scalars(select(Cohort).where(Cohort.programme_id.in_(programme_ids)))
    }
    all_enrollments: dict[int, list[Enrollment]] = defaultdict(list)
    for e in db.session.scalars(
        select(Enrollment).where(Enrollment.cohort_id.in_(list(cohorts) or [-1]))
    ):
        all_enrollments[e.cohort_id].append(e)
    first_start = {}
    for cohort in cohorts.values():
        live = [s.start_at for s in cohort.sessions if s.status != "cancelled"]
        if live:
            first_start[cohort.id] = min(live)
    referrals = list(
        db.session.scalars(
            select(Referral).where(
                Referral.programme_id.in_(programme_ids),
                Referral.created_at >= start,
                Referral.created_at < end,
            )
        )
    )
    referral_created = {
        r.id: r.created_at
        for r in db.session.scalars(
            select(Referral).where(Referral.programme_id.in_(programme_ids))
        )
    }
    first_bep: dict[int, datetime] = {}
    for referral_id, created in db.session.execute(
        select(Booking.referral_id, Booking.created_at)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.referral_id.in_([r.id for r in referrals] or [-1]), Slot.kind == "bep")
    ):
        if referral_id not in first_bep or created < first_bep[referral_id]:
            first_bep[referral_id] = created
    bep_before = set(
        db.session.execute(
            select(Slot.programme_id, Booking.participant_id)
            .join(Booking, Booking.slot_id == Slot.id)
            .where(
                Slot.programme_id.in_(programme_ids),
                Slot.kind == "bep",
                Slot.start_at < start,
                Booking.outcome == "held",
            )
            .distinct()
        ).all()
    )
    return _YearData(
        bep_before={(p, q) for p, q in bep_before},
        now=now(),
        programmes=programmes,
        bookings=in_year + gp_only,
        sessions=sessions,
        attendances=attendances,
        enrollments=[e for rows in all_enrollments.values() for e in rows],
        all_enrollments=all_enrollments,
        cohorts=cohorts,
        cohort_first_start=first_start,
        referrals=referrals,
        referral_created=referral_created,
        referral_first_bep=first_bep,
    )


def compute(
    year: int, programme_ids: list[int] | None = None, departements: set[str] | None = None
) -> Report:
    """All figures for ``year``: per programme and for the territory (these programmes).

    Orientation figures count the logs of ``departements`` (None: the whole platform).
    """
    start, end = _bounds(year)
    if programme_ids is None:
        programme_ids = list(db.session.scalars(select(Programme.id)))
    data = _load(programme_ids, start, end)
    # GP-only rows (booked another year) count only for the GP figures.
    year_data = data
    report = Report(year=year, programmes=data.programmes)
    for programme in data.programmes:
        report.per_programme[programme.id] = _figures_for({programme.id}, year_data, start, end)
    territory = _figures_for(set(programme_ids), year_data, start, end)
    territory["active_programmes"] = sum(
        1 for figures in report.per_programme.values() if figures["_entered_ids"]
    )
    territory.update(_orientation_figures(start, end, departements))
    report.territory = territory
    return report


def _figures_for(ids: set[int], data: _YearData, start: datetime, end: datetime) -> dict:
    in_year = [b for b in data.bookings if not getattr(b, "_gp_only", False)]
    scoped = _YearData(**{**data.__dict__, "bookings": in_year})
    figures = _programme_figures(ids, scoped, start, end)
    gp = [b for b in data.bookings if b.slot.programme_id in ids]
    figures["gp_informed"] = len(
        {b.participant_id for b in gp if _in(b.gp_informed_at, start, end)}
    )
    figures["gp_synthesis"] = len(
        {b.participant_id for b in gp if _in(b.gp_synthesis_sent_at, start, end)}
    )
    return figures


def _orientation_figures(start: datetime, end: datetime, departements=None) -> dict:
    query = select(OrientationLog).where(
        OrientationLog.made_on >= start.date(), OrientationLog.made_on < end.date()
    )
    if departements is not None:
        query = query.where(OrientationLog.departement.in_(sorted(departements) or [""]))
    logs = list(db.session.scalars(query))
    conditions: Counter = Counter()
    for log in logs:
        for code in set(log.condition_codes or []):
            conditions[code] += 1
    unmet = [log for log in logs if log.nothing_nearby]
    unmet_conditions: Counter = Counter()
    unmet_pairs: Counter = Counter()
    for log in unmet:
        for code in set(log.condition_codes or []):
            unmet_conditions[code] += 1
            unmet_pairs[f"{log.departement or 'unknown'} / {code}"] += 1
    return {
        "unmet": len(unmet),
        "unmet_by_departement": dict(
            sorted(Counter(log.departement or "unknown" for log in unmet).items())
        ),
        "unmet_by_condition": dict(sorted(unmet_conditions.items())),
        "unmet_by_departement_condition": dict(sorted(unmet_pairs.items())),
        "orientations": len(logs),
        "orientations_by_channel": dict(sorted(Counter(log.channel for log in logs).items())),
        "orientations_by_condition": dict(sorted(conditions.items())),
        "orientations_by_departement": dict(
            sorted(Counter(log.departement or "unknown" for log in logs).items())
        ),
    }


def format_value(figure: Figure, value) -> str:
    """A value as text: numbers, percentages, "key: n" lists; "–" when not computable."""
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "0"
    if figure.percent:
        return f"{value * 100:.1f} %"
    return str(value)


def rows(report: Report):
    """(scope, programme code, figure, value) for every figure, territory last."""
    for programme in report.programmes:
        values = report.per_programme[programme.id]
        for figure in FIGURES:
            if not figure.territory_only:
                yield "programme", programme.code, figure, values.get(figure.key)
    for figure in FIGURES:
        yield "territory", "", figure, report.territory.get(figure.key)


def to_csv(report: Report) -> str:
    """The whole table as CSV (one line per figure and scope, with its rule).

    Labels are in the page's language, in French outside a request (command line).
    """
    if not has_request_context():
        with force_locale("fr"):
            return to_csv_text(report)
    return to_csv_text(report)


def to_csv_text(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["year", "scope", "programme", "figure", "label", "value", "rule"])
    for scope, code, figure, value in rows(report):
        cells = [
            report.year,
            scope,
            code,
            figure.key,
            str(figure.label),
            format_value(figure, value),
            str(figure.rule),
        ]
        writer.writerow([neutralise_csv_cell(c) for c in cells])
    return buffer.getvalue()


def default_year() -> int:
    """The last full year before today."""
    today: date = now().date()
    return today.year - 1 if today.month < 3 else today.year
