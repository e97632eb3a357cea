"""A structure admin manages the roles of their own structure, and only those."""

from sqlalchemy import select

from etp_orient.accounts.models import Membership, User
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world


def _admin_of_a(app, client):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["admin"])


def test_structure_admin_adds_a_new_account_and_an_existing_one(app, client, clock):
    _admin_of_a(app, client)
    response = client.post(
        "/gestion/structures/struct-a/membres",
        data={
            "email": "new.educ@example.org",
            "password": "une phrase assez longue",
            "role": "educator",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/gestion/structures/struct-a/membres",
        data={"email": "coordinator-b@example.org", "role": "educator"},
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(Membership).where(
                Membership.structure.has(code="struct-a"), Membership.role == "educator"
            )
        ).all()
        emails = sorted(m.user.email for m in rows)
        assert emails == [
            "coordinator-b@example.org",
            "educator-a@example.org",
            "new.educ@example.org",
        ]


def test_coordinator_sees_the_team_but_cannot_change_it(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
    assert client.get("/gestion/structures/struct-a/membres").status_code == 200
    response = client.post(
        "/gestion/structures/struct-a/membres",
        data={"email": "x@example.org", "password": "une phrase assez longue", "role": "admin"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_admin_cannot_remove_their_own_admin_role(app, client, clock):
    _admin_of_a(app, client)
    with app.app_context():
        membership = db.session.scalar(
            select(Membership).where(Membership.user.has(email="admin-a@example.org"))
        )
        membership_id = membership.id
    response = client.post(f"/gestion/structures/struct-a/membres/{membership_id}/retirer")
    assert response.status_code == 400
