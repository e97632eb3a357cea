"""A named team: facilitators linked to team members, and individual slots with facilitators

Revision ID: f7a7b7c7d7e7
Revises: f6a6b6c6d6e6
Create Date: 2026-12-03 20:00:00

``facilitators.team_member_id`` links a facilitator to the programme's team member
(NULL: free text, as in old offer files; a member taken out of the team leaves the
name). ``facilitators.slot_id`` lets an individual appointment have one or more
facilitators; a row belongs to exactly one cohort, session or slot.
"""

import unicodedata

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
    _link_existing_rows()


def _key(name):
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _link_existing_rows():
    """Link the facilitators written before (by the back office, from staff accounts, or
    by an import) to the programme's named member with their account, else their name."""
    bind = op.get_bind()
    by_user, by_name = {}, {}
    for m in bind.execute(
        sa.text(
            "SELECT id, programme_id, name, profession, user_id FROM team_members "
            "WHERE name IS NOT NULL ORDER BY position, id"
        )
    ):
        if m.user_id is not None:
            by_user.setdefault((m.programme_id, m.user_id), m)
        by_name.setdefault((m.programme_id, _key(m.name)), m)
    rows = bind.execute(
        sa.text(
            "SELECT f.id, f.name, f.user_id, "
            "COALESCE(c.programme_id, sc.programme_id, w.programme_id) AS programme_id "
            "FROM facilitators f "
            "LEFT JOIN cohorts c ON c.id = f.cohort_id "
            "LEFT JOIN group_sessions s ON s.id = f.session_id "
            "LEFT JOIN cohorts sc ON sc.id = s.cohort_id "
            "LEFT JOIN workshops w ON w.id = s.workshop_id "
            "WHERE f.team_member_id IS NULL"
        )
    ).all()
    update = sa.text(
        "UPDATE facilitators SET team_member_id = :member, name = :name, "
        "profession = :profession, user_id = :user WHERE id = :id"
    )
    for row in rows:
        member = by_user.get((row.programme_id, row.user_id)) or by_name.get(
            (row.programme_id, _key(row.name))
        )
        if member is not None:
            bind.execute(
                update,
                {
                    "member": member.id,
                    "name": member.name,
                    "profession": member.profession,
                    "user": member.user_id if member.user_id is not None else row.user_id,
                    "id": row.id,
                },
            )


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
