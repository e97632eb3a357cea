"""Cohorts are named for people ("Groupe du mardi 1 décembre – Angoulême"), not by code."""

from datetime import UTC, datetime

from tests.fixtures.manage import login_as, make_world

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday 1 December, 14:00 in Paris


def test_group_pages_and_dashboard_name_the_cohort(app, client, clock):
    with app.app_context():
        a, b, admin = make_world(START)
        login_as(client, a.users["coordinator"])
    label = "Groupe du mardi 1 décembre – Angoulême"
    group = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    assert f"<h1>{label}</h1>" in group
    for path in ("/gestion/programmes/prog-a/groupes", "/gestion/groupes/grp-a/presences"):
        assert label in client.get(path).get_data(as_text=True), path
