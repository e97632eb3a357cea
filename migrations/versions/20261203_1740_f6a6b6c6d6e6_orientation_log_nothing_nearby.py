"""orientation log: whether nothing was on site within reach (unmet demand)

Revision ID: f6a6b6c6d6e6
Revises: f3a3b3c3d3e3
Create Date: 2026-12-03 16:30:00

A nullable boolean on ``orientation_logs``. Rows written before this revision
keep NULL (not known: the format asked for was not logged) and are not counted
as unmet demand.
"""

import sqlalchemy as sa
from alembic import op

revision = "f6a6b6c6d6e6"
down_revision = "f3a3b3c3d3e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orientation_logs") as batch:
        batch.add_column(sa.Column("nothing_nearby", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("orientation_logs") as batch:
        batch.drop_column("nothing_nearby")
