"""Signed webhooks: the endpoints, and the outbox's webhook channel.

Revision ID: f9a9b9c9d9e9
Revises: d4e5f6a7b8ca
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import etp_orient.core.types

revision = "f9a9b9c9d9e9"
down_revision = "d4e5f6a7b8ca"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=254), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("include_personal", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", etp_orient.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_webhook_endpoints_structure_id_structures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.create_index(batch.f("ix_webhook_endpoints_structure_id"), ["structure_id"])
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint(op.f("ck_outbox_messages_channel_valid"), type_="check")
        batch.alter_column(
            "channel", existing_type=sa.String(length=5), type_=sa.String(length=7)
        )
        batch.create_check_constraint(
            "channel_valid", "channel IN ('email', 'sms', 'webhook')"
        )
        batch.add_column(sa.Column("webhook_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_outbox_messages_webhook_id_webhook_endpoints"),
            "webhook_endpoints",
            ["webhook_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_outbox_messages_webhook_id"), ["webhook_id"])


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE channel = 'webhook'")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index(batch.f("ix_outbox_messages_webhook_id"))
        batch.drop_constraint(
            batch.f("fk_outbox_messages_webhook_id_webhook_endpoints"), type_="foreignkey"
        )
        batch.drop_column("webhook_id")
        batch.drop_constraint(op.f("ck_outbox_messages_channel_valid"), type_="check")
        batch.alter_column(
            "channel", existing_type=sa.String(length=7), type_=sa.String(length=5)
        )
        batch.create_check_constraint("channel_valid", "channel IN ('email', 'sms')")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_index(batch.f("ix_webhook_endpoints_structure_id"))
    op.drop_table("webhook_endpoints")
