"""Helpers shared by the messaging tests."""

from datetime import UTC, datetime

import pytest


def reminder_context(**overrides) -> dict:
    """A context for the ``reminder_booking`` templates."""
    context = {
        "first_name": "Camille",
        "kind": "bep",
        "start": datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
        "end": datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
        "tz": "Europe/Paris",
        "remote": None,
        "place": {"name": "Maison de santé du Centre", "address": "12 rue des Lilas"},
        "professional": "Infirmière",
        "programme_title": None,
        "contact_phone": "05 45 00 00 00",
    }
    context.update(overrides)
    return context


@pytest.fixture
def ctx(app, clock):
    """An app context with the clock frozen."""
    with app.app_context():
        yield app
