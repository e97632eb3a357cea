"""Sites: the coordinator's English and Arabic versions of the name and transport note.

Revision ID: f3a3b3c3d3e3
Revises: f5a5b5c5d5e5
"""

import sqlalchemy as sa
from alembic import op

revision = "f3a3b3c3d3e3"
down_revision = "f5a5b5c5d5e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("translations")
