"""faster export reads: a message's kinds kept on the message; a covering tags index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SAME_MESSAGE = ("k.platform = messages.platform AND k.conversation_id = "
                 "messages.conversation_id AND k.message_id = messages.message_id")
# Keys in code-point order, as the code writes them (PostgreSQL's "C" collation is that order).
_JOINED_KINDS = {
    "sqlite": "SELECT group_concat(kind, ' ') FROM (SELECT k.kind FROM message_kinds k "
              f"WHERE {_SAME_MESSAGE} ORDER BY k.kind)",
    "postgresql": "SELECT string_agg(k.kind, ' ' ORDER BY k.kind COLLATE \"C\") "
                  f"FROM message_kinds k WHERE {_SAME_MESSAGE}",
}
_OLD_INDEX = "ix_tags_issue_posted_at"
_COVERING_INDEX = "ix_tags_issue_posted_at_covering"


def upgrade() -> None:
    op.add_column("messages", sa.Column("kinds", sa.Text(), nullable=True))
    joined = _JOINED_KINDS[op.get_bind().dialect.name]
    op.execute(f"UPDATE messages SET kinds = ({joined}) "
               f"WHERE EXISTS (SELECT 1 FROM message_kinds k WHERE {_SAME_MESSAGE})")
    op.create_index(_COVERING_INDEX, "tags", ["issue", "posted_at", "platform",
                                              "conversation_id", "message_id", "sender_id"])
    op.drop_index(_OLD_INDEX, table_name="tags")


def downgrade() -> None:
    op.create_index(_OLD_INDEX, "tags", ["issue", "posted_at"])
    op.drop_index(_COVERING_INDEX, table_name="tags")
    # Not a batch rebuild: on SQLite, dropping the old `messages` table would cascade into
    # every tag, kind and reaction (foreign keys are on). SQLite drops a column since 3.35.
    op.execute("ALTER TABLE messages DROP COLUMN kinds")
