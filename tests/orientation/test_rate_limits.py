"""Referrals and their e-mails need no account, so they are rate-limited per address."""

from sqlalchemy import func, select

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.orientation.models import Referral


def test_making_referrals_is_rate_limited(offer, limited_client):
    statuses = [limited_client.post("/pro/orienter/bpco-lille").status_code for _ in range(31)]
    assert statuses[:30] == [302] * 30
    assert statuses[30] == 429
    db.session.rollback()
    assert db.session.scalar(select(func.count(Referral.id))) == 30


def test_sending_referral_links_is_rate_limited(offer, limited_client):
    location = limited_client.post("/pro/orienter/bpco-lille").location
    code = location.rsplit("/", 1)[-1]
    statuses = [
        limited_client.post(
            f"/pro/orientation/{code}/envoyer",
            data={"email": f"p{n}@example.org", "language": "fr", "consent": "y"},
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 20
