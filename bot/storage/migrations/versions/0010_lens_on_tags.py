"""the lens on the tags: each tag carries its message's language and its author's group

Revision ID: 0010
Revises: 0007, 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
# Both heads: 0007 (the messages' language) and 0009 (mail) were written side by side on
# 0006, and 0008 followed 0009; this one needs 0007's column, so it joins the two.
down_revision: str | Sequence[str] | None = ("0007", "0008")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COVERING_INDEX = "ix_tags_issue_posted_at_covering"
_KEY = ["issue", "posted_at", "platform", "conversation_id", "message_id", "sender_id"]


def upgrade() -> None:
    op.add_column("tags", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column("tags", sa.Column("group_key", sa.String(length=64), nullable=True))
    # Correlated sub-queries are portable and probe a primary key each: a million tags
    # migrate in seconds, once.
    op.execute("UPDATE tags SET language = (SELECT m.language FROM messages m "
               "WHERE m.platform = tags.platform AND m.conversation_id = tags.conversation_id "
               "AND m.message_id = tags.message_id)")
    op.execute("UPDATE tags SET group_key = (SELECT g.group_key FROM member_groups g "
               "WHERE g.platform = tags.platform AND g.user_id = tags.sender_id)")
    # Rebuilt with the lens's columns at its end, so that the lens reads it alone.
    op.drop_index(_COVERING_INDEX, table_name="tags")
    op.create_index(_COVERING_INDEX, "tags", [*_KEY, "language", "group_key"])


def downgrade() -> None:
    op.drop_index(_COVERING_INDEX, table_name="tags")
    op.create_index(_COVERING_INDEX, "tags", _KEY)
    # Not a batch rebuild (see 0005): SQLite drops a column since 3.35.
    op.execute("ALTER TABLE tags DROP COLUMN group_key")
    op.execute("ALTER TABLE tags DROP COLUMN language")
