"""Every form of a page with a secret link, sent by a real browser over HTTPS behind
a TLS proxy, as in production (docs/deploy.md: ``ETP_ENV=production``, gunicorn,
``PROXY_COUNT=1``).

Over HTTPS, Flask-WTF's CSRF check (``WTF_CSRF_SSL_STRICT``) wants a same-origin
Referer on every POST: a page sent with ``Referrer-Policy: no-referrer`` makes the
browser send none, and each of these forms answered 400 "Votre envoi n'a pas pu
être vérifié".

The production server runs on the tests' clock like every server the suite starts
(production refuses a test clock, but for the suite's own processes: ETP_TESTING).
"""

import re

import pytest
from sqlalchemy import select

from etp_orient.accounts.models import User
from etp_orient.accounts.services import reset_token
from etp_orient.booking import services as booking_services
from etp_orient.booking.models import Booking, Enrollment, Participant
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.booking import make_referral, make_world, person
from tests.fixtures.manage import PASSWORD, make_user
from tests.fixtures.servers import GunicornServer
from tests.fixtures.tls import TlsProxy, self_signed_certificate

pytestmark = [pytest.mark.browser, pytest.mark.server]

REFUSED = "Votre envoi n'a pas pu être vérifié"


@pytest.fixture(scope="module")
def https_site(app, database_url, tmp_path_factory):
    """gunicorn in production mode behind a TLS proxy on loopback; yields the proxy."""
    cert, key = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    server = GunicornServer(database_url, workers=2)
    proxy = TlsProxy(server.port, cert, key)
    server.extra_env = {
        "ETP_ENV": "production",
        "PROXY_COUNT": "1",
        # the test's own key: the reset and new-link codes it makes are signed with it
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BASE_URL": proxy.url,
        "LOG_LEVEL": "WARNING",
        "ORIENTATION_INDEX_TTL": "0",
        "ORIENTATION_DATES_TTL": "0",
        "GEO_INDEX_TTL": "0",
    }
    server.start()
    proxy.start()
    yield proxy
    proxy.stop()
    server.stop()


@pytest.fixture
def https_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, ignore_https_errors=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def booked(app_ctx, clock):
    """A person with a BEP booking and a place in a group."""
    world = make_world(slots=4, capacity=3)
    db.session.commit()
    result = booking_services.book_slot("bep-1", person(1))
    db.session.commit()
    booking_services.join_cohort(
        world.cohort.code, participant=result.participant, token=result.token
    )
    db.session.commit()
    result.world = world
    return result


def submit(page, button: str):
    """Click the button and return the final answer of the navigation."""
    with page.expect_navigation() as navigation:
        page.locator(button).first.click()
    response = navigation.value
    assert REFUSED not in page.content()
    return response


def fresh(model, id_):
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    return db.session.get(model, id_)


def test_the_site_runs_behind_https(https_site, https_page, booked):
    response = https_page.goto(f"{https_site.url}/gerer/{booked.token}")
    assert response.status == 200
    assert response.headers["strict-transport-security"]
    assert response.headers["referrer-policy"] == "same-origin"


def test_cancel_a_booking(https_site, https_page, booked):
    https_page.goto(f"{https_site.url}/gerer/{booked.token}/rdv/{booked.booking.id}/annuler")
    assert submit(https_page, 'main form[method="post"] button[type="submit"]').status == 200
    assert fresh(Booking, booked.booking.id).status == "cancelled"


def test_move_a_booking(https_site, https_page, booked):
    https_page.goto(f"{https_site.url}/gerer/{booked.token}/rdv/{booked.booking.id}/deplacer")
    https_page.locator('input[name="slot"]').first.check()
    assert submit(https_page, 'main form[method="post"] button[type="submit"]').status == 200
    assert fresh(Booking, booked.booking.id).status != "confirmed"  # moved: a new booking


def test_leave_a_group(https_site, https_page, booked):
    cohort = booked.world.cohort.code
    https_page.goto(f"{https_site.url}/gerer/{booked.token}/groupes/{cohort}/quitter")
    assert submit(https_page, 'main form[method="post"] button[type="submit"]').status == 200
    db.session.rollback()
    status = db.session.scalar(
        select(Enrollment.status).where(Enrollment.participant_id == booked.participant.id)
    )
    assert status == "cancelled"


def test_change_consents(https_site, https_page, booked):
    https_page.goto(f"{https_site.url}/gerer/{booked.token}")
    https_page.locator('input[name="consent_share_gp"]').check()
    assert submit(https_page, 'form[action$="/choix"] button[type="submit"]').status == 200
    assert fresh(Participant, booked.participant.id).consent_share_gp_at is not None


def test_delete_my_data(https_site, https_page, booked):
    https_page.goto(f"{https_site.url}/gerer/{booked.token}/supprimer")
    assert submit(https_page, 'main form[method="post"] button[type="submit"]').status == 200
    assert fresh(Participant, booked.participant.id).anonymised_at is not None


def test_confirm_a_new_manage_link(https_site, https_page, booked):
    booking_services.reissue_links("camille1@example.org")
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage.body_text).where(OutboxMessage.template == "manage_link")
    )
    code = re.search(r"/gerer/nouveau-lien/([^\s\"<>]+)", mail).group(1)
    https_page.goto(f"{https_site.url}/gerer/nouveau-lien/{code}")
    response = submit(https_page, 'main form[method="post"] button[type="submit"]')
    assert response.status == 200
    assert re.search(r"/gerer/[^/]+$", https_page.url)
    assert booked.token not in https_page.url  # the old link is replaced


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    assert submit(page, 'main form[method="post"] button[type="submit"]').status == 200
    assert "/connexion" not in page.url


def test_reset_a_staff_password(https_site, https_page, booked):
    user = make_user(
        "coord-https@example.org", roles=[("coordinator", booked.world.programme.structures[0])]
    )
    db.session.commit()
    https_page.goto(f"{https_site.url}/connexion/nouveau-mot-de-passe/{reset_token(user)}")
    https_page.fill('input[name="password"]', "une toute nouvelle phrase de passe")
    https_page.fill('input[name="confirm"]', "une toute nouvelle phrase de passe")
    assert submit(https_page, 'main form[method="post"] button[type="submit"]').status == 200
    assert fresh(User, user.id).credentials_version != 0


def test_staff_calendar_link(https_site, https_page, booked):
    make_user("edu-https@example.org", roles=[("educator", booked.world.programme.structures[0])])
    db.session.commit()
    _login(https_page, https_site.url, "edu-https@example.org")
    https_page.goto(f"{https_site.url}/gestion/agenda")
    assert submit(https_page, 'button[name="action"][value="issue"]').status == 200
    assert "/calendar/staff/" in https_page.content()


def test_send_the_booking_link_from_a_referral(https_site, https_page, booked):
    referral = make_referral(booked.world.programme, code="h7tq2xwa")
    db.session.commit()
    https_page.goto(f"{https_site.url}/pro/orientation/{referral.code}")
    https_page.fill('input[name="email"]', "patient@example.org")
    https_page.locator('input[name="consent"]').check()
    assert submit(https_page, 'form[action$="/envoyer"] button[type="submit"]').status == 200
    db.session.rollback()
    assert db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.recipient == "patient@example.org")
    )
