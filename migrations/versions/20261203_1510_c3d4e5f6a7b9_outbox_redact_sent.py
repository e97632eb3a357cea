"""texts of sent and given-up outbox messages erased (their links opened people's data)

Revision ID: c3d4e5f6a7b9
Revises: b2c3d4e5f6a8
Create Date: 2026-12-03 14:00:00

The sender now erases the text, HTML and invitation of a message once it is sent
or given up (notify.sending.REDACTED); this does the same for the rows already
there. No schema change. Nothing to undo: the texts are gone.
"""

import sqlalchemy as sa
from alembic import op

revision = "c3d4e5f6a7b9"
down_revision = "b2c3d4e5f6a8"
branch_labels = None
depends_on = None

REDACTED_BODY = "[texte effacé après l'envoi]"  # notify.sending.REDACTED_BODY


def upgrade():
    outbox = sa.table(
        "outbox_messages",
        sa.column("status", sa.String),
        sa.column("body_text", sa.Text),
        sa.column("body_html", sa.Text),
        sa.column("ics", sa.Text),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.status.in_(("sent", "failed")))
        .values(body_text=REDACTED_BODY, body_html=None, ics=None)
    )


def downgrade():
    pass
