"""staff digests: cursors, work-plan edits, hidden inputs, scheduled runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)
_OPAQUE = sa.String(length=255)
_PLATFORM = sa.String(length=16)


def upgrade() -> None:
    op.create_table(
        "digest_cursors",
        sa.Column("platform", _PLATFORM, nullable=False),
        sa.Column("staff_id", _OPAQUE, nullable=False),
        sa.Column("covered_until", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("platform", "staff_id", name=op.f("pk_digest_cursors")),
    )
    op.create_table(
        "workplan_changes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("issue", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("platform", _PLATFORM, nullable=False),
        sa.Column("changed_by", _OPAQUE, nullable=False),
        sa.Column("changed_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_changes")),
    )
    op.create_index(op.f("ix_workplan_changes_issue_column_id"), "workplan_changes",
                    ["issue", "column", "id"], unique=False)
    op.create_table(
        "hidden_inputs",
        sa.Column("platform", _PLATFORM, nullable=False),
        sa.Column("conversation_id", _OPAQUE, nullable=False),
        sa.Column("message_id", _OPAQUE, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hidden_by", _OPAQUE, nullable=False),
        sa.Column("hidden_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("platform", "conversation_id", "message_id",
                                name=op.f("pk_hidden_inputs")),
    )
    op.create_table(
        "scheduled_digests",
        sa.Column("period_end", _WHEN, nullable=False),
        sa.Column("period_start", _WHEN, nullable=False),
        sa.Column("post_claimed_at", _WHEN, nullable=True),
        sa.Column("posted_at", _WHEN, nullable=True),
        sa.Column("mail_claimed_at", _WHEN, nullable=True),
        sa.Column("mailed_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("period_end", name=op.f("pk_scheduled_digests")),
    )
    op.create_index("ix_tags_issue_tagged_at", "tags", ["issue", "tagged_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tags_issue_tagged_at", table_name="tags")
    op.drop_table("scheduled_digests")
    op.drop_table("hidden_inputs")
    op.drop_index(op.f("ix_workplan_changes_issue_column_id"), table_name="workplan_changes")
    op.drop_table("workplan_changes")
    op.drop_table("digest_cursors")
