"""Token URLs stay out of access logs (core.logfilter)."""

import logging
import time
import urllib.error
import urllib.request

import pytest

from etp_orient.core.logfilter import SecretPathFilter, mask_secret_paths
from etp_orient.extensions import db
from tests.fixtures.feeds import make_participant
from tests.fixtures.servers import GunicornServer

TOKEN = "k" * 43


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f"GET /calendar/me/{TOKEN}.ics HTTP/1.1", "GET /calendar/me/[masque] HTTP/1.1"),
        (f"GET /calendar/staff/{TOKEN}.ics?x=1", "GET /calendar/staff/[masque]?x=1"),
        (f"GET /gerer/{TOKEN}/annuler HTTP/1.1", "GET /gerer/[masque]/annuler HTTP/1.1"),
        ("GET /calendar/programme/prog-a.ics", "GET /calendar/programme/prog-a.ics"),
        (f"GET /gerer/nouveau-lien/{TOKEN} HTTP/1.1", "GET /gerer/nouveau-lien/[masque] HTTP/1.1"),
        (
            f"https://etp.test/gerer/nouveau-lien/{TOKEN}",
            "https://etp.test/gerer/nouveau-lien/[masque]",
        ),
        ("POST /gerer/nouveau-lien HTTP/1.1", "POST /gerer/nouveau-lien HTTP/1.1"),
        ("GET /gerer/nouveau-lien?x=1 HTTP/1.1", "GET /gerer/nouveau-lien?x=1 HTTP/1.1"),
    ],
)
def test_mask_secret_paths(line, masked):
    assert mask_secret_paths(line) == masked


def test_logging_filter_masks_arguments(caplog):
    logger = logging.getLogger("test.feeds.access")
    logger.addFilter(SecretPathFilter())
    with caplog.at_level(logging.INFO, logger="test.feeds.access"):
        logger.info('%s - - "%s" 200', "127.0.0.1", f"GET /calendar/me/{TOKEN}.ics HTTP/1.1")
    assert TOKEN not in caplog.text
    assert "/calendar/me/[masque]" in caplog.text


def test_werkzeug_logger_has_the_filter(app):
    assert any(isinstance(f, SecretPathFilter) for f in logging.getLogger("werkzeug").filters)


@pytest.mark.server
def test_gunicorn_access_log_masks_tokens(app_ctx, database_url, tmp_path):
    _participant, token = make_participant()
    db.session.commit()
    log = tmp_path / "access.log"
    server = GunicornServer(
        database_url,
        workers=1,
        env={
            "GUNICORN_CMD_ARGS": f"--access-logfile {log} "
            "--logger-class etp_orient.core.logfilter.MaskingGunicornLogger"
        },
    ).start()
    try:
        with urllib.request.urlopen(f"{server.url}/calendar/me/{token}.ics", timeout=10) as r:
            assert r.status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{server.url}/gerer/{token}", timeout=10)
        with pytest.raises(urllib.error.HTTPError):  # a "new link" code: 404, still masked
            urllib.request.urlopen(f"{server.url}/gerer/nouveau-lien/{token}", timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and log.read_text().count("\n") < 4:
            time.sleep(0.05)  # the log is written after the answer; wait for the file, not time
    finally:
        server.stop()
    text = log.read_text()
    assert "/calendar/me/[masque]" in text
    assert "/gerer/nouveau-lien/[masque]" in text
    assert token not in text
