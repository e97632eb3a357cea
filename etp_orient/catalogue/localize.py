"""The offer's texts in the reader's language: the coordinator's translation, or the French.

Programmes, workshops and sites carry ``translations`` (``{"en": {field: text}, "ar": …}``)
beside their French fields. ``localized(obj, field)`` picks the text for the language
being rendered, at render time: the same value put in an e-mail's context is read in the
recipient's language (``force_locale``), and in a page's.

In a template, ``{{ programme|localized("title") }}`` writes the text; when the French
stands in for a missing translation, it writes ``<span lang="fr">…</span>`` and a visible
"(in French)" mark after it. ``.bare`` gives the same without the mark (for a hidden
suffix of a link), ``str()`` the text alone (attributes, plain-text e-mails, calendars).
"""

from markupsafe import Markup, escape

from ..core.i18n import RTL_LANGUAGES, current_language

SOURCE_LANGUAGE = "fr"
# languages a coordinator may give a version in (the site's other languages)
TRANSLATION_LANGUAGES = ("en", "ar")
# the fields that carry translations, per kind of row
TRANSLATED_FIELDS = {
    "programme": ("title", "plain_title", "summary_plain"),
    "workshop": ("title", "summary_plain"),
    "site": ("name", "transport"),
}
# fields read through others: the title shown to patients is the plain one, else the declared
COMPOSITE = {"display_title": ("plain_title", "title")}


def _pick(obj, field: str, language: str) -> tuple[str | None, str]:
    """(text, language of the text) for ``field`` of ``obj``; (None, "fr") when empty."""
    parts = COMPOSITE.get(field, (field,))
    if language != SOURCE_LANGUAGE:
        own = (getattr(obj, "translations", None) or {}).get(language) or {}
        for part in parts:
            if own.get(part):
                return own[part], language
    for part in parts:
        value = getattr(obj, part, None)
        if value:
            return value, SOURCE_LANGUAGE
    return None, SOURCE_LANGUAGE


class OfferText:
    """A text of the offer, resolved in the language current when it is rendered."""

    __slots__ = ("_obj", "_field", "_language")

    def __init__(self, obj, field: str, language: str | None = None):
        self._obj = obj
        self._field = field
        self._language = language

    def _resolve(self) -> tuple[str | None, str, str]:
        page = self._language or current_language()
        text, lang = _pick(self._obj, self._field, page)
        return text, lang, page

    @property
    def text(self) -> str:
        return self._resolve()[0] or ""

    @property
    def lang(self) -> str:
        """The language of the text (``fr`` when the French stands in)."""
        return self._resolve()[1]

    @property
    def in_french(self) -> bool:
        """True when the page is not French and the text is (no translation given)."""
        text, lang, page = self._resolve()
        return bool(text) and lang != page

    def _markup(self, mark: bool) -> Markup:
        from flask_babel import gettext

        text, lang, page = self._resolve()
        if not text:
            return Markup("")
        if lang == page:
            return escape(text)
        if page in RTL_LANGUAGES:  # French runs left to right inside a right-to-left page
            html = Markup('<span lang="{}" dir="ltr">{}</span>').format(lang, text)
        else:
            html = Markup('<span lang="{}">{}</span>').format(lang, text)
        if mark:
            html += Markup(' <span class="lang-mark">{}</span>').format(gettext("(en français)"))
        return html

    def __html__(self) -> Markup:
        return self._markup(mark=True)

    @property
    def bare(self) -> Markup:
        """The text with its ``lang`` but without the visible mark."""
        return self._markup(mark=False)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"<OfferText {self._field} of {self._obj!r}>"


def localized(obj, field: str, language: str | None = None) -> OfferText:
    """``field`` of a programme, workshop or site (or an index entry of one) in the reader's
    language (``language`` forces one), falling back to the French."""
    return OfferText(obj, field, language)


def clean_translations(kind: str, given: dict | None) -> dict | None:
    """Keep the known languages and fields with a text (stripped); None when nothing is left."""
    result = {}
    for language in TRANSLATION_LANGUAGES:
        fields = (given or {}).get(language) or {}
        kept = {
            name: fields[name].strip()
            for name in TRANSLATED_FIELDS[kind]
            if isinstance(fields.get(name), str) and fields[name].strip()
        }
        if kept:
            result[language] = kept
    return result or None


class Translatable:
    """Mixin for the rows whose texts have translations (a ``translations`` JSON column)."""

    def localized(self, field: str, language: str | None = None) -> OfferText:
        return localized(self, field, language)


def init_app(app) -> None:
    app.add_template_filter(localized, "localized")
