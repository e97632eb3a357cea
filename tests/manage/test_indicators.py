"""The yearly figures, checked against a fixture year counted by hand.

Year 2026, computed on 10 January 2027. Programme P1 holds everything below;
programme P2 has nothing (it must show zeros and not be "active").

People: p1 (BEP held, 3 workshops, final, follow-up: completes), p2 (remote BEP held,
1 workshop then absent twice: "left"), p3 (BEP no-show), p4 (BEP in 2025, GP informed
in 2026), p5 (no BEP, 1 workshop, left the cohort), p6 (waiting list only), p7 (had a
place, left before the group's first session: a withdrawal, not a dropout).
Programme P3: p8 (BEP held in December 2025, final assessment in January 2026: entered in
2026, so P3 is active); p9 (a follow-up in February, then a BEP in May: not entered). Orientation logs in 2026: four in département 16 (the structure's
site; one found only a remote programme: unmet demand; one asked for remote only and found
nothing: not unmet on site), one in 59 that found nothing (unmet), one without a commune
written before the flag existed (unknown); one more in 2025.
"""

from datetime import UTC, date, datetime

import pytest

from etp_orient.booking.models import (
    Attendance,
    Booking,
    Cohort,
    Enrollment,
    GroupSession,
    Slot,
)
from etp_orient.catalogue.models import Programme, Site, Structure, TeamMember, Workshop
from etp_orient.extensions import db
from etp_orient.manage import indicators
from etp_orient.orientation.models import OrientationLog, Referral
from tests.fixtures.manage import ensure_commune, make_participant


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=UTC)


def _world():
    ensure_commune("16015")
    structure = Structure(code="s-ind", name="S", kind="cpts")
    site = Site(
        code="site-ind", structure=structure, name="Site", commune_insee="16015", lat=1, lon=1
    )
    p1 = Programme(code="p1", title="P1", formats=["presentiel"], completion_min_workshops=3)
    p2 = Programme(code="p2", title="P2", formats=["presentiel"])
    for p in (p1, p2):
        p.structures.append(structure)
    ws = [Workshop(code=f"w{i}", title=f"W{i}", position=i) for i in range(3)]
    p1.workshops.extend(ws)
    p2.workshops.append(Workshop(code="x", title="X", position=1))
    p1.team.append(TeamMember(profession="infirmier", etp_training_on=date(2020, 1, 1)))
    p1.team.append(TeamMember(profession="dieteticien"))
    db.session.add_all([structure, site, p1, p2])
    db.session.flush()
    people = {
        k: make_participant(k, "X", f"{k}@example.org")
        for k in ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9")
    }

    def slot(code, kind, start, remote=None):
        row = Slot(
            code=code,
            programme=p1,
            kind=kind,
            site=None if remote else site,
            remote=remote,
            start_at=start,
            end_at=start.replace(hour=start.hour + 1),
            timezone="Europe/Paris",
        )
        db.session.add(row)
        return row

    r1 = Referral(
        code="r1",
        programme=p1,
        status="used",
        expires_at=at(2026, 6, 1),
        created_at=at(2026, 2, 1, 0),
    )
    r2 = Referral(
        code="r2",
        programme=p1,
        status="issued",
        expires_at=at(2026, 8, 1),
        created_at=at(2026, 5, 1),
    )
    r3 = Referral(
        code="r3",
        programme=p1,
        status="issued",
        expires_at=at(2025, 8, 1),
        created_at=at(2025, 5, 1),
    )
    db.session.add_all([r1, r2, r3])
    db.session.flush()

    def booking(person, row, outcome, **extra):
        db.session.add(
            Booking(
                participant=people[person], slot=row, status="confirmed", outcome=outcome, **extra
            )
        )

    booking(
        "p1",
        slot("s1", "bep", at(2026, 3, 1, 0)),
        "held",
        oriented_by="professional",
        referral_id=r1.id,
        created_at=at(2026, 2, 10),
        gp_informed_at=at(2026, 3, 5),
        gp_synthesis_sent_at=at(2026, 6, 10),
    )
    booking("p2", slot("s2", "bep", at(2026, 3, 2), remote="phone"), "held", oriented_by="self")
    booking("p3", slot("s3", "bep", at(2026, 3, 3)), "no_show")
    booking("p4", slot("s4", "bep", at(2025, 12, 1)), "held", gp_informed_at=at(2026, 1, 5))
    booking("p1", slot("f1", "final", at(2026, 6, 1)), "held")
    booking("p1", slot("u1", "followup", at(2026, 12, 1)), "held")

    c1 = Cohort(code="c1", programme=p1, site=site, capacity=5, seats_taken=2)
    c2 = Cohort(code="c2", programme=p1, site=site, capacity=5)
    db.session.add_all([c1, c2])
    sessions = []
    for i, day in enumerate((1, 8, 15)):
        s = GroupSession(
            code=f"c1-{i}",
            cohort=c1,
            workshop=ws[i],
            start_at=at(2026, 4, day),
            end_at=at(2026, 4, day, 11),
        )
        sessions.append(s)
    cancelled = GroupSession(
        code="c2-0",
        cohort=c2,
        workshop=ws[0],
        start_at=at(2026, 5, 1),
        end_at=at(2026, 5, 1, 11),
        status="cancelled",
    )
    future = GroupSession(
        code="c2-1", cohort=c2, workshop=ws[1], start_at=at(2027, 2, 1), end_at=at(2027, 2, 1, 11)
    )
    db.session.add_all([*sessions, cancelled, future])
    db.session.add_all(
        [
            Enrollment(
                participant=people["p1"],
                cohort=c1,
                status="completed",
                confirmed_at=at(2026, 3, 1),
                completed_at=at(2026, 6, 2),
                created_at=at(2026, 3, 1),
            ),
            Enrollment(
                participant=people["p2"],
                cohort=c1,
                status="confirmed",
                confirmed_at=at(2026, 3, 2),
                created_at=at(2026, 3, 2),
            ),
            Enrollment(
                participant=people["p5"],
                cohort=c1,
                status="cancelled",
                confirmed_at=at(2026, 3, 3),
                cancelled_at=at(2026, 4, 10),
                created_at=at(2026, 3, 3),
            ),
            Enrollment(
                participant=people["p7"],
                cohort=c1,
                status="cancelled",
                confirmed_at=at(2026, 3, 5),
                cancelled_at=at(2026, 3, 20),  # c1 starts on 1 April
                created_at=at(2026, 3, 5),
            ),
            Enrollment(
                participant=people["p6"],
                cohort=c1,
                status="waitlisted",
                waitlist_rank=1,
                created_at=at(2026, 3, 15),
            ),
        ]
    )
    db.session.flush()
    marks = [
        (0, "p1", "present", True),
        (0, "p2", "present", False),
        (0, "p5", "present", False),
        (1, "p1", "present", False),
        (1, "p2", "absent", False),
        (1, "p5", "absent", False),
        (2, "p1", "present", False),
        (2, "p2", "absent", False),
    ]
    for index, person, status, carer in marks:
        db.session.add(
            Attendance(
                session=sessions[index],
                participant=people[person],
                status=status,
                carer_present=carer,
            )
        )
    db.session.add_all(
        [
            OrientationLog(
                made_on=date(2026, 2, 1),
                condition_codes=["diabete-type-2"],
                departement="16",
                channel="patient",
                result_count=2,
                nothing_nearby=False,
            ),
            OrientationLog(
                made_on=date(2026, 3, 1),
                condition_codes=["diabete-type-2", "hypertension"],
                departement="16",
                channel="professional",
                result_count=1,
                nothing_nearby=False,
            ),
            OrientationLog(
                made_on=date(2026, 9, 1),
                condition_codes=["bpco"],
                departement=None,
                channel="professional",
                result_count=0,
                # written before the flag was recorded: not known, not counted as unmet
                nothing_nearby=None,
            ),
            OrientationLog(
                made_on=date(2025, 9, 1),
                condition_codes=["bpco"],
                departement="59",
                channel="api",
                result_count=0,
                nothing_nearby=True,  # 2025: out of the year
            ),
            # Unmet demand: only a remote programme was shown (nothing on site)
            OrientationLog(
                made_on=date(2026, 5, 1),
                condition_codes=["hypertension"],
                departement="16",
                channel="patient",
                result_count=1,
                nothing_nearby=True,
            ),
            OrientationLog(
                made_on=date(2026, 10, 1),
                condition_codes=["bpco", "hypertension"],
                departement="59",
                channel="api",
                result_count=0,
                nothing_nearby=True,
            ),
            # a search for remote programmes only that found none: not unmet demand on site
            OrientationLog(
                made_on=date(2026, 11, 1),
                condition_codes=["diabete-type-2"],
                departement="16",
                channel="professional",
                result_count=0,
                nothing_nearby=False,
            ),
        ]
    )
    p3 = Programme(code="p3", title="P3", formats=["presentiel"])
    p3.structures.append(structure)
    db.session.add(p3)
    for code, kind, start, person in (
        ("p3-bep", "bep", at(2025, 12, 10), "p8"),
        ("p3-fin", "final", at(2026, 1, 20), "p8"),
        # p9: a follow-up before their BEP does not make them enter the programme
        ("p3-sui", "followup", at(2026, 2, 1), "p9"),
        ("p3-bep2", "bep", at(2026, 5, 1), "p9"),
    ):
        row = Slot(
            code=code,
            programme=p3,
            kind=kind,
            site=site,
            start_at=start,
            end_at=start.replace(hour=10),
            timezone="Europe/Paris",
        )
        db.session.add(
            Booking(participant=people[person], slot=row, status="confirmed", outcome="held")
        )
    db.session.commit()
    return p1, p2


EXPECTED_P1 = {
    "bep_patients": 2,  # p1, p2 (p3 no-show, p4 in 2025)
    "bep_patients_remote": 1,  # p2 by phone
    "oriented_by": {"professional": 1, "self": 1},
    "entered": 2,  # p1 (5 sessions), p2 (1 presence)
    "entered_3": 1,  # p1
    "individual_held": 4,  # s1, s2, final, follow-up
    "individual_held_remote": 1,
    "collective_held": 3,  # c1's three; c2's cancelled and 2027 ones are out
    "collective_held_remote": 0,
    "mean_participants": 1.67,  # 5 presences / 3 sessions
    "sessions_with_carer": 1,
    "completed": 1,
    "final_assessment": 1,
    "left": 2,  # p5 left the cohort, p2 absent at the last two sessions
    "withdrawn": 1,  # p7 left before the first session: not a dropout
    "followup": 1,
    "gp_informed": 2,  # p1 (2026-03-05), p4 (2026-01-05, BEP in 2025)
    "gp_synthesis": 1,
    "team_professions": {"dieteticien": 1, "infirmier": 1},
    "team_trained_share": 0.5,
    "waitlist_at_start": 1.0,  # p6 waiting when c1 started; c2 starts in 2027
    "median_days_to_bep": 28.0,  # r1 on 1 Feb → BEP on 1 Mar
    "no_show_bep": 0.3333,  # 1 of s1, s2, s3
    "no_show_collective": 0.375,  # 3 absent / (5 present + 3 absent)
    "referrals_issued": 2,  # r1, r2 (r3 in 2025)
    "referrals_used": 1,
    "referrals_followed_60d": 0.5,  # r1 booked 9 days after
}


@pytest.fixture
def report(app_ctx, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    p1, p2 = _world()
    return indicators.compute(2026), p1, p2


@pytest.mark.parametrize(("key", "expected"), EXPECTED_P1.items())
def test_programme_figure(report, key, expected):
    result, p1, _p2 = report
    assert result.per_programme[p1.id][key] == expected


def test_territory_orientation_figures(report):
    result, _p1, _p2 = report
    territory = result.territory
    assert territory["orientations"] == 6  # the 2026 rows, every département
    assert territory["orientations_by_channel"] == {"api": 1, "patient": 2, "professional": 3}
    assert territory["orientations_by_condition"] == {
        "bpco": 2,
        "diabete-type-2": 3,
        "hypertension": 3,
    }
    assert territory["orientations_by_departement"] == {"16": 4, "59": 1, "unknown": 1}
    assert territory["active_programmes"] == 2  # P1 and P3 (BEP in 2025); P2 had no one


def test_unmet_demand_by_departement_and_condition(report):
    result, _p1, _p2 = report
    territory = result.territory
    # 1 May (16, remote only shown) and 1 October (59, nothing): the rows flagged in 2026
    assert territory["unmet"] == 2
    assert territory["unmet_by_departement"] == {"16": 1, "59": 1}
    assert territory["unmet_by_condition"] == {"bpco": 1, "hypertension": 2}
    assert territory["unmet_by_departement_condition"] == {
        "16 / hypertension": 1,
        "59 / bpco": 1,
        "59 / hypertension": 1,
    }


def test_territory_adds_up_the_programmes(report):
    result, p1, p2 = report
    assert result.per_programme[p2.id]["bep_patients"] == 0
    assert result.territory["bep_patients"] == 3  # p1, p2 in P1; p9 in P3
    assert result.territory["collective_held"] == 3


def test_csv_has_every_figure_with_its_rule(report):
    result, _p1, _p2 = report
    text = indicators.to_csv(result)
    lines = text.strip().split("\r\n")
    assert lines[0] == "year,scope,programme,figure,label,value,rule"
    assert any(
        line.startswith("2026,programme,p1,no_show_bep,") and "33.3 %" in line for line in lines
    )
    territory = [line for line in lines if ",territory," in line]
    assert len(territory) == len(indicators.FIGURES)


def test_a_bep_held_the_year_before_then_a_session_enters_the_programme(report):
    result, _p1, _p2 = report
    p3 = next(p for p in result.programmes if p.code == "p3")
    figures = result.per_programme[p3.id]
    assert figures["bep_patients"] == 1  # p9 (p8's BEP was in 2025)
    assert figures["entered"] == 1  # p8; p9's only session came before their BEP
    assert figures["individual_held"] == 3  # p8's final, p9's follow-up and BEP
    assert figures["withdrawn"] == 0 and figures["left"] == 0


def test_orientations_of_the_structures_departement_only(report):
    from etp_orient.catalogue.models import Structure
    from etp_orient.manage.scope import departements
    from tests.fixtures.manage import make_user

    structure = db.session.scalar(db.select(Structure).where(Structure.code == "s-ind"))
    coordinator = make_user("coord-ind@example.org", roles=[("coordinator", structure)])
    assert departements(coordinator) == {"16"}
    scoped = indicators.compute(2026, None, departements(coordinator)).territory
    assert scoped["orientations"] == 4
    assert scoped["orientations_by_departement"] == {"16": 4}
    assert scoped["unmet"] == 1
    assert scoped["unmet_by_departement_condition"] == {"16 / hypertension": 1}
    admin = make_user("admin-ind@example.org", is_admin=True)
    assert departements(admin) is None
