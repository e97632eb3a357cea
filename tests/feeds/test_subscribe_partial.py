"""templates/feeds/_subscribe.html: the partial other pages include to offer a feed."""

from flask import render_template_string

from etp_orient.feeds.views import feed_url, webcal_url

PAGE = (
    '{% with feed_url="https://etp.example/calendar/programme/prog-a.ics" %}'
    '{% include "feeds/_subscribe.html" %}{% endwith %}'
)


def render(app, source=PAGE):
    with app.test_request_context("/"):
        return render_template_string(source)


def test_webcal_link_and_address_to_copy(app):
    html = render(app)
    assert 'href="webcal://etp.example/calendar/programme/prog-a.ics"' in html
    assert 'value="https://etp.example/calendar/programme/prog-a.ics"' in html
    assert "readonly" in html


def test_steps_for_each_platform(app):
    html = render(app)
    for name in ("Google Agenda", "Outlook", "iPhone, iPad ou Mac", "Téléphone Android"):
        assert name in html


def test_no_inline_script(app):
    html = render(app)
    assert "<script>" not in html
    assert 'style="' not in html


def test_feed_url_helper_uses_base_url(app):
    with app.test_request_context("/"):
        assert feed_url("programme", "prog-a") == "http://etp.test/calendar/programme/prog-a.ics"
        assert feed_url("me", "tok") == "http://etp.test/calendar/me/tok.ics"


def test_webcal_url():
    assert webcal_url("https://a.example/x.ics") == "webcal://a.example/x.ics"
    assert webcal_url("http://a.example/x.ics") == "webcal://a.example/x.ics"
