"""the December offer-file fields (group access, translations, a platform's territory);
when a person was invited to book their follow-up

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa

import etp_orient.core.types
from alembic import op

revision = "e5f6a7b8c9d0"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("structures") as batch:
        batch.add_column(sa.Column("territory", sa.JSON(), nullable=True))
    with op.batch_alter_table("programmes") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("group_access", sa.String(length=10), nullable=False, server_default="open")
        )
        batch.create_check_constraint(
            "group_access_valid", "group_access IN ('open', 'after_bep')"
        )
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(
            sa.Column("followup_invited_at", etp_orient.core.types.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("followup_invited_at")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("translations")
    with op.batch_alter_table("programmes") as batch:
        batch.drop_constraint("ck_programmes_group_access_valid", type_="check")
        batch.drop_column("group_access")
        batch.drop_column("translations")
    with op.batch_alter_table("structures") as batch:
        batch.drop_column("territory")
