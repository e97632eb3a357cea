"""The indicators page, its CSV and the command line."""

from datetime import UTC, datetime

from sqlalchemy import select

from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world
from tests.manage.test_indicators import _world


def _admin_page(app, client, clock, lang="fr"):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    with app.app_context():
        a, b, admin = make_world()
        _world()
        login_as(client, admin)
    return client.get(f"/gestion/indicateurs?annee=2026&lang={lang}").get_data(as_text=True)


def _chart(page: str, chart_id: str) -> str:
    return page.split(f'id="{chart_id}"')[1].split("</figure>")[0]


def test_page_is_a_summary_with_charts_and_the_rules_one_click_away(app, client, clock):
    page = _admin_page(app, client, clock)
    # key figures of the fixture year (see tests/manage/test_indicators.py)
    key = page.split('class="key-figures"')[1].split("</dl>")[0]
    assert "<dt>Patients retirés avant le début</dt><dd>1</dd>" in key
    assert "<dt>Programmes actifs</dt><dd>2</dd>" in key
    assert "<dt>Orientations sans rien sur place à portée</dt><dd>2</dd>" in key
    # each chart: an SVG hidden from screen readers, its numbers in a table
    path = _chart(page, "chart-path")
    assert '<svg class="chart"' in path and 'aria-hidden="true"' in path
    assert '<tr><th scope="row">Sortis en cours de route</th><td>2</td></tr>' in path
    assert '<tr><th scope="row">Retirés avant le début</th><td>1</td></tr>' in path
    unmet = _chart(page, "chart-unmet")
    assert '<tr><th scope="row">59</th><td>1</td></tr>' in unmet
    # the rules once, inside a closed <details>; no table per programme on this page
    assert page.count("Règle de calcul") == 1
    details = page.split('<details class="indicator-details">')[1]
    assert "BEP « non venu » divisés par" in details
    assert "<details open" not in page
    # light: every programme is one row linking to its own page
    assert 'href="/gestion/indicateurs/p1?annee=2026"' in page
    assert len(page.encode()) < 30_000


def test_bars_are_proportional_and_mirrored_right_to_left(app, client, clock):
    page = _admin_page(app, client, clock, lang="ar")
    svg = _chart(page, "chart-channels").split("<svg")[1].split("</svg>")[0]
    assert 'direction="rtl"' in svg
    rects = [
        (int(r.split('x="')[1].split('"')[0]), int(r.split('width="')[1].split('"')[0]))
        for r in svg.split("<rect")[1:]
    ]
    # professional 3, patient 2, api 1: lengths 3:2:1, all ending on the right edge
    assert [x + w for x, w in rects] == [360, 360, 360]
    assert [w for _x, w in rects] == [304, 203, 101]


def test_programme_page_has_every_figure_with_its_rule(app, client, clock):
    _admin_page(app, client, clock)
    page = client.get("/gestion/indicateurs/p1?annee=2026").get_data(as_text=True)
    assert "Règle de calcul" in page and "BEP « non venu » divisés par" in page
    assert "33.3 %" in page  # P1's BEP no-shows
    assert "Patients retirés avant le début" in page
    assert "Orientations réalisées" not in page  # territory figures are not per programme
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "indicators.read", AuditEvent.object_type == "programme"
            )
        )


def test_programme_page_of_another_structure_is_404(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
    assert client.get("/gestion/indicateurs/prog-a").status_code == 200
    assert client.get("/gestion/indicateurs/prog-b").status_code == 404
    assert client.get("/gestion/indicateurs/nope").status_code == 404


def test_coordinator_sees_only_their_programmes(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
    page = client.get("/gestion/indicateurs").get_data(as_text=True)
    assert "Programme secret A" in page and "Programme secret B" not in page


def test_csv_export_is_audited(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
    response = client.get("/gestion/indicateurs.csv?annee=2026")
    assert response.mimetype == "text/csv"
    assert "prog-a" in response.get_data(as_text=True) and "prog-b" not in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.indicators"))


def test_command_line_csv(app, runner, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    with app.app_context():
        _world()
    result = runner.invoke(args=["indicators", "--year", "2026", "--csv"])
    assert result.exit_code == 0, result.output
    assert "2026,territory,,orientations,Orientations réalisées,6," in result.output
    assert '2026,territory,,unmet_by_departement,… par département,"16: 1, 59: 1",' in result.output
    plain = runner.invoke(args=["indicators", "--year", "2026"])
    assert "bep_patients" in plain.output


def test_orientation_counts_follow_the_users_structures(app, client, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    with app.app_context():
        a, b, admin = make_world()  # A in Angoulême (16), B in Lille (59)
        _world()  # 2026: four logs in 16, one in 59, one without a commune
        login_as(client, b.users["coordinator"])
    lines = client.get("/gestion/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026,territory,,orientations,Orientations réalisées,1," in lines
    assert (
        '2026,territory,,unmet_by_departement_condition,… par département et maladie,"59 / bpco: 1, 59 / hypertension: 1",'
        in lines
    )
    page = client.get("/gestion/indicateurs?annee=2026").get_data(as_text=True)
    assert "orientations : le département 59." in page
    with app.app_context():
        login_as(client, db.session.merge(a.users["coordinator"]))
    lines = client.get("/gestion/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026,territory,,orientations,Orientations réalisées,4," in lines
    assert "2026,territory,,unmet,Orientations sans rien sur place à portée,1," in lines
    with app.app_context():
        login_as(client, db.session.merge(admin))
    page = client.get("/gestion/indicateurs?annee=2026").get_data(as_text=True)
    assert "orientations : toute la plateforme." in page
    lines = client.get("/gestion/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026,territory,,orientations,Orientations réalisées,6," in lines
    assert "2026,territory,,unmet,Orientations sans rien sur place à portée,2," in lines
