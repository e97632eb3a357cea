"""planner statistics for the reference data (PostgreSQL ANALYZE)

The communes, postal codes and conditions are loaded in one go by the previous
revision. Until statistics exist, PostgreSQL plans them as near-empty tables and
a postal-code look-up scans every commune; autovacuum may be off or late.

Revision ID: c3d4e5f6a7b8
Revises: b7c1d2e3f4a5
Create Date: 2026-11-24 00:30:00

"""
from alembic import op

revision = "c3d4e5f6a7b8"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE communes, commune_postal_codes, conditions")


def downgrade():
    pass  # statistics are not data: nothing to undo
