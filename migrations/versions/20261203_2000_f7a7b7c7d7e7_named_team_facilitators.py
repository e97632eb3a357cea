"""A named team: facilitators linked to team members, and individual slots with facilitators

Revision ID: f7a7b7c7d7e7
Revises: f6a6b6c6d6e6
Create Date: 2026-12-03 20:00:00

``facilitators.team_member_id`` links a facilitator to the programme's team member
(NULL: free text, as in old offer files; a member taken out of the team leaves the
name). ``facilitators.slot_id`` lets an individual appointment have one or more
facilitators; a row belongs to exactly one cohort, session or slot.
"""

import sqlalchemy as sa
from alembic import op

revision = "f7a7b7c7d7e7"
down_revision = "f6a6b6c6d6e6"
branch_labels = None
depends_on = None

ONE_PARENT = (
    "(CASE WHEN cohort_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN session_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN slot_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    with op.batch_alter_table("facilitators") as batch:
        batch.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("team_member_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_facilitators_slot_id_slots"), "slots", ["slot_id"], ["id"],
            ondelete="CASCADE",
        )
        batch.create_foreign_key(
            batch.f("fk_facilitators_team_member_id_team_members"), "team_members",
            ["team_member_id"], ["id"], ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_facilitators_slot_id"), ["slot_id"])
        batch.create_index(batch.f("ix_facilitators_team_member_id"), ["team_member_id"])
        batch.drop_constraint(op.f("ck_facilitators_cohort_xor_session"), type_="check")
        batch.create_check_constraint("one_parent", ONE_PARENT)


def downgrade():
    op.execute("DELETE FROM facilitators WHERE slot_id IS NOT NULL")
    with op.batch_alter_table("facilitators") as batch:
        batch.drop_constraint(op.f("ck_facilitators_one_parent"), type_="check")
        batch.create_check_constraint(
            "cohort_xor_session", "(cohort_id IS NULL) <> (session_id IS NULL)"
        )
        batch.drop_index(batch.f("ix_facilitators_team_member_id"))
        batch.drop_index(batch.f("ix_facilitators_slot_id"))
        batch.drop_constraint(
            batch.f("fk_facilitators_team_member_id_team_members"), type_="foreignkey"
        )
        batch.drop_constraint(batch.f("fk_facilitators_slot_id_slots"), type_="foreignkey")
        batch.drop_column("team_member_id")
        batch.drop_column("slot_id")
