"""mail: list posts' whole text and headers, and members' confirmed mail addresses

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_posts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=True),
        sa.Column("reference_ids", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "conversation_id", "message_id"],
            ["messages.platform", "messages.conversation_id", "messages.message_id"],
            name=op.f("fk_mail_posts_platform_conversation_id_message_id"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "conversation_id", "message_id",
                                name=op.f("pk_mail_posts")),
    )
    op.create_table(
        "email_links",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "user_id", "address", name=op.f("pk_email_links")),
    )
    op.create_index(op.f("ix_email_links_address"), "email_links", ["address"])


def downgrade() -> None:
    op.drop_index(op.f("ix_email_links_address"), table_name="email_links")
    op.drop_table("email_links")
    op.drop_table("mail_posts")
