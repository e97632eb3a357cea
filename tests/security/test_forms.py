"""Every POST route: refused without a CSRF token (keeping what was typed), payloads
escaped, SQL metacharacters harmless, oversized bodies refused with 413."""

import re

from sqlalchemy import func, select

from etp_orient.accounts.models import User
from etp_orient.booking.models import Booking, Participant
from etp_orient.catalogue.models import Programme
from etp_orient.extensions import db
from tests.fixtures.manage import login_as
from tests.security.conftest import PAYLOAD, build_url, routes

NAME = re.compile(r"<(?:input|textarea|select)\b[^>]*\bname=\"([^\"]+)\"", re.I)
TYPE = re.compile(r"\btype=\"([^\"]+)\"", re.I)
GENERIC_FIELDS = ("email", "first_name", "last_name", "note", "q", "title", "name", "reason")


def _text_fields(html: str) -> list[str]:
    names = []
    for tag in re.finditer(r"<(?:input|textarea|select)\b[^>]*>", html, re.I):
        found = NAME.search(tag.group(0))
        kind = TYPE.search(tag.group(0))
        if not found or found.group(1) == "csrf_token":
            continue
        if kind and kind.group(1).lower() in ("hidden", "submit", "checkbox", "radio"):
            continue
        names.append(found.group(1))
    return names


def _form_fields(client, url: str, rule) -> list[str]:
    names = list(GENERIC_FIELDS)
    if "GET" in rule.methods:
        response = client.get(url)
        if response.mimetype == "text/html":
            names += _text_fields(response.get_data(as_text=True))
    return sorted(set(names))


def _relogin(client, sec_world):
    login_as(client, db.session.get(User, sec_world.admin_id))


def test_every_post_without_csrf_token_gets_400_keeping_what_was_typed(
    app, admin_client, sec_world, csrf_enabled
):
    checked = 0
    for rule in routes(app, "POST"):
        url = build_url(rule, sec_world)
        response = admin_client.post(
            url,
            data={"first_name": "Zoé-Gardée", "password": "never-shown-again"},
            headers={"Origin": "http://localhost"},
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert "Zoé-Gardée" in body, url
        assert "never-shown-again" not in body, url
        assert 'name="csrf_token"' in body, url
        checked += 1
    assert checked > 20


def test_the_kept_form_resubmits_with_a_fresh_token(app, sec_world, csrf_enabled):
    client = app.test_client()
    client.get("/rdv/slot-a")  # the session holds a CSRF secret, as for a real visitor
    form = {
        "first_name": "Camille",
        "last_name": "Martin",
        "birth_year": "1970",
        "email": "camille.kept@example.org",
        "language": "fr",
        "consent_contact": "y",
        "csrf_token": "stale-token",
    }
    refused = client.post("/rdv/slot-a", data=form, headers={"Origin": "http://localhost"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert fields["email"] == "camille.kept@example.org"
    assert fields["csrf_token"] != "stale-token"
    again = client.post("/rdv/slot-a", data=fields)
    assert again.status_code in (200, 302, 303)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Participant)
            .where(Participant.email == "camille.kept@example.org")
        )
        == 1
    )


def test_a_cross_site_post_gets_no_prefilled_form(app, sec_world, csrf_enabled):
    client = app.test_client()
    response = client.post(
        "/rdv/slot-a",
        data={"first_name": "Attaquant"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Attaquant" not in body
    assert '<form method="post" action="/rdv' not in body


def _assert_escaped(response, where: str) -> None:
    if response.mimetype != "text/html":
        return
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body, where
    assert "<img src=x" not in body, where


def test_payloads_in_every_form_field_come_back_escaped(app, admin_client, sec_world):
    for rule in routes(app, "POST"):
        _relogin(admin_client, sec_world)
        url = build_url(rule, sec_world)
        fields = _form_fields(admin_client, url, rule)
        response = admin_client.post(url, data={name: PAYLOAD for name in fields})
        assert response.status_code < 500, url
        _assert_escaped(response, url)
    # What was stored comes back escaped on every page too.
    _relogin(admin_client, sec_world)
    for rule in routes(app, "GET"):
        response = admin_client.get(build_url(rule, sec_world))
        response.close()
        assert response.status_code < 500, rule.rule
        _assert_escaped(response, rule.rule)


QUERY_NAMES = (
    "q",
    "commune",
    "condition",
    "age",
    "pregnant",
    "format",
    "radius_km",
    "next",
    "lang",
    "code",
    "referral_code",
    "limit",
    "year",
    "view",
    "week",
    "month",
    "structure",
    "site",
    "facilitator",
    "pro",
    "date",
    "page",
    "sort",
)


def test_payloads_in_every_query_parameter_come_back_escaped(app, admin_client, sec_world):
    for rule in routes(app, "GET"):
        url = build_url(rule, sec_world)
        response = admin_client.get(url, query_string={n: PAYLOAD for n in QUERY_NAMES})
        response.close()
        assert response.status_code < 500, url
        _assert_escaped(response, url)


SQL = ("' OR '1'='1", "'; DROP TABLE participants; --", '" OR 1=1 --', "%' --", "\\'; --")


def _counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Participant, Booking, Programme, User)
    )


def test_sql_metacharacters_change_nothing(app, admin_client, sec_world):
    before = _counts()
    for turn, rule in enumerate(routes(app, "GET")):
        for text in SQL:
            if "<" in rule.rule and rule.endpoint != "static":
                # in the path: the code or token itself
                path = re.sub(
                    r"<(?:[a-z]+:)?(code|token|slot_code|cohort_code|slug)>", text, rule.rule
                )
                if "<" not in path:
                    response = admin_client.get(path)
                    response.close()
                    assert response.status_code in (301, 302, 308, 400, 404), path
        text = SQL[turn % len(SQL)]
        url = build_url(rule, sec_world)
        response = admin_client.get(url, query_string={n: text for n in QUERY_NAMES})
        response.close()
        assert response.status_code < 500, url
    for text in SQL:
        # the API answers no more than for an unknown word
        api = admin_client.get("/api/v1/communes", query_string={"q": text}).get_json()
        assert not api.get("results") if isinstance(api, dict) else api == []
        login = app.test_client().post("/connexion", data={"email": text, "password": text})
        assert login.status_code == 200
    assert _counts() == before


def test_oversized_bodies_get_a_clear_413(app, sec_world):
    client = app.test_client()
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for url in ("/rdv/slot-a", "/connexion", "/groupes/grp-a", "/gerer/nouveau-lien"):
        response = client.post(url, data={"first_name": big})
        assert response.status_code == 413, url
        assert "trop gros" in response.get_data(as_text=True), url
