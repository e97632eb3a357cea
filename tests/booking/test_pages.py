"""Booking pages: the slot list, the form (every error, data kept), taken slots, pro mode."""

import html as htmllib
import re

import pytest
from sqlalchemy import select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Participant
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.orientation.models import Referral
from tests.fixtures.booking import FORM, make_referral, person


def post(client, url, **changes):
    data = {**FORM, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url, data=data)


def test_slot_list_grouped_by_day(world, client):
    response = client.get("/programmes/prog-booking/rdv")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<h2 id="day-') == 2
    assert "/rdv/bep-1" in html and "/rdv/bep-4" in html
    assert "Par téléphone" in html


def test_slot_list_hides_booked_slots(world, client):
    services.book_slot("bep-1", person())
    db.session.commit()
    html = client.get("/programmes/prog-booking/rdv").get_data(as_text=True)
    assert '/rdv/bep-1"' not in html and "/rdv/bep-1?" not in html


def test_unknown_programme_404(world, client):
    assert client.get("/programmes/nope/rdv").status_code == 404
    assert client.get("/rdv/nope").status_code == 404


def test_form_has_contract_names_and_autocomplete(world, client):
    html = client.get("/rdv/bep-1").get_data(as_text=True)
    for name, autocomplete in [
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("email", "email"),
        ("phone", "tel"),
    ]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'autocomplete="{autocomplete}"' in tag
    for name in (
        "birth_year",
        "language",
        "needs",
        "consent_contact",
        "consent_share_gp",
        "referral_code",
    ):
        assert f'name="{name}"' in html


def test_booking_redirects_to_confirmation_with_manage_link(world, client, outbox):
    response = post(client, "/rdv/bep-1")
    assert response.status_code == 303
    location = response.headers["Location"]
    token = re.search(r"/gerer/([^/]+)/confirmation", location).group(1)
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/gerer/{token}" in html
    assert "/calendar/me/" in html
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert [m.template for m in outbox()] == ["booking_confirmed"]


def test_phone_is_normalised(world, client):
    post(client, "/rdv/bep-1", email="", phone="06 12 34 56 78")
    assert db.session.scalar(select(Participant.phone)) == "+33612345678"


def test_email_is_normalised(world, client):
    post(client, "/rdv/bep-1", email="Camille@EXAMPLE.org")
    assert db.session.scalar(select(Participant.email)) == "Camille@example.org"


ERRORS = [
    ({"first_name": ""}, "first_name", "Écrivez votre prénom."),
    ({"last_name": ""}, "last_name", "Écrivez votre nom."),
    ({"birth_year": ""}, "birth_year", "Écrivez votre année de naissance"),
    ({"birth_year": "65"}, "birth_year", "avec 4 chiffres"),
    ({"birth_year": "1850"}, "birth_year", "Écrivez une année entre"),
    ({"birth_year": "2015"}, "birth_year", "de 18 à 80 ans"),
    ({"email": "", "phone": ""}, "email", "Donnez une adresse e-mail ou un numéro de téléphone."),
    ({"email": "camille@"}, "email", "Écrivez une adresse e-mail complète"),
    ({"phone": "12"}, "phone", "Écrivez un numéro de téléphone complet"),
    ({"needs": "x" * 501}, "needs", "500 signes au plus"),
    ({"referral_code": "zzzzzzzz"}, "referral_code", "Ce code n'est pas valable"),
]


@pytest.mark.parametrize(("changes", "field", "message"), ERRORS)
def test_form_errors_summary_field_and_data_kept(world, client, changes, field, message):
    response = post(
        client, "/rdv/bep-1", **{**changes, "needs": changes.get("needs", "interprète")}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert f'href="#{field}"' in html
    assert f'id="{field}-error"' in html
    assert message in htmllib.unescape(html)
    kept = {**FORM, **changes}
    if kept["first_name"]:
        assert f'value="{kept["first_name"]}"' in html
    if kept["email"]:
        assert f'value="{kept["email"]}"' in html
    assert "interprète" in html or field == "needs"
    assert db.session.scalar(select(Booking.id)) is None
    assert db.session.scalar(select(Participant.id)) is None


def test_referral_code_carried_and_used(world, client):
    make_referral(world.programme)
    db.session.commit()
    html = client.get("/rdv/bep-1?referral_code=k3m9x2pq&pro=1").get_data(as_text=True)
    assert 'value="k3m9x2pq"' in html
    listing = client.get("/programmes/prog-booking/rdv?referral_code=k3m9x2pq").get_data(
        as_text=True
    )
    assert "/rdv/bep-1?referral_code=k3m9x2pq" in listing
    post(client, "/rdv/bep-1", referral_code="k3m9x2pq")
    assert db.session.scalar(select(Referral.status)) == "used"


def test_taken_slot_page_keeps_data_and_offers_nearest(world, client):
    services.book_slot("bep-1", person(9))
    db.session.commit()
    response = post(client, "/rdv/bep-1", needs="fauteuil")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "vient d'être pris" in htmllib.unescape(html)
    assert 'action="/rdv/bep-2"' in html
    assert 'name="first_name" value="Camille"' in html
    assert 'name="needs" value="fauteuil"' in html
    # one click books the alternative with the kept data
    again = post(client, "/rdv/bep-2", needs="fauteuil")
    assert again.status_code == 303


def test_get_on_taken_slot_shows_alternatives(world, client):
    services.book_slot("bep-1", person(9))
    db.session.commit()
    response = client.get("/rdv/bep-1?pro=1")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'href="/rdv/bep-2?pro=1"' in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]


def test_pro_mode_requires_patient_consent(world, client):
    html = client.get("/rdv/bep-1?pro=1").get_data(as_text=True)
    assert 'name="patient_consent"' in html
    response = post(client, "/rdv/bep-1", pro="1")
    assert "le patient est d'accord" in htmllib.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(Booking.id)) is None
    assert post(client, "/rdv/bep-1", pro="1", patient_consent="y").status_code == 303
    assert db.session.scalar(select(Booking.oriented_by)) == "professional"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking.create"))
    assert event.detail["on_behalf_with_patient_consent"] is True


def test_language_defaults_to_page_language(world, client):
    html = client.get("/rdv/bep-1?lang=ar").get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="ar"|<option[^>]*value="ar"[^>]*selected', html
    )


def test_consents_time_stamped_from_form(world, client, clock):
    post(client, "/rdv/bep-1", consent_share_gp="y")
    participant = db.session.scalar(select(Participant))
    assert participant.consent_contact_at == clock()
    assert participant.consent_share_gp_at == clock()


def test_csrf_required(world, client, csrf_enabled):
    assert post(client, "/rdv/bep-1").status_code in (200, 400)
    assert db.session.scalar(select(Booking.id)) is None


def test_booking_posts_are_rate_limited(world, limited_client):
    statuses = [post(limited_client, "/rdv/bep-1", first_name="").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    # reading the form is not limited
    assert limited_client.get("/rdv/bep-1").status_code == 200


def _slot_codes(html: str) -> list[str]:
    return re.findall(r'href="/rdv/(bep-\d+)', html)


def test_a_long_slot_list_comes_in_pages(app_ctx, clock, client):
    from etp_orient.booking.views import SLOTS_PER_PAGE
    from tests.fixtures.booking import make_world

    make_world(slots=SLOTS_PER_PAGE + 5)
    db.session.commit()
    services.book_slot("bep-3", person())  # a booked slot is on no page
    db.session.commit()
    first = client.get("/programmes/prog-booking/rdv?referral_code=abc").get_data(as_text=True)
    shown = _slot_codes(first)
    assert len(shown) == SLOTS_PER_PAGE and "bep-3" not in shown
    assert "Revenir aux premières dates" not in first
    link = re.search(r'href="([^"]*apres=[^"]*)">Voir les dates suivantes', first).group(1)
    assert "referral_code=abc" in htmllib.unescape(link)  # the referral follows
    second = client.get(htmllib.unescape(link)).get_data(as_text=True)
    rest = _slot_codes(second)
    assert "Voir les dates suivantes" not in second
    assert "Revenir aux premières dates" in second
    every = {f"bep-{n}" for n in range(1, SLOTS_PER_PAGE + 6)} - {"bep-3"}
    assert set(shown) | set(rest) == every and not set(shown) & set(rest)


def test_a_later_page_emptied_meanwhile_leads_back_to_the_first(world, client):
    # the page after bep-4 had dates; they were booked meanwhile
    html = client.get("/programmes/prog-booking/rdv?apres=bep-4").get_data(as_text=True)
    assert _slot_codes(html) == []
    assert "Il n'y a plus de rendez-vous libre après ces dates." in html
    assert 'href="/programmes/prog-booking/rdv">Revenir aux premières dates' in html


def test_an_unknown_page_mark_shows_the_first_page(world, client):
    html = client.get("/programmes/prog-booking/rdv?apres=nope").get_data(as_text=True)
    assert _slot_codes(html)[0] == "bep-1"


def test_taken_page_offers_the_nearest_dates_on_both_sides(app_ctx, clock, client):
    from tests.fixtures.booking import make_world

    make_world(slots=20)
    db.session.commit()
    services.book_slot("bep-10", person(9))
    db.session.commit()
    html = client.get("/rdv/bep-10").get_data(as_text=True)
    offered = re.findall(r'href="/rdv/(bep-\d+)"', html.split("<main")[1])
    # two slots a day, 9:00 and 11:00 (bep-10 is the 11:00 one of the fifth day): the
    # five nearest are 2 h, 22 h, 24 h, 24 h and 26 h away, listed in date order
    assert offered == ["bep-7", "bep-8", "bep-9", "bep-11", "bep-12"]
