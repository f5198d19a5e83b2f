"""inclusion: each message's language, members' stakeholder groups, nudges posted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("language", sa.String(length=16), nullable=True))
    # Messages stored before this revision get their language from the job, as new ones do.
    op.create_table(
        "member_groups",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=255), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_member_groups")),
    )
    op.create_table(
        "nudges_sent",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "conversation_id", "period",
                                name=op.f("pk_nudges_sent")),
    )


def downgrade() -> None:
    op.drop_table("nudges_sent")
    op.drop_table("member_groups")
    # Not a batch rebuild (see 0005): SQLite drops a column since 3.35.
    op.execute("ALTER TABLE messages DROP COLUMN language")
