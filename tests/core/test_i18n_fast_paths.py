"""The page language and the templates' translations read through fast paths
(``core.i18n.current_language``, ``core.i18n.translations``) still follow Flask-Babel:
the language of the request, and ``force_locale`` (e-mails in the recipient's language)."""

from flask import render_template_string
from flask_babel import force_locale, gettext

from etp_orient.core.i18n import current_language, translations

TEMPLATE = '{{ _("Prendre rendez-vous") }}|{{ ngettext("%(num)d place", "%(num)d places", 2) }}'


def test_the_language_and_the_templates_follow_force_locale(app):
    with app.test_request_context("/?lang=en"):
        assert current_language() == "en"
        english = render_template_string(TEMPLATE)
        assert english.startswith("Book an appointment|")
        assert translations() is translations()  # remembered for the request
        with force_locale("ar"):
            assert current_language() == "ar"
            assert render_template_string(TEMPLATE).startswith("احجز موعدًا|")
            assert translations().ugettext("Prendre rendez-vous") == gettext("Prendre rendez-vous")
        with force_locale("fr"):
            assert render_template_string(TEMPLATE).startswith("Prendre rendez-vous|")
        assert current_language() == "en"
        assert render_template_string(TEMPLATE) == english


def test_outside_a_request_the_default_language(app):
    with app.app_context():
        assert current_language() == "fr"
    assert current_language() == "fr"  # no application context at all
