"""throttles: counters per login or address (progressive login delay, mails per address)

Revision ID: a1b2c3d4e5f7
Revises: e5f6a7b8c9d0
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

from etp_orient.core.types import UTCDateTime

revision = "a1b2c3d4e5f7"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttles")),
        sa.UniqueConstraint("scope", "key_hash", name=op.f("uq_throttles_scope_key_hash")),
    )
    with op.batch_alter_table("throttles") as batch:
        batch.create_index(batch.f("ix_throttles_last_at"), ["last_at"], unique=False)


def downgrade():
    with op.batch_alter_table("throttles") as batch:
        batch.drop_index(batch.f("ix_throttles_last_at"))
    op.drop_table("throttles")
