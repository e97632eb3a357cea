"""Patient pages, the programme page and the professional flow (no browser)."""

import html
import re

import pytest
from sqlalchemy import select

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.orientation.models import OrientationLog, Referral


@pytest.fixture(autouse=True)
def _unescaped_text(monkeypatch):
    """``response.text``: the page with HTML entities decoded, for readable assertions."""
    from werkzeug.test import TestResponse

    monkeypatch.setattr(
        TestResponse,
        "text",
        property(lambda r: html.unescape(r.get_data(as_text=True))),
        raising=False,
    )


def _logs(channel):
    return db.session.scalars(select(OrientationLog).where(OrientationLog.channel == channel)).all()


def test_step_one_shows_pictograms_with_labels(offer, client):
    page = client.get("/orientation").text
    assert 'name="condition" value="diabete"' in page
    assert "Souffle et poumons" in page
    assert 'name="q"' in page


def test_step_one_empty_asks_again(offer, client):
    page = client.get("/orientation?etape=1&q=").text
    assert "Touchez une image ou écrivez quelques mots." in page
    assert 'aria-invalid="true"' in page


def test_step_two_carries_what_and_asks_pregnancy_for_diabetes(offer, client):
    page = client.get("/orientation?condition=diabete").text
    assert 'type="hidden" name="condition" value="diabete"' in page
    assert "Êtes-vous enceinte ?" in page
    assert 'name="commune"' in page


def test_step_two_no_pregnancy_question_for_asthma(offer, client):
    page = client.get("/orientation?q=asthme").text
    assert "Êtes-vous enceinte ?" not in page
    assert "Asthme" in page


def test_results_list_with_reasons_and_log(offer, client):
    response = client.get("/orientation/resultats?q=j'ai du sucre&commune=59000")
    page = response.text
    assert response.status_code == 200
    assert "Vivre avec un diabète de type 2" in page
    assert "Prochain rendez-vous le 3 décembre" in page
    assert "/programmes/dt2-lille/rdv" in page
    assert "leaflet.js" not in page
    assert "/orientation/carte?" in page
    [row] = _logs("patient")
    assert row.departement == "59" and "diabete-type-2" in row.condition_codes


def test_results_bad_age_error_next_to_field_input_kept(offer, client):
    page = client.get("/orientation/resultats?q=sucre&commune=Lille&age=vingt").get_data(
        as_text=True
    )
    assert "Écrivez l'âge en années" in page or "Écrivez l'âge en années" in page
    assert 'value="vingt"' in page
    assert 'value="Lille"' in page
    assert _logs("patient") == []


def test_results_unknown_commune(offer, client):
    page = client.get("/orientation/resultats?q=sucre&commune=Zzzyxville").text
    assert "Nous ne trouvons pas cette commune" in page
    assert 'value="Zzzyxville"' in page


def test_results_shared_postal_code_is_enough(offer, client):
    page = client.get("/orientation/resultats?q=diabete&commune=16730").text
    assert "Plusieurs communes correspondent" not in page
    assert "Autour de :" in page and "<strong>16730</strong>" in page
    assert "Diabète de type 2 en Angoumois" in page
    # the exact commune can be chosen, and need not be
    assert "Préciser ma commune (facultatif)" in page
    for insee in ("16138", "16187", "16388"):
        assert f'commune=insee:{insee}"' in page
    chosen = client.get("/orientation/resultats?q=diabete&commune=insee:16187").text
    assert "Diabète de type 2 en Angoumois" in chosen
    assert "Préciser ma commune" not in chosen


def test_results_homonyms_ask_with_departement(offer, client):
    page = client.get("/orientation/resultats?q=sucre&commune=Boulogne").text
    assert "Plusieurs communes correspondent" in page
    assert "Boulogne-sur-Mer (62)" in page and "Boulogne-Billancourt (92)" in page
    assert page.index("Boulogne-Billancourt (92)") < page.index("Boulogne-sur-Mer (62)")


def test_results_say_a_corrected_commune(offer, client):
    page = client.get("/orientation/resultats?q=sucre&commune=Sarcele").text
    assert "Nous avons compris « Sarcele » comme Sarcelles (95)." in page


def test_pro_screen_postal_code_area(offer, client):
    page = client.get("/pro/orienter?condition=diabete-type-2&commune=16730").text
    assert "Autour de :" in page and "Diabète de type 2 en Angoumois" in page
    assert "Plusieurs communes correspondent" not in page


def test_nothing_nearby_gives_contact_and_remote(offer, client):
    page = client.get("/orientation/resultats?q=covid long&commune=59000").text
    assert "Nous n'avons pas trouvé de programme près de chez vous." in page
    # no platform answers for Lille and the site has no contact: the GP, never a placeholder
    assert "Parlez-en à votre médecin traitant" in page
    assert "À distance, de chez vous" in page
    assert "Covid long : mieux vivre au quotidien" in page


def test_map_view_loads_leaflet_and_tiles_config(offer, client, app):
    page = client.get("/orientation/carte?q=sucre&commune=59000").text
    assert re.search(r"vendor/leaflet/leaflet(\.[0-9a-f]{12})?\.js", page)
    assert app.config["MAP_TILE_URL"] in page
    assert 'data-lat="50.6365"' in page


def test_programme_page(offer, client):
    page = client.get("/programmes/dt2-lille").text
    assert "C'est gratuit." in page
    assert "/rdv/bep-dt2-lille-2" in page
    assert "/rdv/bep-dt2-lille-1" not in page  # booked
    assert "/groupes/groupe-dt2-lille-janvier" in page
    assert "7 places libres" in page
    assert "/programmes/dt2-lille/rdv" in page
    assert "Accessible en fauteuil roulant" in page
    assert "Métro : gare Lille-Flandres" in page
    assert "Diététicien" in page
    assert "Un suivi 6 mois après" in page


@pytest.mark.parametrize("code", ["irc-lille-brouillon", "irc-douai-suspendu", "inconnu"])
def test_programme_page_hidden(offer, client, code):
    assert client.get(f"/programmes/{code}").status_code == 404


def test_pro_screen_results_and_log(offer, client):
    page = client.get("/pro/orienter?condition=bpco&commune=59000&age=60").text
    assert "Mieux respirer avec une BPCO" in page
    assert "Orienter vers ce programme" in page
    assert len(_logs("professional")) == 1


def test_pro_screen_requires_condition(offer, client):
    page = client.get("/pro/orienter?commune=59000").text
    assert "Choisissez une pathologie ou écrivez quelques mots." in page
    assert _logs("professional") == []


def _refer(client, code="bpco-lille"):
    response = client.post(f"/pro/orienter/{code}")
    assert response.status_code == 302
    return db.session.scalars(select(Referral)).one(), response.location


def test_referral_and_sheet(offer, client):
    referral, location = _refer(client)
    assert location.endswith(f"/pro/orientation/{referral.code}")
    assert re.fullmatch(r"[a-z2-9]{8}", referral.code)
    assert referral.status == "issued"
    assert (referral.expires_at - referral.created_at).days == 90
    page = client.get(location).text
    assert "<svg" in page
    assert referral.code.upper() in page
    assert f"http://etp.test/programmes/bpco-lille/rdv?referral_code={referral.code}" in page
    assert f"/rdv/bep-bpco-lille-1?referral_code={referral.code}&pro=1" in page


def test_referral_unknown_programme_or_draft(offer, client):
    assert client.post("/pro/orienter/irc-lille-brouillon").status_code == 404


def test_referral_needs_csrf(offer, client, csrf_enabled):
    assert client.post("/pro/orienter/bpco-lille").status_code == 400


def test_send_link_needs_consent(offer, client):
    referral, location = _refer(client)
    response = client.post(
        f"/pro/orientation/{referral.code}/envoyer",
        data={"email": "patient@example.org", "language": "fr"},
    )
    assert response.status_code == 400
    page = response.text
    assert "Cochez cette case seulement si le patient est d'accord." in page
    assert 'value="patient@example.org"' in page
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_send_link_queues_email(offer, client):
    referral, location = _refer(client)
    response = client.post(
        f"/pro/orientation/{referral.code}/envoyer",
        data={"email": "patient@example.org", "language": "fr", "consent": "y"},
    )
    assert response.status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "patient@example.org"
    assert message.template == "referral_link"
    assert f"referral_code={referral.code}" in message.body_text
    assert "Mieux respirer avec une BPCO" in message.body_text


def test_send_link_subject_names_no_condition(offer, client):
    # Subjects show on lock screens and in shared inboxes: no programme or condition.
    referral, location = _refer(client)
    client.post(
        f"/pro/orientation/{referral.code}/envoyer",
        data={"email": "patient@example.org", "language": "fr", "consent": "y"},
    )
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert "BPCO" not in message.subject
    assert "respirer" not in message.subject.lower()


def test_my_referrals_needs_login(offer, client):
    response = client.get("/pro/mes-orientations")
    assert response.status_code in (302, 401)


def test_my_referrals_shows_use_and_start_only_with_consent(offer, client):
    from datetime import timedelta

    from etp_orient.booking.models import Booking, Participant
    from etp_orient.core.clock import now
    from etp_orient.core.tokens import hash_token, new_token
    from tests.fixtures.manage import login, make_user

    user = make_user("docteur@example.org", full_name="Dr Martin")
    db.session.commit()
    assert login(client, user).status_code == 302
    first, _ = _refer(client)
    second_location = client.post("/pro/orienter/cardio-roubaix").location
    second = db.session.scalar(select(Referral).where(Referral.code == second_location[-8:]))
    assert first.referrer_user_id == user.id
    slots = offer["slots"]
    for referral, slot, consent in ((first, "bep-bpco-lille-1", True),
                                    (second, "bep-cardio-roubaix-1", False)):  # fmt: skip
        person = Participant(
            first_name="P",
            last_name="Q",
            email=f"{referral.code}@example.org",
            manage_token_hash=hash_token(new_token()),
            consent_share_gp_at=now() if consent else None,
        )
        db.session.add(person)
        db.session.add(
            Booking(participant=person, slot=slots[slot], referral_id=referral.id, outcome="held")
        )
        referral.status = "used"
        referral.used_at = now() - timedelta(days=1)
    db.session.commit()
    page = client.get("/pro/mes-orientations").text
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    by_code = {
        code: row for row in rows for code in (first.code, second.code) if code.upper() in row
    }
    assert "Non partagé" not in by_code[first.code]
    assert "Non partagé" in by_code[second.code]
    # used, but the patient did not agree to share: it reads as issued, like an unused one
    cells = {code: re.findall(r"<td>(.*?)</td>", row, re.S) for code, row in by_code.items()}
    assert cells[first.code][-2] == "Oui"
    assert cells[second.code][-2] == "Code émis"
    assert ">Oui<" not in by_code[second.code]


def test_orientation_log_written_in_batches(offer, client, app):
    from etp_orient.orientation.services import flush_orientation_log

    app.config["ORIENTATION_LOG_BATCH"] = 3
    try:
        client.get("/api/v1/orientation?q=sucre&commune=59000")
        client.get("/orientation/resultats?q=sucre&commune=59000")
        assert db.session.scalars(select(OrientationLog)).all() == []
        client.get("/pro/orienter?condition=bpco&commune=59000")
        rows = db.session.scalars(select(OrientationLog)).all()
        assert sorted(r.channel for r in rows) == ["api", "patient", "professional"]
        client.get("/api/v1/orientation?q=sucre&commune=59000")
        assert flush_orientation_log() == 1
    finally:
        app.config.pop("ORIENTATION_LOG_BATCH")
    assert len(db.session.scalars(select(OrientationLog)).all()) == 4


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 400 + "&commune=59000",
        "q=sucre&commune=" + "y" * 200,
        "q=sucre&commune=59000&radius_km=abc",
        "q=sucre&commune=59000&radius_km=0",
        "q=sucre&commune=59000&age=-1",
        "q=sucre&commune=59000&pregnant=peut-etre",
        "q=sucre&commune=59000&format=avion",
        "condition=nimporte&commune=59000",
        "q=%00%01&commune=%00",
        "q=sucre&commune=insee:99999",
        "q=sucre&commune=insee:",
    ],
)
def test_bad_input_never_breaks_the_pages(offer, client, query):
    for path in ("/orientation/resultats", "/orientation/carte", "/pro/orienter"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 302, 400), (path, response.status_code)
    assert client.get(f"/api/v1/orientation?{query}").status_code in (200, 400)


def test_orientation_log_pending_rows_written_by_the_timer(offer, client, app):
    import time

    app.config["ORIENTATION_LOG_BATCH"] = 50
    app.config["ORIENTATION_LOG_DELAY"] = 0.2
    try:
        client.get("/api/v1/orientation?q=sucre&commune=59000")
        db.session.remove()
        deadline = time.monotonic() + 10
        rows = []
        while time.monotonic() < deadline and not rows:
            time.sleep(0.1)  # a real thread: nothing to fake here
            rows = db.session.scalars(select(OrientationLog)).all()
            db.session.remove()
    finally:
        app.config.pop("ORIENTATION_LOG_BATCH")
        app.config.pop("ORIENTATION_LOG_DELAY")
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("text", "lang"),
    [("عندي السكر", "ar"), ("I have sugar", "en"), ("عندي السكر", "fr"), ("sucre", "en")],
)
def test_words_of_any_language_on_any_page(offer, client, text, lang):
    step_two = client.get("/orientation", query_string={"q": text, "lang": lang}).text
    assert 'name="commune"' in step_two
    # understood: step 2 names the condition (in <strong>) rather than "not recognised"
    intro = step_two[step_two.index("<h1") : step_two.index("<form")]
    assert "<strong>" in intro and html.escape(text) not in intro
    page = client.get(
        "/orientation/resultats", query_string={"q": text, "commune": "59000", "lang": lang}
    ).text
    assert "/programmes/dt2-lille" in page  # the diabetes programme of Lille
    body = client.get(
        "/api/v1/orientation", query_string={"q": text, "commune": "59000", "lang": lang}
    ).get_json()
    assert body["query"]["understood"] is True
    assert body["query"]["named_conditions"] == ["diabete"]
    assert body["results"][0]["programme"] == "dt2-lille"


def test_words_not_understood_show_the_pictures(offer, client):
    page = client.get("/orientation", query_string={"q": "pain au chocolat"}).text
    assert "Nous n'avons pas reconnu une maladie dans « pain au chocolat »" in page
    assert "choisir une image" in page
