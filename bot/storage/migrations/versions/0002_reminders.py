"""milestone reminders: staff milestones and claimed deliveries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "milestones",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_fr", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("starts_at", _WHEN, nullable=True),
        sa.Column("whole_day", sa.Boolean(), nullable=False),
        sa.Column("recurrence", sa.String(length=120), nullable=True),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("leads", sa.String(length=200), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("issues", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("revised_at", _WHEN, nullable=False),
        sa.Column("cancelled_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("milestone_key", sa.String(length=120), nullable=False),
        sa.Column("occurrence_at", _WHEN, nullable=False),
        sa.Column("lead_seconds", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fire_at", _WHEN, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", _WHEN, nullable=False),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "milestone_key", "occurrence_at", "lead_seconds", "target",
            name="uq_reminder_deliveries_key",
        ),
    )
    with op.batch_alter_table("reminder_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_deliveries_fire_at"), ["fire_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminder_deliveries_state_lease_until"), ["state", "lease_until"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_deliveries_state_lease_until"))
        batch_op.drop_index(batch_op.f("ix_reminder_deliveries_fire_at"))
    op.drop_table("reminder_deliveries")
    op.drop_table("milestones")
