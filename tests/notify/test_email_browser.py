"""The HTML e-mails pass axe-core (WCAG 2.1 AA) in a real browser, in French and Arabic."""

import pytest

from etp_orient.notify.services import render_message
from tests.fixtures.servers import axe_violations

from .conftest import reminder_context

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("template", ["reminder_booking", "reminder_session"])
def test_reminder_html_has_no_axe_violation(ctx, page, template, language):
    context = reminder_context(
        relink_url="http://etp.test/gerer/nouveau-lien", room="Salle 2", video_url=None
    )
    html = render_message("emails", template, language, context)["html"]
    page.set_content(html)
    assert page.locator("html").get_attribute("lang") == language
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"]) for v in violations]
