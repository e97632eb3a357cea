"""Flask's signed-cookie sessions, without building the signer when there is no cookie.

Most requests (a search, the API, a programme page) come without a session cookie;
Flask's own interface still builds an itsdangerous serializer (key derivation and all)
for each of them before finding nothing to read. Here the cookie is looked at first;
with one, or with no ``SECRET_KEY`` (the null session), Flask's code runs unchanged.
"""

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app) -> None:
    app.session_interface = CookieSessions()
