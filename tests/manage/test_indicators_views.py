"""The indicators page, its CSV and the command line."""

from datetime import UTC, datetime

from sqlalchemy import select

from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world
from tests.manage.test_indicators import _world


def test_page_shows_each_figure_with_its_rule_and_a_labelled_chart(app, client, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    with app.app_context():
        a, b, admin = make_world()
        _world()
        login_as(client, admin)
    page = client.get("/gestion/indicateurs?annee=2026").get_data(as_text=True)
    assert "Règle de calcul" in page
    assert "BEP « non venu » divisés par" in page
    assert "33.3 %" in page
    assert "Patients avec un BEP" in page and "bar-chart" in page


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
    with app.app_context():
        login_as(client, db.session.merge(a.users["coordinator"]))
    lines = client.get("/gestion/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026,territory,,orientations,Orientations réalisées,4," in lines
    assert "2026,territory,,unmet,Orientations sans rien sur place à portée,1," in lines
    with app.app_context():
        login_as(client, db.session.merge(admin))
    lines = client.get("/gestion/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026,territory,,orientations,Orientations réalisées,6," in lines
    assert "2026,territory,,unmet,Orientations sans rien sur place à portée,2," in lines
