"""English and Arabic versions of programmes, workshops and sites, from the back office."""

from sqlalchemy import select

from etp_orient.catalogue.models import Programme, Site
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world


def _coordinator(app, client):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
        return a.programme.code


def _programme(code):
    return db.session.scalar(select(Programme).where(Programme.code == code))


def test_programme_translations_are_saved_and_shown_back(app, client, clock):
    code = _coordinator(app, client)
    response = client.post(
        f"/gestion/programmes/{code}",
        data={
            "title": "Vivre avec son diabète",
            "formats": ["presentiel"],
            "title_en": "  Living with diabetes ",
            "summary_plain_en": "Two lines\nof summary.",
            "plain_title_ar": "العيش مع السكري",
            "title_ar": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert _programme(code).translations == {
            "en": {"title": "Living with diabetes", "summary_plain": "Two lines\nof summary."},
            "ar": {"plain_title": "العيش مع السكري"},
        }
    page = client.get(f"/gestion/programmes/{code}").get_data(as_text=True)
    assert 'value="Living with diabetes"' in page
    assert 'lang="ar"' in page and 'value="العيش مع السكري"' in page


def test_emptying_every_translation_stores_none(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        _programme(code).translations = {"en": {"title": "Old"}}
        db.session.commit()
    client.post(f"/gestion/programmes/{code}", data={"title": "T", "formats": ["mixte"]})
    with app.app_context():
        assert _programme(code).translations is None


def test_a_too_long_or_two_line_translation_is_refused_with_what_was_typed(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        before = _programme(code).title
    response = client.post(
        f"/gestion/programmes/{code}",
        data={
            "title": "Titre changé",
            "formats": ["presentiel"],
            "title_en": "x" * 201,
            "plain_title_ar": "سطر\nسطر",
            "summary_plain_en": "Kept as typed",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "200 caractères au plus" in page
    assert "une seule ligne" in page
    assert "Kept as typed" in page
    with app.app_context():  # nothing half-saved
        programme = _programme(code)
        assert (programme.title, programme.translations) == (before, None)


def test_the_messages_are_in_the_readers_language(app, client, clock):
    code = _coordinator(app, client)
    response = client.post(
        f"/gestion/programmes/{code}?lang=en",
        data={"title": "T", "formats": ["presentiel"], "title_en": "x" * 201},
    )
    assert "200 characters at most" in response.get_data(as_text=True)


def test_workshop_translations(app, client, clock):
    code = _coordinator(app, client)
    with app.app_context():
        workshop_id = _programme(code).workshops[0].id
    url = f"/gestion/programmes/{code}/ateliers/{workshop_id}"
    response = client.post(
        url,
        data={"title": "Manger", "title_en": "Eating", "summary_plain_ar": "نأكل معا"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert _programme(code).workshops[0].translations == {
            "en": {"title": "Eating"},
            "ar": {"summary_plain": "نأكل معا"},
        }
    assert 'value="Eating"' in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"title": "Manger", "summary_plain_en": "y" * 1001})
    assert bad.status_code == 200 and "1000 caractères au plus" in bad.get_data(as_text=True)
    with app.app_context():
        assert _programme(code).workshops[0].translations["en"] == {"title": "Eating"}


def test_site_translations(app, client, clock):
    _coordinator(app, client)
    response = client.post(
        "/gestion/sites/site-a",
        data={
            "name": "Salle de la CPTS",
            "address": "12 rue des Lilas",
            "commune_insee": "16015",
            "timezone": "Europe/Paris",
            "name_en": "CPTS meeting room",
            "transport_ar": "الحافلة رقم 3",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "site-a"))
        assert site.translations == {
            "en": {"name": "CPTS meeting room"},
            "ar": {"transport": "الحافلة رقم 3"},
        }
        assert site.address_line.startswith("12 rue des Lilas, 16")
    bad = client.post(
        "/gestion/sites/site-a",
        data={
            "name": "Salle",
            "commune_insee": "16015",
            "timezone": "Europe/Paris",
            "transport_en": "bus\x1b",
        },
    )
    assert bad.status_code == 200 and "caractère invisible" in bad.get_data(as_text=True)
