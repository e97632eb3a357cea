"""The named team's links kept right (issue 14, point 4, after review): facilitators
written before the team had names, members taken out or left without a name, a team
imported without names, and the offer file moving a slot from a member to free text."""

from sqlalchemy import select, text

from etp_orient import create_app
from etp_orient.booking.models import Cohort, Facilitator, Slot
from etp_orient.catalogue.models import Programme, TeamMember
from etp_orient.catalogue.offer import export_offer, import_offer
from etp_orient.extensions import db
from etp_orient.manage.team import set_slot_team
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
            "educator_email": a.users["educator"].email,
        }


def test_an_old_free_name_is_shown_kept_and_taken_away(app, client, clock):
    _world(app, client)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        # written before the team had names (an old file, or a member since taken out)
        db.session.add(Facilitator(cohort=cohort, name="Une bénévole", position=5))
        db.session.commit()
        free_id = db.session.scalar(
            select(Facilitator.id).where(Facilitator.name == "Une bénévole")
        )
    page = client.get("/gestion/groupes/grp-a/reglages").get_data(as_text=True)
    assert "Une bénévole (hors équipe)" in page
    assert f'value="libre-{free_id}" checked' in page
    # kept when left ticked, with a member added
    client.post(
        "/gestion/groupes/grp-a/reglages",
        data={"capacity": "8", "facilitators": [f"libre-{free_id}", "x", "999999"]},
    )
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert [f.name for f in cohort.facilitators] == ["Une bénévole"]
        assert [f.position for f in cohort.facilitators] == [0]
    # taken away when unticked
    client.post("/gestion/groupes/grp-a/reglages", data={"capacity": "8"})
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert cohort.facilitators == []


def test_a_member_taken_out_no_longer_sees_what_they_ran(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        programme = slot.programme
        set_slot_team(slot, [db.session.get(TeamMember, ids["ines"])])
        book(make_participant("Nadia", "Roche", "nadia@example.org"), slot)
        # a named pharmacist, so that Inès may leave a published programme
        programme.team.append(TeamMember(profession="pharmacien", name="Léa", position=9))
        db.session.commit()
    assert client.post(f"/gestion/programmes/prog-a/equipe/{ids['ines']}/retirer").status_code
    with app.app_context():
        assert db.session.get(TeamMember, ids["ines"]) is None
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        rows = list(slot.facilitators) + list(cohort.facilitators)
        assert [r.name for r in rows] == ["Inès", "Inès"]
        assert all(r.team_member_id is None and r.user_id is None for r in rows)
        assert slot.professional == "Inès" and slot.professional_user_id is None
    # her planning no longer names the person
    with app.app_context():
        from etp_orient.accounts.models import User

        login_as(client, db.session.get(User, ids["educator"]))
    planning = client.get("/gestion/planning?vue=semaine").get_data(as_text=True)
    assert "Nadia" not in planning


def test_clearing_a_members_name_unlinks_their_account(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "prog-a"))
        programme.team.append(TeamMember(profession="medecin", name="Léa", position=9))
        db.session.commit()
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['ines']}",
        data={"name": "", "profession": "infirmier"},
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        (row,) = cohort.facilitators
        assert row.name == "Inès" and row.team_member_id is None and row.user_id is None
        assert db.session.get(TeamMember, ids["ines"]).user_id is None


def test_a_team_imported_without_names_can_be_given_names(app, client, clock):
    ids = _world(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "prog-a"))
        for member in programme.team:  # as an old offer file leaves it: professions only
            member.name, member.user_id = None, None
        db.session.commit()
    page = client.get("/gestion/programmes/prog-a").get_data(as_text=True)
    assert "Donnez un nom à chaque membre" in page
    for member_id, name, profession in (
        (ids["ines"], "Inès", "infirmier"),
        (ids["paul"], "Paul", "dieteticien"),
    ):
        response = client.post(
            f"/gestion/programmes/prog-a/equipe/{member_id}",
            data={"name": name, "profession": profession, "etp_training_on": "2024-01-19"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    # and once two are named, taking one name away again is refused
    response = client.post(
        f"/gestion/programmes/prog-a/equipe/{ids['paul']}",
        data={"name": "", "profession": "dieteticien"},
    )
    assert response.status_code == 400


def test_the_offer_file_moves_a_slot_from_a_member_to_free_text(offer_db):  # noqa: F811
    from etp_orient.accounts.models import User

    data = sample_offer()
    data["programmes"][0]["team"] = [
        {"name": "Anne Sage-femme", "profession": "sage-femme"},
        {"name": "Paul Diététicien", "profession": "dieteticien"},
    ]
    data["slots"][0]["professional"] = "Anne Sage-femme"
    import_offer(data)
    db.session.commit()
    anne = db.session.scalar(select(TeamMember).where(TeamMember.name == "Anne Sage-femme"))
    account = User(email="anne@example.org", password_hash="x", full_name="Anne")
    db.session.add(account)
    db.session.flush()
    anne.user_id = account.id
    from etp_orient.manage.team import follow

    follow(anne)
    db.session.commit()
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    assert slot.professional_user_id == account.id
    # a member and a free name: both kept, the member linked
    data["slots"][0]["professional"] = "Anne Sage-femme, Dr Remplaçant"
    import_offer(data)
    db.session.commit()
    db.session.expire_all()
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    assert [(f.name, f.team_member_id) for f in slot.facilitators] == [
        ("Anne Sage-femme", anne.id),
        ("Dr Remplaçant", None),
    ]
    assert slot.professional_user_id == account.id
    exported = export_offer()
    assert import_offer(exported).slots.updated == 0
    db.session.commit()
    # free text only: no link, no account
    data["slots"][0]["professional"] = "Dr Remplaçant"
    import_offer(data)
    db.session.commit()
    db.session.expire_all()
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    assert slot.facilitators == [] and slot.professional_user_id is None
    # a member again, then no professional at all
    data["slots"][0]["professional"] = "Anne Sage-femme"
    import_offer(data)
    del data["slots"][0]["professional"]
    import_offer(data)
    db.session.commit()
    db.session.expire_all()
    slot = db.session.scalar(select(Slot).where(Slot.code == "bep-dg-1"))
    assert slot.professional is None and slot.facilitators == []
    assert slot.professional_user_id is None


def test_the_migration_links_facilitators_written_before(tmp_path):
    """Rows written by the old back office (from staff accounts) or an old import are
    linked to the member with that account, else that name."""
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}",
            "SECRET_KEY": "x",
            "MAIL_SERVER": None,
        }
    )
    with app.app_context():
        upgrade(revision="f6a6b6c6d6e6")
        run = db.session.execute
        # the tables other than facilitators are as the models say at that revision
        from etp_orient.accounts.models import User

        db.session.add(
            User(id=7, email="ines@example.org", password_hash="x", full_name="Inès Martin")
        )
        programme = Programme(id=1, code="p", title="P", formats=["presentiel"], status="draft")
        programme.team = [
            TeamMember(id=1, profession="infirmier", name="Inès", user_id=7, position=0),
            TeamMember(id=2, profession="dieteticien", name="Paul Roux", position=1),
        ]
        db.session.add(programme)
        db.session.add(Cohort(id=1, code="g", programme=programme, format="distanciel", capacity=8))
        db.session.flush()
        run(text("INSERT INTO facilitators (id, cohort_id, user_id, name, profession, position) "
                 "VALUES (1, 1, 7, 'Inès Martin', NULL, 0), (2, 1, NULL, 'paul  ROUX', NULL, 1), "
                 "(3, 1, NULL, 'Une bénévole', NULL, 2)"))  # fmt: skip
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text(
                "SELECT id, team_member_id, name, profession, user_id FROM facilitators ORDER BY id"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (1, 1, "Inès", "infirmier", 7),
            (2, 2, "Paul Roux", "dieteticien", None),
            (3, None, "Une bénévole", None, None),
        ]
        db.session.remove()
        db.engine.dispose()


def test_who_receives_is_changed_after_the_slot_is_made(app, client, clock):
    ids = _world(app, client)
    page = client.get("/gestion/creneaux/slot-a/equipe")
    assert page.status_code == 200 and "Inès – Infirmier" in page.get_data(as_text=True)
    response = client.post(
        "/gestion/creneaux/slot-a/equipe",
        data={"facilitators": [str(ids["paul"])], "professional": "Dr Autre"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "pas les deux" in html and 'value="Dr Autre"' in html
    response = client.post(
        "/gestion/creneaux/slot-a/equipe",
        data={"facilitators": [str(ids["paul"]), str(ids["ines"])]},
    )
    assert response.status_code == 302
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        assert slot.professional == "Inès, Paul" and slot.professional_user_id == ids["educator"]
    # free text again: the links go
    client.post("/gestion/creneaux/slot-a/equipe", data={"professional": "Dr Autre"})
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        assert slot.professional == "Dr Autre" and slot.facilitators == []
        assert slot.professional_user_id is None
    # another structure's slot
    assert client.get("/gestion/creneaux/slot-b/equipe").status_code == 404
