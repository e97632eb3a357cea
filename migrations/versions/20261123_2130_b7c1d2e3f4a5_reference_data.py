"""reference data: communes, postal codes and the condition taxonomy

Revision ID: b7c1d2e3f4a5
Revises: fdfaa48f0048
Create Date: 2026-11-23 21:30:00

"""
from alembic import op

revision = "b7c1d2e3f4a5"
down_revision = "fdfaa48f0048"
branch_labels = None
depends_on = None


def upgrade():
    from etp_orient.catalogue.taxonomy import sync_conditions
    from etp_orient.geo.loader import load_communes

    bind = op.get_bind()
    load_communes(bind)
    sync_conditions(bind)


def downgrade():
    op.execute("DELETE FROM programme_conditions")
    op.execute("DELETE FROM conditions")
    op.execute("DELETE FROM commune_postal_codes")
    op.execute("DELETE FROM communes")
