"""A staff feed needs a role: removing the last one revokes the link, and a user
without any membership gets no feed."""

from sqlalchemy import select

from etp_orient.accounts.models import Membership, User
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.feeds.services import issue_staff_feed_token
from tests.fixtures.manage import login_as, make_user
from tests.fixtures.manage import make_world as make_manage_world


def _educator_with_feed(app):
    with app.app_context():
        a, _b, _admin = make_manage_world()
        educator = a.users["educator"]
        token = issue_staff_feed_token(educator)
        boss = make_user("boss@example.org", is_admin=True)
        db.session.commit()
        return educator.id, token, boss.id


def test_removing_the_last_role_revokes_the_staff_feed(app, client, clock):
    educator_id, token, boss_id = _educator_with_feed(app)
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 200
    with app.app_context():
        login_as(client, db.session.get(User, boss_id))
        memberships = db.session.scalars(
            select(Membership.id).where(Membership.user_id == educator_id)
        ).all()
    assert memberships
    for membership_id in memberships:
        response = client.post(
            f"/gestion/admin/comptes/{educator_id}/roles/{membership_id}/retirer"
        )
        assert response.status_code == 302
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 404
    with app.app_context():
        assert db.session.get(User, educator_id).feed_token_hash is None
        revoked = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "feed_token.revoke", AuditEvent.object_id == str(educator_id)
            )
        )
        assert revoked.actor_user_id == boss_id


def test_a_user_without_any_membership_gets_no_feed(app, client, clock):
    educator_id, token, _boss = _educator_with_feed(app)
    with app.app_context():
        for membership in db.session.scalars(
            select(Membership).where(Membership.user_id == educator_id)
        ):
            db.session.delete(membership)  # bypassing the service: the look-up checks too
        db.session.commit()
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 404
