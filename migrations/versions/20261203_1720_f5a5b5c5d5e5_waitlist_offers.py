"""waiting-list offers: enrollment status "offered", holding the seat until a deadline

Revision ID: f5a5b5c5d5e5
Revises: f8a8b8c8d8e8
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa

import etp_orient.core.types
from alembic import op

revision = "f5a5b5c5d5e5"
down_revision = "f8a8b8c8d8e8"
branch_labels = None
depends_on = None

OLD = "status IN ('confirmed', 'waitlisted', 'cancelled', 'completed')"
NEW = "status IN ('confirmed', 'offered', 'waitlisted', 'cancelled', 'completed')"


def upgrade():
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("offered_at", etp_orient.core.types.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("offer_expires_at", etp_orient.core.types.UTCDateTime(), nullable=True)
        )
        batch.create_index("ix_enrollments_offer_expires_at", ["offer_expires_at"], unique=False)
        batch.drop_constraint(op.f("ck_enrollments_status_valid"), type_="check")
        batch.create_check_constraint("status_valid", NEW)
        batch.create_check_constraint(
            "offer_has_deadline", "status <> 'offered' OR offer_expires_at IS NOT NULL"
        )


def downgrade():
    # an offer still running becomes a place again (it held the seat)
    op.execute("UPDATE enrollments SET status = 'confirmed' WHERE status = 'offered'")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_constraint(op.f("ck_enrollments_offer_has_deadline"), type_="check")
        batch.drop_constraint(op.f("ck_enrollments_status_valid"), type_="check")
        batch.create_check_constraint("status_valid", OLD)
        batch.drop_index("ix_enrollments_offer_expires_at")
        batch.drop_column("offer_expires_at")
        batch.drop_column("offered_at")
