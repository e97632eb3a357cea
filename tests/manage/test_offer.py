"""Programmes and sites from the back office."""

from sqlalchemy import select

from etp_orient.catalogue.models import Programme, Site
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.geo.models import Commune
from tests.fixtures.manage import login_as, make_world


def _coordinator(app, client):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
        return a.programme.code


def test_publishing_needs_two_professions(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        programme.status = "draft"
        programme.team[1].profession = "infirmier"  # both nurses now
        db.session.commit()
    client.post(f"/gestion/programmes/{code}/statut", data={"status": "published"})
    with app.app_context():
        assert db.session.scalar(select(Programme.status).where(Programme.code == code)) == "draft"
    # a profession without a person behind it does not count
    client.post(f"/gestion/programmes/{code}/equipe", data={"profession": "Dieteticien"})
    client.post(f"/gestion/programmes/{code}/statut", data={"status": "published"})
    with app.app_context():
        assert db.session.scalar(select(Programme.status).where(Programme.code == code)) == "draft"
    client.post(
        f"/gestion/programmes/{code}/equipe",
        data={"profession": "Dieteticien", "name": "Karim Benali"},
    )
    client.post(f"/gestion/programmes/{code}/statut", data={"status": "published"})
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.status == "published"
        assert "dieteticien" in programme.professions


def test_edit_programme_audience_and_formats(app, client, clock):
    code = _coordinator(app, client)
    response = client.post(
        f"/gestion/programmes/{code}",
        data={
            "title": "Nouveau titre",
            "age_min": "18",
            "age_max": "99",
            "pregnancy": "excluded",
            "formats": ["presentiel", "distanciel"],
            "sites": ["site-a"],
            "completion_min_workshops": "3",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.title == "Nouveau titre"
        assert programme.formats == ["presentiel", "distanciel"]
        assert (programme.age_min, programme.age_max, programme.pregnancy) == (18, 99, "excluded")
        assert programme.completion_min_workshops == 3
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.update"))


def test_bad_age_range_keeps_what_was_typed(app, client, clock):
    code = _coordinator(app, client)
    response = client.post(
        f"/gestion/programmes/{code}",
        data={"title": "Titre gardé", "age_min": "60", "age_max": "20", "formats": ["mixte"]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "plus grand" in page and 'value="Titre gardé"' in page


def test_add_workshop_at_the_end(app, client, clock):
    code = _coordinator(app, client)
    client.post(
        f"/gestion/programmes/{code}/ateliers",
        data={"code": "stress", "title": "Gérer le stress", "duration_min": "90"},
    )
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert [w.code for w in programme.workshops][-1] == "stress"


def test_create_site_uses_commune_centre(app, client, clock):
    _coordinator(app, client)
    response = client.post(
        "/gestion/sites/nouveau",
        data={
            "structure": "struct-a",
            "code": "site-neuf",
            "name": "Salle des fêtes",
            "commune_insee": "16015",
            "timezone": "Europe/Paris",
            "step_free_access": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "site-neuf"))
        commune = db.session.get(Commune, "16015")
        assert (site.lat, site.lon) == (commune.lat, commune.lon)
        assert site.step_free_access is True


def test_site_in_a_structure_not_mine_is_refused(app, client, clock):
    _coordinator(app, client)
    response = client.post(
        "/gestion/sites/nouveau",
        data={
            "structure": "struct-b",
            "code": "x-site",
            "name": "X",
            "commune_insee": "16015",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 404


def test_educator_cannot_edit_a_programme(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["educator"])
    response = client.post("/gestion/programmes/prog-a", data={"title": "x", "formats": ["mixte"]})
    assert response.status_code == 403


def test_reorder_and_remove_workshops(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        ids = {w.code: w.id for w in programme.workshops}
        unused = programme.workshops[0].__class__(code="libre", title="Libre", position=9)
        programme.workshops.append(unused)
        db.session.commit()
        ids["libre"] = unused.id
    client.post(
        f"/gestion/programmes/{code}/ateliers/{ids['traitement']}/ordre", data={"direction": "up"}
    )
    client.post(f"/gestion/programmes/{code}/ateliers/{ids['alim']}/retirer")  # used: stays
    client.post(f"/gestion/programmes/{code}/ateliers/{ids['libre']}/retirer")
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert [w.code for w in programme.workshops] == ["alim", "traitement", "bouger"]


def test_edit_a_workshop(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        workshop_id = programme.workshops[0].id
    assert client.get(f"/gestion/programmes/{code}/ateliers/{workshop_id}").status_code == 200
    client.post(
        f"/gestion/programmes/{code}/ateliers/{workshop_id}",
        data={"title": "Manger avec plaisir", "duration_min": "150"},
    )
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert (programme.workshops[0].title, programme.workshops[0].duration_min) == (
            "Manger avec plaisir",
            150,
        )


def test_languages_distance_and_contact_of_a_programme(app, client, clock):
    code = _coordinator(app, client)
    form = client.get(f"/gestion/programmes/{code}?lang=en").get_data(as_text=True)
    assert ">Arabic<" in form and ">French Sign Language (LSF)<" in form
    response = client.post(
        f"/gestion/programmes/{code}",
        data={
            "title": "Titre",
            "formats": ["presentiel"],
            "sites": ["site-a"],
            "languages": ["fr", "ar"],
            "catchment_km": "7.5",
            "contact_email": " equipe@cpts.example ",
            "contact_phone": "05 45 00 00 00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.languages == ["fr", "ar"] and programme.catchment_km == 7.5
        assert programme.contact_email == "equipe@cpts.example"
    page = client.get(f"/programmes/{code}?lang=fr").get_data(as_text=True)
    assert "Séances en : français, arabe." in page
    page = client.get(f"/programmes/{code}?lang=en").get_data(as_text=True)
    assert "French, Arabic" in page


def test_a_bad_contact_is_refused_with_what_was_typed(app, client, clock):
    code = _coordinator(app, client)
    response = client.post(
        f"/gestion/programmes/{code}",
        data={
            "title": "Titre",
            "formats": ["presentiel"],
            "catchment_km": "5000",
            "contact_email": "equipe@",
            "contact_phone": "123",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "par exemple nom@exemple.fr" in page and 'value="equipe@"' in page
    assert "par exemple 05 45 00 00 00" in page and 'value="123"' in page
    assert "5000" in page
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.title != "Titre"


def test_a_contact_phone_from_the_offer_file_is_kept_as_it_is(app, client, clock):
    # the offer file may give a short number; saving other fields must not be blocked
    code = _coordinator(app, client)
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        programme.contact_phone = "3939"
        db.session.commit()
    data = {"title": "Titre", "formats": ["presentiel"], "contact_phone": "3939"}
    assert client.post(f"/gestion/programmes/{code}", data=data).status_code == 302
    data["contact_phone"] = "3940"  # a number typed here must be a full one
    assert client.post(f"/gestion/programmes/{code}", data=data).status_code == 200


def test_group_access_is_edited_in_the_back_office(app, client, clock):
    code = _coordinator(app, client)
    page = client.get(f"/gestion/programmes/{code}").get_data(as_text=True)
    assert 'name="group_access"' in page
    response = client.post(
        f"/gestion/programmes/{code}",
        data={"title": "Titre", "formats": ["presentiel"], "group_access": "after_bep"},
    )
    assert response.status_code == 302
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.group_access == "after_bep"
    response = client.post(
        f"/gestion/programmes/{code}",
        data={"title": "Titre", "formats": ["presentiel"], "group_access": "closed"},
    )
    assert response.status_code == 200
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        assert programme.group_access == "after_bep"


def test_carte_is_refused_as_a_new_programme_code(app, client, clock):
    _coordinator(app, client)
    response = client.post(
        "/gestion/programmes/nouveau",
        data={"structure": "struct-a", "code": "carte", "title": "Un titre"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "réservé" in page and 'value="Un titre"' in page
    with app.app_context():
        assert db.session.scalar(select(Programme).where(Programme.code == "carte")) is None
