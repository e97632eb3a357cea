"""Models and migrations agree, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from etp_orient.extensions import db


def test_migrations_match_models(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_partial_unique_index_refuses_second_confirmed_booking(app_ctx):
    from sqlalchemy import inspect

    indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("bookings")}
    assert indexes["uq_bookings_confirmed_slot"]["unique"]
