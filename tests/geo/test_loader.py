"""The shipped communes file and its loader (run by the reference-data migration)."""

from sqlalchemy import func, select, update

from etp_orient.extensions import db
from etp_orient.geo.loader import load_communes, read_communes
from etp_orient.geo.models import COORD_SOURCES, Commune, CommunePostalCode


def _snapshot(conn):
    communes = conn.execute(select(Commune.__table__).order_by(Commune.insee)).all()
    codes = conn.execute(
        select(CommunePostalCode.__table__).order_by(
            CommunePostalCode.code, CommunePostalCode.insee
        )
    ).all()
    return communes, codes


def test_file_covers_all_of_france_with_known_coordinate_sources():
    communes, pairs = read_communes()
    assert len(communes) > 34_000
    departements = {c["departement"] for c in communes}
    assert {"01", "2A", "2B", "75", "971", "972", "973", "974", "976"} <= departements
    assert {c["coord_source"] for c in communes} <= set(COORD_SOURCES)
    assert all(-90 <= c["lat"] <= 90 and -180 <= c["lon"] <= 180 for c in communes)
    assert ("75011", "75056") in pairs


def test_migration_loaded_every_commune(app_ctx):
    expected, pairs = read_communes()
    assert db.session.scalar(select(func.count()).select_from(Commune)) >= len(expected)
    assert db.session.scalar(select(func.count()).select_from(CommunePostalCode)) >= len(pairs)


def test_loading_twice_leaves_the_same_data(app_ctx):
    with db.engine.begin() as conn:
        before = _snapshot(conn)
        assert load_communes(conn) == len(before[0])
    with db.engine.begin() as conn:
        assert _snapshot(conn) == before


def test_loading_repairs_changed_rows(app_ctx):
    with db.engine.begin() as conn:
        before = _snapshot(conn)
        conn.execute(update(Commune.__table__).where(Commune.insee == "16015").values(lat=0.0))
        conn.execute(CommunePostalCode.__table__.delete().where(CommunePostalCode.code == "75011"))
        conn.execute(CommunePostalCode.__table__.insert().values(code="99999", insee="16015"))
        load_communes(conn)
    with db.engine.begin() as conn:
        assert _snapshot(conn) == before


def test_documented_counts_match_the_shipped_file():
    from collections import Counter
    from pathlib import Path

    communes, _ = read_communes()
    counts = Counter(c["coord_source"] for c in communes)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-sources.md").read_text()
    for source in COORD_SOURCES:
        assert f"| {source} | {counts[source]:,} |" in doc
    assert f"**{len(communes):,} communes**" in doc


def test_load_communes_command_is_safe_to_rerun(runner, app_ctx):
    with db.engine.begin() as conn:
        before = _snapshot(conn)
    result = runner.invoke(args=["load-communes"])
    assert result.exit_code == 0, result.output
    assert f"{len(read_communes()[0])} communes" in result.output
    with db.engine.begin() as conn:
        assert _snapshot(conn) == before
