"""Control characters: a 404 in a path, a 400 in a query or with a NUL in a form, a
message next to a form field for the others; invisible bidirectional characters
are removed from what people type (``core.clean``, ``core.forms.BaseForm``)."""

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from etp_orient.booking.models import Participant
from etp_orient.extensions import db
from tests.security.conftest import build_url, routes
from tests.security.test_forms import QUERY_NAMES, _form_fields, _relogin

NUL = "a\x00b"


def test_a_control_character_in_any_path_is_not_found(app, admin_client, sec_world):
    checked = 0
    for rule in routes(app, "GET"):
        for name in rule.arguments - set(rule.defaults or {}):  # those in the path
            if isinstance(rule._converters[name], IntegerConverter):
                continue  # an id: a NUL never matches <int:…>
            for bad in ("%00", "x%1Bx", "x%0Ax", "x%7Fx"):
                path = build_url(rule, sec_world, {name: bad})
                response = admin_client.get(path)
                response.close()
                assert response.status_code == 404, path
                checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "path",
    [
        "/programmes/%00",
        "/rdv/%00",
        "/groupes/%00",
        "/calendar/programme/%00.ics",
        "/api/v1/programmes/%00",
        "/gerer/%00",
    ],
)
def test_the_reported_paths_are_not_found(client, sec_world, path):
    assert client.get(path).status_code == 404


def test_a_control_character_in_any_query_is_a_bad_request(app, admin_client, sec_world):
    for rule in routes(app, "GET"):
        url = build_url(rule, sec_world)
        for bad in (NUL, "a\x1bb", "a\nb"):
            response = admin_client.get(url, query_string={n: bad for n in (*QUERY_NAMES, "apres")})
            response.close()
            assert response.status_code == 400, url


def test_a_nul_in_any_posted_form_is_a_bad_request(app, admin_client, sec_world):
    before = db.session.scalar(select(func.count(Participant.id)))
    for rule in routes(app, "POST"):
        _relogin(admin_client, sec_world)
        url = build_url(rule, sec_world)
        fields = _form_fields(admin_client, url, rule)
        for name in fields:
            response = admin_client.post(url, data={n: "Ana" for n in fields} | {name: NUL})
            assert response.status_code == 400, (url, name)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Participant.id))) == before


def test_other_controls_in_any_posted_form_never_fail(app, admin_client, sec_world):
    for rule in routes(app, "POST"):
        _relogin(admin_client, sec_world)
        url = build_url(rule, sec_world)
        fields = _form_fields(admin_client, url, rule)
        response = admin_client.post(url, data={n: "An\x1ba\u202e\r\n" for n in fields})
        assert response.status_code < 500, url


def _all_forms():
    import etp_orient.accounts.forms
    import etp_orient.booking.forms
    import etp_orient.manage.forms
    import etp_orient.orientation.forms  # noqa: F401  (every form class, imported)
    from etp_orient.core.forms import BaseForm

    found, todo = [], [BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return sorted(set(found), key=lambda c: c.__module__ + c.__name__)


def _text_fields_of(form) -> list:
    from wtforms import HiddenField, PasswordField, StringField

    return [
        f
        for f in form
        if isinstance(f, StringField) and not isinstance(f, (PasswordField, HiddenField))
    ]


FORMS = _all_forms()


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_every_text_field_of_every_form_refuses_a_control_character(app, form_class):
    with app.test_request_context(method="POST", data={}):
        names = [f.name for f in _text_fields_of(form_class())]
    for name in names:
        with app.test_request_context(method="POST", data={name: "Ana\x1bB"}):
            form = form_class()
            form.validate()
            assert "Ce texte contient un caractère invisible non autorisé." in [
                str(e) for e in form[name].errors
            ], name
            assert form[name].data.lower() == "ana\x1bb"  # kept, to correct (codes lower-cased)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__name__)
def test_one_line_fields_refuse_a_line_break(app, form_class):
    from wtforms import TextAreaField

    with app.test_request_context(method="POST", data={}):
        fields = _text_fields_of(form_class())
        names = [f.name for f in fields if not isinstance(f, TextAreaField)]
        areas = [f.name for f in fields if isinstance(f, TextAreaField)]
    for name in names:
        with app.test_request_context(method="POST", data={name: "Vivre\r\nmieux"}):
            form = form_class()
            form.validate()
            assert "Écrivez ce texte sur une seule ligne." in [str(e) for e in form[name].errors]
    for name in areas:
        with app.test_request_context(method="POST", data={name: "Ligne 1\r\nLigne 2\tfin"}):
            form = form_class()
            form.validate()
            assert not [e for e in form[name].errors if "ligne" in str(e) or "invisible" in str(e)]


def test_every_form_derives_from_the_base_form():
    """A form made straight from FlaskForm would skip the check (e.g. after a merge)."""
    from flask_wtf import FlaskForm

    _all_forms()  # imports every forms module
    for module in ("content", "feeds", "api", "catalogue", "manage", "booking"):
        __import__(f"etp_orient.{module}.views")
    direct = [c for c in FlaskForm.__subclasses__() if c.__module__.startswith("etp_orient")]
    assert [f"{c.__module__}.{c.__name__}" for c in direct] == ["etp_orient.core.forms.BaseForm"]
