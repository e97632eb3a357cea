"""The session interface skips the signer when no cookie came, and reads a signed one as Flask does."""

from flask import request

from etp_orient.core.sessions import CookieSessions


def test_no_cookie_an_empty_session_a_signed_cookie_read_back(app):
    interface = app.session_interface
    assert isinstance(interface, CookieSessions)
    with app.test_request_context("/"):
        session = interface.open_session(app, request)
        assert dict(session) == {} and not session.modified
        session["lang_seen"] = "fr"
        response = app.response_class("")
        interface.save_session(app, session, response)
        cookie = response.headers["Set-Cookie"].split(";")[0]
    name, value = cookie.split("=", 1)
    with app.test_request_context("/", headers={"Cookie": f"{name}={value}"}):
        assert dict(interface.open_session(app, request)) == {"lang_seen": "fr"}
    with app.test_request_context("/", headers={"Cookie": f"{name}=forged.value"}):
        assert dict(interface.open_session(app, request)) == {}
