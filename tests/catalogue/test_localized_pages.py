"""The offer in the reader's language: the coordinator's translation, else the French
marked "in French" with lang="fr"; sites with street, postal code and town; results that
share a title told apart by their structure and town."""

import re

from sqlalchemy import select

from etp_orient.catalogue.localize import localized
from etp_orient.catalogue.models import Programme, Site
from etp_orient.extensions import db
from tests.fixtures.orientation_offer import offer  # noqa: F401

EN = {"title": "Diabetes and pregnancy", "plain_title": "Diabetes while pregnant"}
AR = {"plain_title": "السكري أثناء الحمل", "summary_plain": "مواعيد وورشات جماعية."}


def _translate(offer):  # noqa: F811
    programme = offer["programmes"]["dg-angouleme"]
    programme.translations = {"en": EN, "ar": AR}
    programme.workshops[0].translations = {"en": {"title": "Eating well"}}
    site = offer["sites"]["angouleme-ch"]
    site.translations = {"ar": {"name": "مستشفى جيراك"}, "en": {"transport": "Bus line 5"}}
    db.session.commit()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_french_page_shows_the_french_without_a_mark(offer, client):  # noqa: F811
    _translate(offer)
    page = client.get("/programmes/dg-angouleme?lang=fr").get_data(as_text=True)
    assert "<h1>Diabète et grossesse</h1>" in page
    assert "lang-mark" not in page and "Diabetes" not in page


def test_english_page_shows_the_translation_and_marks_the_french(offer, client):  # noqa: F811
    _translate(offer)
    page = client.get("/programmes/dg-angouleme?lang=en").get_data(as_text=True)
    assert "<h1>Diabetes while pregnant</h1>" in page
    assert '<p class="hint">Diabetes and pregnancy</p>' in page
    assert "<title>Diabetes while pregnant" in page
    # no English summary: the French one, in lang="fr", marked
    assert (
        '<span lang="fr">Des rendez-vous et des ateliers en groupe pour mieux vivre au '
        'quotidien.</span> <span class="lang-mark">(in French)</span>'
    ) in page
    assert "Eating well" in page
    assert '<span lang="fr">Bouger plus</span> <span class="lang-mark">(in French)</span>' in page
    assert "Bus line 5" in page


def test_arabic_page_marks_the_french_left_to_right(offer, client):  # noqa: F811
    _translate(offer)
    page = client.get("/programmes/dg-angouleme?lang=ar").get_data(as_text=True)
    assert "<h1>السكري أثناء الحمل</h1>" in page
    assert "مواعيد وورشات جماعية." in page
    assert "مستشفى جيراك" in page
    # the declared title has no Arabic version
    assert '<span lang="fr" dir="ltr">Diabète et grossesse</span>' in page
    mark = re.search(r'<span class="lang-mark">([^<]+)</span>', page).group(1)
    assert mark != "(en français)" and mark != "(in French)"


def test_a_site_shows_its_street_postal_code_and_town(offer, client):  # noqa: F811
    text = _text(client.get("/programmes/dg-angouleme").get_data(as_text=True))
    assert "1 rue de la Santé, 16000 Angoulême" in text
    assert "1 rue de la Santé, 16710 Saint-Yrieix-sur-Charente" in text


def test_the_booking_page_uses_the_translation(offer, client):  # noqa: F811
    _translate(offer)
    page = client.get("/rdv/bep-dg-angouleme-1?lang=en").get_data(as_text=True)
    assert "Diabetes while pregnant" in page
    assert "1 rue de la Santé, 16000 Angoulême" in _text(page)


# one language per test: the test client's requests share the fixture's app context,
# where Flask-Babel keeps the first request's locale


def test_the_slots_page_uses_the_translation(offer, client):  # noqa: F811
    _translate(offer)
    slots = client.get("/programmes/dg-angouleme/rdv?lang=ar").get_data(as_text=True)
    assert "السكري أثناء الحمل" in slots


def test_the_group_page_marks_the_french(offer, client):  # noqa: F811
    group = client.get("/groupes/groupe-dt2-lille-janvier?lang=en").get_data(as_text=True)
    assert '<span lang="fr">Vivre avec un diabète de type 2</span>' in group
    assert '<span lang="fr">Bien manger</span>' in group
    assert "1 rue de la Santé, 59000 Lille" in _text(group)


def test_orientation_results_use_the_translation(offer, client):  # noqa: F811
    _translate(offer)
    page = client.get("/orientation/resultats?q=diabete+grossesse&commune=16000&lang=en").get_data(
        as_text=True
    )
    assert 'data-title="Diabetes while pregnant"' in page
    assert ">Diabetes while pregnant</a>" in page


def test_results_with_the_same_title_show_structure_and_town(offer, client):  # noqa: F811
    for code in ("dt2-lille", "dt2-douai"):
        offer["programmes"][code].plain_title = "Vivre mieux avec son diabète"
    # the Douai CPTS also holds sessions in Roubaix, near Lille
    offer["programmes"]["dt2-douai"].sites = [offer["sites"]["roubaix-msp"]]
    db.session.commit()
    page = client.get("/orientation/resultats?q=sucre&commune=59000&radius_km=60").get_data(
        as_text=True
    )
    lines = re.findall(r'<p class="result-whom">([^<]+)</p>', page)
    assert "Centre d&#39;examens de santé de Lille, Lille" in lines
    assert "CPTS du Grand Douai, Roubaix" in lines
    # a title shown once gets no such line
    assert page.count('class="result-whom"') == len(lines) == 2


def test_the_helper_follows_the_language_at_render_time(offer, app):  # noqa: F811
    from flask_babel import force_locale

    _translate(offer)
    programme = db.session.scalar(select(Programme).where(Programme.code == "dg-angouleme"))
    title = programme.localized("display_title")
    with app.test_request_context("/?lang=fr"):
        with force_locale("en"):
            assert str(title) == "Diabetes while pregnant" and not title.in_french
        with force_locale("ar"):
            assert str(programme.localized("title")) == "Diabète et grossesse"
            assert programme.localized("title").in_french
        assert str(title) == "Diabète et grossesse"
    site = db.session.scalar(select(Site).where(Site.code == "saint-yrieix-salle"))
    assert str(localized(site, "transport", "en")) == ""


def test_the_confirmation_e_mail_is_in_the_person_s_language(offer, app):  # noqa: F811
    from etp_orient.booking.participants import ParticipantData
    from etp_orient.booking.services import book_slot
    from etp_orient.notify.models import OutboxMessage

    _translate(offer)
    with app.test_request_context("/"):
        book_slot(
            "bep-dg-angouleme-1",
            ParticipantData(
                first_name="Sam",
                last_name="Lee",
                birth_year=1990,
                email="sam@example.org",
                language="en",
                consent_contact=True,
            ),
        )
        db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "sam@example.org")
    )
    assert "Diabetes while pregnant" in message.subject + message.body_text
    assert "1 rue de la Santé, 16000 Angoulême" in message.body_text
    # the site's name has no English version: French, marked in the HTML part
    assert '<span lang="fr">Hôpital de Girac</span> <span class="lang-mark">(in French)</span>' in (
        message.body_html
    )
