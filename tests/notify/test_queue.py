"""Queueing: rendered in the person's language, in the caller's transaction, never twice."""

import threading

from sqlalchemy import func, select

from etp_orient.core.db import begin_write
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.services import queue_email, queue_sms, withdraw_pending

from .conftest import reminder_context

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def count(**filters) -> int:
    query = select(func.count()).select_from(OutboxMessage).filter_by(**filters)
    return db.session.scalar(query)


def test_email_is_rendered_in_french_with_text_and_html(ctx, clock):
    message = queue_email(
        to="camille@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
    )
    assert message.id is not None
    assert message.status == "pending" and message.attempts == 0
    assert message.next_attempt_at == clock()
    assert "mercredi 25 novembre 2026" in message.subject
    assert "Bonjour Camille," in message.body_text
    assert "14:00" in message.body_text  # 13:00 UTC is 14:00 in Paris
    assert "http://etp.test/" in message.body_text
    assert '<html lang="fr" dir="ltr">' in message.body_html


def test_email_follows_the_persons_language(ctx):
    english = queue_email(
        to="a@example.org", template="reminder_booking", language="en", context=reminder_context()
    )
    arabic = queue_email(
        to="b@example.org", template="reminder_booking", language="ar", context=reminder_context()
    )
    assert english.language == "en" and "Wednesday" in english.body_text
    assert '<html lang="ar" dir="rtl">' in arabic.body_html
    assert "الأربعاء" in arabic.body_text


def test_unknown_language_falls_back_to_french(ctx):
    message = queue_email(
        to="a@example.org", template="reminder_booking", language="xx", context=reminder_context()
    )
    assert message.language == "fr"


def test_html_escapes_the_context(ctx):
    message = queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(first_name="<script>x</script>"),
    )
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html


def test_ics_is_stored_with_its_method(ctx):
    message = queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        ics=ICS.encode(),
        ics_method="cancel",
    )
    assert message.ics == ICS
    assert message.ics_method == "CANCEL"


def test_queued_message_rides_in_the_callers_transaction(ctx):
    queue_email(
        to="a@example.org", template="reminder_booking", language="fr", context=reminder_context()
    )
    db.session.rollback()
    assert count() == 0


def test_dedupe_key_queues_once_and_keeps_the_transaction_usable(ctx):
    first = queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        dedupe_key="test:1",
    )
    db.session.commit()
    second = queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        dedupe_key="test:1",
    )
    other = queue_sms(
        to="+33612345678",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
    )
    db.session.commit()
    assert first is not None and second is None and other.id is not None
    assert count(dedupe_key="test:1") == 1
    assert count() == 2


def test_dedupe_key_refused_by_the_database_inside_a_savepoint(ctx, monkeypatch):
    """Two writers who both saw "not queued yet": the unique constraint decides."""
    queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        dedupe_key="test:race",
    )
    db.session.commit()
    kept = queue_sms(
        to="+33612345678", template="reminder_booking", language="fr", context=reminder_context()
    )
    # the pre-check is skipped, as if another transaction had inserted meanwhile
    monkeypatch.setattr(db.session, "scalar", lambda *a, **k: None)
    duplicate = queue_email(
        to="a@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        dedupe_key="test:race",
    )
    monkeypatch.undo()
    db.session.commit()
    assert duplicate is None
    assert db.session.get(OutboxMessage, kept.id) is not None
    assert count() == 2


def test_dedupe_holds_under_concurrent_writers(app, clock):
    barrier = threading.Barrier(4)
    results = []

    def writer():
        with app.app_context():
            barrier.wait()
            begin_write()  # what booking services do first
            message = queue_email(
                to="a@example.org",
                template="reminder_booking",
                language="fr",
                context=reminder_context(),
                dedupe_key="test:threads",
            )
            db.session.commit()
            results.append(message is not None)
            db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    with app.app_context():
        assert count(dedupe_key="test:threads") == 1


def test_sms_is_rendered_from_its_own_template(ctx):
    message = queue_sms(
        to="+33612345678",
        template="reminder_booking",
        language="fr",
        context=reminder_context(programme_title="Mieux vivre avec le diabète"),
    )
    assert message.channel == "sms" and message.subject is None and message.body_html is None
    assert message.body_text.startswith("Rappel : rendez-vous le mercredi 25 novembre 2026")
    assert "diabète" not in message.body_text


def test_withdraw_pending_stops_unsent_messages_only(ctx):
    for key in ("reminder:booking:1:r0", "reminder:booking:1:r1", "reminder:booking:10:r0"):
        queue_email(
            to="a@example.org",
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
            dedupe_key=key,
        )
    withdrawn = withdraw_pending("reminder:booking:1:", keep="reminder:booking:1:r1")
    assert withdrawn == 1
    assert count(status="pending") == 2
    assert count(status="failed", dedupe_key="reminder:booking:1:r0") == 1


def test_email_queued_during_a_request_uses_the_persons_language(app, clock):
    from flask_babel import get_locale

    with app.test_request_context("/?lang=ar"):
        assert str(get_locale()) == "ar"
        message = queue_email(
            to="a@example.org",
            template="reminder_booking",
            language="en",
            context=reminder_context(),
        )
        assert "Wednesday" in message.body_text
        assert str(get_locale()) == "ar"  # the page goes on in its own language
        db.session.rollback()


def test_purge_outbox_deletes_old_sent_and_failed_only(ctx, clock):
    from datetime import timedelta

    from etp_orient.notify.services import purge_outbox

    statuses = ("sent", "failed", "pending", "sent")
    for i, status in enumerate(statuses):
        message = queue_email(
            to=f"p{i}@example.org",
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
        )
        message.status = status
    clock.advance(days=31)
    recent = queue_email(
        to="recent@example.org",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
    )
    recent.status = "sent"
    db.session.commit()
    assert purge_outbox(clock() - timedelta(days=30)) == 3
    db.session.commit()
    remaining = db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id))
    assert list(remaining) == ["p2@example.org", "recent@example.org"]


def test_forget_messages_deletes_a_persons_messages_not_a_relatives(ctx):
    from etp_orient.notify.services import forget_messages, queue_sms

    def email(to, owner=None):
        queue_email(
            to=to,
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
            owner=owner,
        )

    email("camille@example.org", owner="participant:1")
    email("camille@example.org", owner="participant:2")  # a relative, same address
    email("camille@example.org")  # a referral link: nobody's in particular
    email("other@example.org")
    queue_sms(
        to="+33612345678",
        template="reminder_booking",
        language="fr",
        context=reminder_context(),
        owner="participant:1",
    )
    assert forget_messages("participant:1", ["camille@example.org", None]) == 3
    assert count() == 2
    assert count(owner="participant:2") == 1 and count(recipient="other@example.org") == 1


def test_an_overlong_dedupe_key_is_a_programming_error(ctx):
    import pytest

    with pytest.raises(ValueError, match="dedupe_key"):
        queue_email(
            to="a@example.org",
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
            dedupe_key="x" * 121,
        )
