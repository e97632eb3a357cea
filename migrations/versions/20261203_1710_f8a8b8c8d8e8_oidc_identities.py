"""OpenID Connect sign-in: staff accounts get an optional RPPS number; identities linked to them

Revision ID: f8a8b8c8d8e8
Revises: f9a9b9c9d9e9
Create Date: 2026-12-03 17:00:00

"""
import sqlalchemy as sa
from alembic import op

from etp_orient.core.types import UTCDateTime

revision = "f8a8b8c8d8e8"
down_revision = "f9a9b9c9d9e9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("rpps", sa.String(length=11), nullable=True))
        batch.create_unique_constraint("uq_users_rpps", ["rpps"])
    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("linked_by", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_oidc_identities_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_oidc_identities"),
        sa.UniqueConstraint("provider", "subject", name="uq_oidc_identities_provider_subject"),
    )
    op.create_index("ix_oidc_identities_user_id", "oidc_identities", ["user_id"])


def downgrade():
    op.drop_index("ix_oidc_identities_user_id", table_name="oidc_identities")
    op.drop_table("oidc_identities")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_rpps", type_="unique")
        batch.drop_column("rpps")
