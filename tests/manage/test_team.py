"""A named team (issue 14, point 4): members edited, linked to accounts, chosen as the
facilitators of groups and appointments, counted to publish, and linked by name from
and to the offer file."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Cohort, Facilitator, Slot
from etp_orient.catalogue.models import Programme, TeamMember
from etp_orient.catalogue.offer import export_offer, import_offer
from etp_orient.extensions import db
from tests.fixtures.demo import demo_communes  # noqa: F401  (fixture)
from tests.fixtures.manage import book, login_as, make_participant, make_world
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401


def _world(app, client, role="coordinator"):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users[role])
        return {
            "ines": a.members["educator"].id,
            "paul": a.members["coordinator"].id,
            "educator": a.users["educator"].id,
            "b_member": b.programme.team[0].id,
            "b_coordinator": b.users["coordinator"].email,
            "a_educator_email": a.users["educator"].email,
        }


def _member(member_id) -> TeamMember:
    return db.session.get(TeamMember, member_id)


def test_a_member_is_edited_and_what_they_run_follows(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        from etp_orient.manage.team import set_slot_team

        set_slot_team(slot, [_member(ids["ines"])])
        db.session.commit()
    page = client.get(f"/gestion/programmes/prog-a/equipe/{ids['ines']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Inès"' in html and "educator-a@example.org" in html
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['ines']}",
        data={
            "name": "Inès Martin",
            "profession": "infirmier",
            "etp_training_on": "2024-05-17",
            "account_email": "educator-a@example.org",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        member = _member(ids["ines"])
        assert member.name == "Inès Martin" and str(member.etp_training_on) == "2024-05-17"
        row = db.session.scalar(
            select(Facilitator).where(
                Facilitator.cohort_id.is_not(None), Facilitator.team_member_id == member.id
            )
        )
        assert row.name == "Inès Martin" and row.user_id == ids["educator"]
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        assert slot.professional == "Inès Martin"
        assert slot.professional_user_id == ids["educator"]
    programme_page = client.get("/gestion/programmes/prog-a").get_data(as_text=True)
    assert "Inès Martin" in programme_page and "a un compte" in programme_page


def test_an_unknown_account_is_refused_next_to_the_field(app, client, clock):
    ids = _world(app, client)
    for email, message in (
        ("personne@example.org", "Aucun compte actif"),
        # the coordinator of another structure is not of this programme's team
        (ids["b_coordinator"], "Aucun compte actif"),
        ("pas-une-adresse", "adresse e-mail complète"),
    ):
        response = client.post(
            f"/gestion/programmes/prog-a/equipe/{ids['ines']}",
            data={"name": "Inès Nouveau", "profession": "infirmier", "account_email": email},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in html and 'value="Inès Nouveau"' in html and email in html
    with app.app_context():
        assert _member(ids["ines"]).name == "Inès"  # nothing saved


def test_a_member_is_added_with_an_account(app, client, clock):
    ids = _world(app, client)
    response = client.post(
        "/gestion/programmes/prog-a/equipe",
        data={
            "name": "Sophie Lefebvre",
            "profession": "medecin",
            "account_email": ids["a_educator_email"].upper(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(select(TeamMember).where(TeamMember.name == "Sophie Lefebvre"))
        assert added.user_id == ids["educator"]
    # an account needs a name to be linked to
    response = client.post(
        "/gestion/programmes/prog-a/equipe",
        data={"profession": "pharmacien", "account_email": ids["a_educator_email"]},
    )
    assert response.status_code == 400
    assert "Donnez le nom du membre" in response.get_data(as_text=True)


def test_publishing_counts_named_members(app, client, clock):
    ids = _world(app, client)
    # prog-a is published with Inès (nurse) and Paul (dietitian): neither may lose the name
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['paul']}",
        data={"name": "", "profession": "dieteticien"},
    )
    assert response.status_code == 400
    assert "deux membres nommés" in response.get_data(as_text=True)
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['paul']}",
        data={"name": "Paul", "profession": "infirmier"},  # two nurses: refused too
    )
    assert response.status_code == 400
    client.post(f"/gestion/programmes/prog-a/equipe/{ids['paul']}/retirer")
    with app.app_context():
        assert _member(ids["paul"]) is not None
    # an unnamed pharmacist does not make up for Paul
    client.post("/gestion/programmes/prog-a/equipe", data={"profession": "pharmacien"})
    client.post(f"/gestion/programmes/prog-a/equipe/{ids['paul']}/retirer")
    with app.app_context():
        assert _member(ids["paul"]) is not None
    # a named one does
    client.post(
        "/gestion/programmes/prog-a/equipe", data={"profession": "pharmacien", "name": "Léa"}
    )
    client.post(f"/gestion/programmes/prog-a/equipe/{ids['paul']}/retirer")
    with app.app_context():
        assert _member(ids["paul"]) is None
        programme = db.session.scalar(select(Programme).where(Programme.code == "prog-a"))
        assert programme.status == "published"


def test_another_structures_member_is_not_found(app, client, clock):
    ids = _world(app, client)
    assert client.get(f"/gestion/programmes/prog-a/equipe/{ids['b_member']}").status_code == 404
    assert client.get(f"/gestion/programmes/prog-b/equipe/{ids['b_member']}").status_code == 404
    response = client.post(
        f"/gestion/programmes/prog-b/equipe/{ids['b_member']}",
        data={"name": "Pirate", "profession": "medecin"},
    )
    assert response.status_code == 404


def test_an_educator_may_not_edit_the_team(app, client, clock):
    ids = _world(app, client, role="educator")
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['paul']}",
        data={"name": "Paul", "profession": "medecin"},
    )
    assert response.status_code in (403, 404)
    with app.app_context():
        assert _member(ids["paul"]).profession == "dieteticien"


def test_slots_get_two_facilitators_from_the_team(app, client, clock):
    ids = _world(app, client)
    response = client.post(
        "/gestion/programmes/prog-a/creneaux",
        data={
            "kind": "final",
            "site": "site-a",
            "weekdays": ["3"],  # Thursdays
            "start_time": "09:00",
            "end_time": "10:00",
            "duration": "60",
            "date_from": "2027-01-01",
            "date_to": "2027-01-10",
            "facilitators": [str(ids["paul"]), str(ids["ines"])],
            "action": "create",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        slots = db.session.scalars(
            select(Slot).where(Slot.kind == "final", Slot.programme.has(code="prog-a"))
        ).all()
        assert len(slots) == 1  # Thursday 7 January, 09:00–10:00
        for slot in slots:
            assert [f.name for f in slot.facilitators] == ["Inès", "Paul"]  # the team's order
            assert slot.professional == "Inès, Paul"
            assert {f.team_member_id for f in slot.facilitators} == {ids["ines"], ids["paul"]}
    # the educator (Inès, second here) finds it in the calendar filtered on her
    page = client.get(
        f"/gestion/calendrier?date=2027-01-07&vue=semaine&personne={ids['educator']}"
    ).get_data(as_text=True)
    assert "09:00" in page


def test_a_slot_of_a_second_facilitator_is_refused_when_they_are_busy(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        from etp_orient.manage.team import set_slot_team

        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        set_slot_team(slot, [_member(ids["paul"])])
        # a quarter of an hour into Paul's appointment (the same start would be the
        # same slot, left out of the plan)
        local = slot.local_start + timedelta(minutes=15)
        db.session.commit()
    response = client.post(
        "/gestion/programmes/prog-a/creneaux",
        data={
            "kind": "bep",
            "site": "site-a",
            "weekdays": [str(local.weekday())],
            "start_time": local.strftime("%H:%M"),
            "end_time": (local + timedelta(minutes=45)).strftime("%H:%M"),
            "duration": "45",
            "date_from": local.date().isoformat(),
            "date_to": local.date().isoformat(),
            "facilitators": [str(ids["ines"]), str(ids["paul"])],
            "action": "create",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Paul a déjà un rendez-vous" in html
    assert "tomberaient en même temps" in html
    with app.app_context():
        assert (
            db.session.scalar(
                select(Slot).where(Slot.programme.has(code="prog-a"), Slot.code != "slot-a")
            )
            is None
        )


def test_group_facilitators_are_chosen_from_the_named_team(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        db.session.add(
            TeamMember(
                programme_id=_member(ids["ines"]).programme_id, profession="medecin", position=9
            )
        )
        db.session.commit()
    page = client.get("/gestion/programmes/prog-a/groupes").get_data(as_text=True)
    assert f'value="{ids["ines"]}"' in page and "Inès – Infirmier" in page
    assert "Paul – Diététicien" in page
    assert page.count('name="facilitators"') == 2  # the unnamed doctor is no choice
    response = client.post(
        "/gestion/groupes/grp-a/reglages",
        data={"capacity": "8", "waitlist_enabled": "y", "facilitators": [str(ids["paul"])]},
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert [(f.name, f.team_member_id) for f in cohort.facilitators] == [("Paul", ids["paul"])]
    group = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    assert "<bdi>Paul</bdi> (Diététicien" in group and "<bdi>Inès</bdi>" not in group


def test_the_planning_names_the_group_and_who_runs_it(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        day = cohort.sessions[0].local_start.date()
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        from etp_orient.manage.team import set_slot_team

        set_slot_team(slot, [_member(ids["paul"])])
        book(make_participant("Nadia", "Roche", "nadia@example.org"), slot)
        slot_day = slot.local_start.date()
        db.session.commit()
    page = client.get(f"/gestion/planning?date={day.isoformat()}").get_data(as_text=True)
    assert "grp-a</a>" not in page and "groupe grp-a" not in page
    assert "Groupe du" in page and "Avec :" in page and "Inès" in page
    page = client.get(f"/gestion/planning?date={slot_day.isoformat()}").get_data(as_text=True)
    assert "Paul" in page and "Diététicien" in page


def test_the_offer_file_names_members_and_round_trips(offer_db):  # noqa: F811
    data = sample_offer()
    programme = data["programmes"][0]
    programme["team"] = [
        {"name": "Anne Sage-femme", "profession": "sage-femme", "trained_on": "2023-02-01"},
        {"name": "Paul Diététicien", "profession": "dieteticien"},
        "medecin",
    ]
    data["slots"][0]["professional"] = "anne  SAGE-FEMME, Paul Diététicien"
    data["slots"][1]["professional"] = "Dr Inconnu"  # no member: free text
    data["cohorts"][0]["facilitators"] = ["Paul Diététicien", "Une bénévole"]
    import_offer(data)
    db.session.commit()
    members = {
        m.name: m
        for m in db.session.scalars(select(TeamMember).where(TeamMember.name.is_not(None)))
    }
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    assert [(f.name, f.team_member_id) for f in slot.facilitators] == [
        ("Anne Sage-femme", members["Anne Sage-femme"].id),
        ("Paul Diététicien", members["Paul Diététicien"].id),
    ]
    other = db.session.scalar(select(Slot).where(Slot.professional == "Dr Inconnu"))
    assert other.facilitators == []
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "dg-groupe-decembre"))
    assert [(f.name, f.team_member_id, f.profession) for f in cohort.facilitators] == [
        ("Paul Diététicien", members["Paul Diététicien"].id, "dieteticien"),
        ("Une bénévole", None, None),
    ]
    exported = export_offer()
    team = next(p for p in exported["programmes"] if p["code"] == programme["code"])["team"]
    assert {"name": "Anne Sage-femme", "profession": "sage-femme", "trained_on": "2023-02-01"} in (
        team
    )
    assert "medecin" in team
    slot_out = next(s for s in exported["slots"] if s["code"] == "bep-dg-1")
    assert slot_out["professional"] == "anne  SAGE-FEMME, Paul Diététicien"
    cohort_out = next(c for c in exported["cohorts"] if c["code"] == "dg-groupe-decembre")
    assert cohort_out["facilitators"] == ["Paul Diététicien", "Une bénévole"]
    # the same file again changes nothing
    report = import_offer(exported)
    db.session.commit()
    assert report.slots.updated == 0 and report.cohorts.updated == 0
    assert export_offer() == exported
    # a file that no longer names Anne for the slot unlinks her
    exported["slots"][[s["code"] for s in exported["slots"]].index("bep-dg-1")]["professional"] = (
        "Paul Diététicien"
    )
    import_offer(exported)
    db.session.commit()
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    db.session.refresh(slot)
    assert [f.name for f in slot.facilitators] == ["Paul Diététicien"]


@pytest.mark.usefixtures("demo_communes")
def test_the_demo_links_its_educator_to_her_team_member(runner, app_ctx, clock):
    from etp_orient.accounts.models import User

    result = runner.invoke(args=["seed-demo"], env={"ETP_DEMO_PASSWORD": "une-demo-tranquille"})
    assert result.exit_code == 0, result.output
    claire = db.session.scalar(select(User).where(User.full_name == "Claire Martin"))
    linked = db.session.scalars(select(TeamMember).where(TeamMember.user_id == claire.id)).all()
    assert linked and all(m.name == "Claire Martin" for m in linked)
    # only in the programmes of her structure (the CES of Lille)
    assert {m.programme.code for m in linked} <= {
        p.code for p in db.session.scalars(select(Programme)) if p.code.startswith("ces-lille")
    }
    runs = db.session.scalars(select(Facilitator).where(Facilitator.user_id == claire.id)).all()
    assert runs and {f.team_member_id for f in runs} <= {m.id for m in linked}
    assert any(f.slot_id for f in runs) and any(f.cohort_id for f in runs)
