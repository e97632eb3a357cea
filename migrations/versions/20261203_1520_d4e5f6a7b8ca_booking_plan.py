"""the plan agreed at a BEP: which of the programme's workshops the person follows

Revision ID: d4e5f6a7b8ca
Revises: c3d4e5f6a7b9
Create Date: 2026-12-03 15:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6a7b8ca"
down_revision = "c3d4e5f6a7b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("plan")
