"""reactions per person: removing one reaction untags only when nobody else's remains

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ["platform", "conversation_id", "message_id"]


def upgrade() -> None:
    op.create_table(
        "reactions",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("issue", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("reacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(_KEY, [f"messages.{c}" for c in _KEY],
                                name=op.f("fk_reactions_platform_conversation_id_message_id"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*_KEY, "issue", "user_id", name=op.f("pk_reactions")),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reactions_platform_user_id"),
                              ["platform", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reactions_platform_user_id"))
    op.drop_table("reactions")
