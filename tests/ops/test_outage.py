"""A database connection that dies during a request ends in a clear answer, not a 500.

The whole outage (PostgreSQL unreachable for 10 s under load) is run by
bench/faults.py; these tests pin the two places where it can go wrong.
"""

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def _dead(*_args, **_kwargs):
    raise OperationalError("ROLLBACK", {}, ConnectionError("server closed the connection"))


def test_a_dead_connection_at_teardown_keeps_the_answer(app, client, monkeypatch):
    real = Session.close
    calls = []

    def close_once_dead(self):
        if not calls:
            calls.append(1)
            _dead()
        return real(self)

    monkeypatch.setattr(Session, "close", close_once_dead)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert calls
    # the next request gets a fresh session
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/programmes/prog-x"])
def test_an_unreachable_database_gives_a_503_page(app, client, monkeypatch, path):
    monkeypatch.setattr(Session, "execute", _dead)
    monkeypatch.setattr(Session, "scalar", _dead)
    monkeypatch.setattr(Session, "scalars", _dead)
    response = client.get(path)
    assert response.status_code == 503
    if path != "/healthz":
        assert "indisponible" in response.get_data(as_text=True)
