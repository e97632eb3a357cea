"""Language choice (link, then cookie, then browser) and locale-aware formatting."""

from urllib.parse import urlencode

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations

RTL_LANGUAGES = {"ar"}
LANG_COOKIE = "lang"


def select_locale() -> str:
    """Flask-Babel locale selector: ``?lang=``, then the cookie, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands, scripts: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        g.lang_chosen = asked
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def remember_language(response):
    """Keep the language chosen by a link in a cookie (one year)."""
    chosen = g.get("lang_chosen")
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def _locale():
    """Flask-Babel's locale of the current context: the one it already chose (or the one
    ``force_locale`` set) read directly, else ``get_locale()`` chooses it. (Read tens of
    times per page: Flask-Babel's own path costs several context look-ups each time.)"""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet, or no application context
        locale = None
    return locale if locale is not None else get_locale()


def current_language() -> str:
    """The two-letter code of the language the page is rendered in."""
    locale = _locale()
    return locale.language if locale is not None else "fr"


def translations():
    """Flask-Babel's translations for the current locale, remembered in the context for
    that locale (``force_locale`` sets another locale object, so they are looked up again)."""
    locale = _locale()
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):
        return get_translations()
    kept = getattr(ctx, "etp_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    ctx.etp_translations = (locale, found)
    return found


def text_direction() -> str:
    return "rtl" if current_language() in RTL_LANGUAGES else "ltr"


def init_app(app) -> None:
    app.after_request(remember_language)
    # the templates' _() and ngettext() (Flask-Babel installs the same, through its slower
    # look-up of the translations at every call; a page has dozens)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def inject_language():
        def lang_url(code: str) -> str:
            args = request.args.to_dict(flat=False)
            args["lang"] = [code]
            return request.path + "?" + urlencode(args, doseq=True)

        return {
            "lang_url": lang_url,
            "current_language": current_language(),
            "text_direction": text_direction(),
            "languages": [("fr", "Français"), ("en", "English"), ("ar", "العربية")],
        }


def language_names(codes) -> list[str]:
    """The names of languages (ISO 639 codes) in the page's language ("arabe", "Arabic"),
    the French name or the code itself when Babel has none in that language."""
    from babel import Locale
    from flask_babel import gettext

    # languages the CLDR data does not name
    own = {"fsl": lambda: gettext("Langue des signes française (LSF)")}
    names = Locale.parse(current_language()).languages
    french = Locale.parse("fr").languages
    return [
        own[code]() if code in own else names.get(code) or french.get(code) or code
        for code in codes
    ]
