"""Site-wide browser checks: one realistic territory for the whole folder, every public URL.

The demo territory (``etp_orient.catalogue.demo``) is imported ONCE for the
tests of this folder, with one booking, one enrollment and one referral made
through the services (so there is a real manage link and a real sheet); the
tables are emptied when the folder is done instead of after each test. That
keeps the gunicorn workers' orientation index warm and the run short.

``public_pages(app, site)`` lists every public page from the app's url_map:
a new public route without a sample URL here makes the tests fail, so it
cannot slip through unchecked.
"""

import gzip
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from etp_orient.accounts.services import create_user
from etp_orient.booking.models import Booking, Cohort, Slot
from etp_orient.booking.participants import ParticipantData
from etp_orient.booking.services import book_slot, join_cohort, reissue_links
from etp_orient.catalogue.demo import build_demo_offer
from etp_orient.catalogue.models import Programme
from etp_orient.catalogue.offer import import_offer
from etp_orient.content.pages import all_pages, easy_pages
from etp_orient.core.db import begin_write
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.orientation.services import create_referral
from tests.conftest import REFERENCE_TABLES

LANGUAGES = ["fr", "en", "ar"]
LOCALES = {"fr": "fr-FR", "en": "en-GB", "ar": "ar"}

# Not public pages: the back office, the API, calendar feeds, files (the platform's
# logo and colours too), the health check.
EXCLUDED_PREFIXES = ("/gestion", "/api", "/calendar", "/static", "/platform/", "/healthz")
# Non-HTML answers of public paths.
EXCLUDED_SUFFIXES = (".ics", ".json")

PROGRAMME = "dt2-grand-douai"  # BEP slots, a group joined after the BEP, a site with an address
OPEN_PROGRAMME = "ces-lille-tabac"  # a group anyone may join from its public page
ORIENTATION = "q=diabete&commune=59500"  # Douai: several programmes nearby
NOT_FOUND = "/cette-page-n-existe-pas"
EXPIRED_RESET = "/connexion/nouveau-mot-de-passe/lien-perime"  # answers 404 on purpose
EXPECTED_404 = {NOT_FOUND, EXPIRED_RESET}
DIRECTORY_ERRORS = "/programmes?departement=zz&format=bus"
EXPECTED_400 = {DIRECTORY_ERRORS}  # the directory's filters with errors, next to their fields
REFERRER = ("dr.petit@example.org", "une phrase de passe assez longue 2026")


@dataclass
class PublicSite:
    """The codes and secrets of the seeded territory that public URLs need."""

    programme: str
    slot: str  # a free BEP slot (stays free: the walk only submits it with errors)
    taken_slot: str  # the slot the seeded person booked
    cohort: str  # a group of PROGRAMME: its public page says to book the BEP first
    open_cohort: str  # a group of OPEN_PROGRAMME, with the public join form
    token: str  # a participant with one booking and one enrollment
    booking_id: int
    referral: str
    reissue_code: str  # the code of a "new manage link" e-mail (only ever opened, not confirmed)
    spare_slots: list[str] = field(default_factory=list)  # tests that book pop one


def empty_tables(app) -> None:
    """Empty every table except the reference data (as the root conftest does per test)."""
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def _clean_tables():
    """Overrides the root per-test cleaning: the territory lives for the whole folder."""
    yield


def _seed() -> PublicSite:
    begin_write()
    import_offer(build_demo_offer())
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.code == PROGRAMME))
    slots = list(
        db.session.scalars(
            select(Slot.code)
            .where(Slot.programme_id == programme.id, Slot.kind == "bep")
            .order_by(Slot.start_at)
        )
    )
    cohort = db.session.scalar(
        select(Cohort.code).where(Cohort.programme_id == programme.id).order_by(Cohort.code)
    )
    open_cohort = db.session.scalar(
        select(Cohort.code)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Programme.code == OPEN_PROGRAMME)
        .order_by(Cohort.code)
    )
    person = ParticipantData(
        first_name="Camille",
        last_name="Martin",
        birth_year=1962,
        email="camille.martin@example.org",
        consent_contact=True,
    )
    booked = book_slot(slots[0], person)
    db.session.commit()
    join_cohort(cohort, participant=booked.participant, token=booked.token)
    db.session.commit()
    referral = create_referral(programme)
    create_user(REFERRER[0], REFERRER[1], role="referrer", full_name="Dr Claire Petit")
    db.session.commit()
    booking_id = db.session.scalar(select(Booking.id).where(Booking.status == "confirmed"))
    reissue_links(person.email)
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage.body_text).where(OutboxMessage.template == "manage_link")
    )
    reissue_code = re.search(r"/gerer/nouveau-lien/([^\s\"<>]+)", mail).group(1)
    return PublicSite(
        programme=PROGRAMME,
        slot=slots[1],
        taken_slot=slots[0],
        cohort=cohort,
        open_cohort=open_cohort,
        token=booked.token,
        booking_id=booking_id,
        referral=referral.code,
        reissue_code=reissue_code,
        spare_slots=slots[2:],
    )


@pytest.fixture(scope="package")
def site(app, live_server):
    """The demo territory with one booked and enrolled person, for every test of the folder."""
    empty_tables(app)
    with app.app_context():
        seeded = _seed()
    yield seeded
    empty_tables(app)


@pytest.fixture(autouse=True)
def _territory_still_there(request):
    """Seed again if another folder's test emptied the tables meanwhile (pytest-xdist
    may interleave them on one worker); the ``site`` object is updated in place."""
    if "site" not in request.fixturenames:
        return
    site, app = request.getfixturevalue("site"), request.getfixturevalue("app")
    with app.app_context():
        if db.session.scalar(select(Programme.id).where(Programme.code == site.programme)):
            return
    empty_tables(app)
    with app.app_context():
        vars(site).update(vars(_seed()))


def _samples(site: PublicSite) -> dict[str, list[str]]:
    """Sample URLs for each public endpoint that takes parameters (or a query)."""
    manage = f"/gerer/{site.token}"
    return {
        "comprendre.page": [f"/comprendre/{page.slug}" for page in all_pages()],
        "comprendre.easy": [f"/comprendre/facile/{page.slug}" for page in easy_pages()],
        "accounts.reset_password": [EXPIRED_RESET],
        "booking_manage.overview": [manage, f"{manage}?facile=1"],
        # no OpenID provider in the walk's server: test_oidc_login.py walks these pages
        "accounts.oidc_start": [],
        "accounts.oidc_callback": [],
        "booking_manage.confirmation": [
            f"{manage}/confirmation?what=rdv",
            f"{manage}/confirmation?what=groupe",
        ],
        "booking_manage.data": [f"{manage}/donnees"],
        "booking_manage.leave": [f"{manage}/groupes/{site.cohort}/quitter"],
        "booking_manage.cancel": [f"{manage}/rdv/{site.booking_id}/annuler"],
        "booking_manage.move": [f"{manage}/rdv/{site.booking_id}/deplacer"],
        # the path's later steps, not open yet for this person: when they open
        "booking_manage.book_step": [
            f"{manage}/bilan-final/{site.programme}",
            f"{manage}/suivi/{site.programme}",
        ],
        "booking_manage.delete": [f"{manage}/supprimer"],
        "booking_manage.reissue_confirm": [f"/gerer/nouveau-lien/{site.reissue_code}"],
        "booking.cohort": [f"/groupes/{site.cohort}", f"/groupes/{site.open_cohort}"],
        "booking.book": [f"/rdv/{site.slot}", f"/rdv/{site.taken_slot}"],
        "booking.slots": [f"/programmes/{site.programme}/rdv"],
        "catalogue.programme": [f"/programmes/{site.programme}"],
        "orientation.start": [
            "/orientation",
            "/orientation?etape=1",  # step 1 sent empty: the error
            "/orientation?q=j%27ai+du+sucre",  # step 2
            "/orientation?condition=diabete",  # step 2 with the pregnancy question
        ],
        "orientation.results": [
            f"/orientation/resultats?{ORIENTATION}",
            "/orientation/resultats?q=diabete&commune=zzzzzz",  # step 2 with an error
            "/orientation/resultats?condition=diabete-type-2&commune=97400",  # nothing nearby
            "/orientation/resultats?q=diabete&commune=59178",  # a shared postal code's area
            "/orientation/resultats?q=sucre&commune=Boulogne",  # homonyms: the choice list
            # Arabic words, a corrected commune name
            "/orientation/resultats?q=%D8%B9%D9%86%D8%AF%D9%8A+%D8%A7%D9%84%D8%B3%D9%83%D8%B1"
            "&commune=Sarcele",
        ],
        "orientation.results_map": [f"/orientation/carte?{ORIENTATION}"],
        "directory.directory_page": [
            "/programmes",
            "/programmes?condition=diabete&departement=59&sort=next",
            DIRECTORY_ERRORS,  # errors next to the fields
        ],
        "directory.directory_map": ["/programmes/carte", "/programmes/carte?condition=diabete"],
        "directory.pro_offer": ["/pro/offre", "/pro/offre?departement=59"],
        "orientation.pro_orient": [
            "/pro/orienter",
            "/pro/orienter?condition=diabete-type-2&commune=59500&age=60",
            "/pro/orienter?condition=diabete-type-2&commune=59178",  # a postal code's area
            "/pro/orienter?condition=&commune=",  # errors
        ],
        "orientation.sheet": [f"/pro/orientation/{site.referral}"],
        # a referrer's own list: anonymous visitors land on the login page
        "orientation.my_referrals": ["/pro/mes-orientations"],
    }


def public_pages(app, site: PublicSite) -> list[str]:
    """Every public GET page of the url_map, with sample values for its parameters.

    Raises when a public route has parameters and no sample here: add one.
    """
    samples = _samples(site)
    urls, missing = [], []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        if "GET" not in rule.methods or rule.rule.startswith(EXCLUDED_PREFIXES):
            continue
        if rule.rule.endswith(EXCLUDED_SUFFIXES):
            continue
        if rule.endpoint in samples:
            urls.extend(samples[rule.endpoint])
        elif rule.arguments:
            missing.append(f"{rule.rule} ({rule.endpoint})")
        else:
            urls.append(rule.rule)
    if missing:
        raise AssertionError("public routes without a sample URL in tests/browser: " + str(missing))
    urls.append(NOT_FOUND)  # the 404 page
    return urls


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def new_context(browser, base_url: str, lang: str, **options):
    """A browser context in ``lang`` that refuses every third-party request (and logs it)."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(locale=LOCALES[lang], **options)
    context.third_party = []

    def refuse(route):
        context.third_party.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(base_url), refuse)
    return context


def gzip_size(body: bytes) -> int:
    """The size of a body compressed by gzip at level 6 (what nginx or Apache would send)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


NARROW_RULES = ["scrollable-region-focusable", "color-contrast", "target-size"]


def axe_rules(page, rules: list[str]) -> list[dict]:
    """Run only some axe-core rules (axe already loaded by ``axe_violations``)."""
    return page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: {type: 'rule', values: rules}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""",
        rules,
    )


def no_horizontal_scroll(page) -> tuple[int, int]:
    """(scrollWidth, viewport width) of the document."""
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))


def pytest_terminal_summary(terminalreporter):
    """Print the page weights and the axe results of the walk, when it ran."""
    from tests.browser import test_public_pages_a11y as walk

    if not walk.WEIGHTS and not walk.AXE:
        return
    write = terminalreporter.write_line
    terminalreporter.section("page weight in KB: HTML + CSS + JS as gzip -6 would send them")
    langs = sorted(walk.WEIGHTS, key=LANGUAGES.index)
    names = list(dict.fromkeys(n for lang in langs for n in walk.WEIGHTS[lang]))
    write(
        f"{'page':62} "
        + " ".join(f"{lang:>5}" for lang in langs)
        + f" | {'fr: html':>8} {'css':>4} {'js':>4} {'raw':>5} {'img':>4}"
    )
    kb = 1024
    for name in names:
        cells = []
        for lang in langs:
            w = walk.WEIGHTS[lang].get(name)
            cells.append(f"{w['total'] / kb:5.1f}" if w else f"{'-':>5}")
        fr = walk.WEIGHTS.get("fr", {}).get(name)
        detail = (
            f"{fr['html'] / kb:8.1f} {fr['css'] / kb:4.1f} {fr['js'] / kb:4.1f} "
            f"{fr['raw'] / kb:5.1f} {fr['other'] / kb:4.1f}"
            if fr
            else ""
        )
        shown = re.sub(r"/[\w.-]{24,}", "/<secret>", name)
        write(f"{shown[:62]:62} " + " ".join(cells) + " | " + detail)
    write("(raw: the same, uncompressed as gunicorn serves it; img: images, not counted)")
    terminalreporter.section("axe-core violations per language")
    for lang in sorted(walk.AXE, key=LANGUAGES.index):
        pages = walk.AXE[lang]
        bad = {name: v for name, v in pages.items() if v}
        write(f"{lang}: {len(pages)} pages checked, {len(bad)} with violations")
        for name, violations in bad.items():
            shown = re.sub(r"/[\w.-]{24,}", "/<secret>", name)
            write(f"  {shown}: " + ", ".join(v["id"] for v in violations))
