"""The import-offer and export-offer commands: exit codes, messages, commit only on success."""

import json

import pytest
from sqlalchemy import func, select, text

from etp_orient.booking.models import Slot
from etp_orient.catalogue.models import Programme
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

pytestmark = pytest.mark.usefixtures("offer_db")


def _write(path, data) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _programmes() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Programme))


def test_import_offer_commits_and_prints_the_report(runner, tmp_path):
    result = runner.invoke(args=["import-offer", _write(tmp_path / "offer.json", sample_offer())])
    assert result.exit_code == 0, result.output
    assert "programmes : 2 créé(s), 0 modifié(s), 0 inchangé(s)" in result.output
    assert "séances : 4 créé(s)" in result.output
    assert _programmes() == 2


def test_importing_twice_says_nothing_changed(runner, tmp_path):
    path = _write(tmp_path / "offer.json", sample_offer())
    runner.invoke(args=["import-offer", path])
    result = runner.invoke(args=["import-offer", path])
    assert result.exit_code == 0
    assert "rien n'a changé" in result.output
    assert "créneaux : 0 créé(s), 0 modifié(s), 3 inchangé(s)" in result.output


def test_invalid_file_lists_every_error_and_exits_1(runner, tmp_path):
    data = sample_offer()
    data["programmes"][0]["team"] = ["medecin"]
    data["slots"][0]["site"] = "nulle-part"
    result = runner.invoke(args=["import-offer", _write(tmp_path / "offer.json", data)])
    assert result.exit_code == 1
    assert "$.slots[0].site: Lieu inconnu(e)" in result.output
    assert "$.programmes[0].team: Un programme publié" in result.output
    assert "2 erreur(s) : rien n'a été importé" in result.output
    assert "Traceback" not in result.output
    assert _programmes() == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"structures": [', "n'est pas un JSON valide (ligne 1"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_a_broken_file_gets_a_clear_message(runner, tmp_path, content, words):
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-offer", str(path)])
    assert result.exit_code == 1
    assert words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_file_gets_a_clear_message(runner, tmp_path):
    result = runner.invoke(args=["import-offer", str(tmp_path / "absent.json")])
    assert result.exit_code == 1
    assert "Impossible de lire le fichier" in result.output


def test_export_offer_writes_a_file_that_imports_unchanged(runner, tmp_path):
    runner.invoke(args=["import-offer", _write(tmp_path / "offer.json", sample_offer())])
    out = tmp_path / "export.json"
    result = runner.invoke(args=["export-offer", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 programme(s), 3 créneau(x) et 2 groupe(s)" in result.output
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported["slots"]) == 3
    result = runner.invoke(args=["import-offer", str(out)])
    assert "rien n'a changé" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Slot)) == 3


def test_large_files_show_progress(runner, tmp_path):
    data = sample_offer()
    template = data["slots"][1]
    data["slots"] = [
        {
            **template,
            "start": f"2027-01-{day:02d}T{hour:02d}:{minute:02d}:00+01:00",
            "end": f"2027-01-{day:02d}T{hour:02d}:{minute:02d}:30+01:00",
        }
        for day in range(1, 5)
        for hour in range(24)
        for minute in range(60)
    ]
    result = runner.invoke(args=["import-offer", _write(tmp_path / "big.json", data)])
    assert result.exit_code == 0, result.output
    assert "vérification : 5000/" in result.output
    assert "créneaux : 5760 créé(s)" in result.output


def test_check_only_validates(runner, tmp_path):
    path = _write(tmp_path / "offer.json", sample_offer())
    result = runner.invoke(args=["import-offer", "--check", path])
    assert result.exit_code == 0, result.output
    assert "Le fichier est valide" in result.output
    assert _programmes() == 0
    data = sample_offer()
    data["slots"][0]["site"] = "nulle-part"
    result = runner.invoke(args=["import-offer", "--check", _write(tmp_path / "bad.json", data)])
    assert result.exit_code == 1
    assert "$.slots[0].site: Lieu inconnu(e)" in result.output


def _analyses(table: str) -> int:
    """How many times PostgreSQL's planner statistics were gathered for ``table``."""
    db.session.rollback()
    return db.session.scalar(
        text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :table"),
        {"table": table},
    )


def test_import_gives_postgresql_fresh_planner_statistics(runner, tmp_path):
    # a freshly loaded table without statistics is planned as if empty (a national
    # offer then made every orientation scan whole tables); autovacuum may be off
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ANALYZE after a bulk load is for PostgreSQL")
    path = _write(tmp_path / "offer.json", sample_offer())
    before = _analyses("slots")
    assert runner.invoke(args=["import-offer", path]).exit_code == 0
    after = _analyses("slots")
    assert after == before + 1
    assert runner.invoke(args=["import-offer", path]).exit_code == 0
    assert _analyses("slots") == after  # nothing changed: no statistics to refresh


def test_reference_data_has_planner_statistics_from_the_migration():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ANALYZE after a bulk load is for PostgreSQL")
    assert _analyses("communes") >= 1
    assert _analyses("commune_postal_codes") >= 1
