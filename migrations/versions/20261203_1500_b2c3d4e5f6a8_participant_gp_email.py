"""a participant's GP e-mail address (GP notices, with the consent to share)

Revision ID: b2c3d4e5f6a8
Revises: a1b2c3d4e5f7
Create Date: 2026-12-03 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "b2c3d4e5f6a8"
down_revision = "a1b2c3d4e5f7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("gp_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("gp_email")
