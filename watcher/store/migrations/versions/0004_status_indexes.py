"""status indexes: `watcher status` reads indexes, not whole tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00

`watcher status` counts watched shipments by status and summarises the outbox per target. Both
scanned their whole table: 100,000 shipment rows, and every notification ever sent with its body
and payload (150,000 rows took 0.5 s). These covering indexes hold just the columns the
aggregates read, so the same queries scan a few MB. `ix_shipments_status_archived_at` leads with
status so that `watcher list` (archived_at IS NULL, ordered by created_at) keeps its table scan.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_shipments_status_archived_at", "shipments", ["status", "archived_at"], unique=False
    )
    op.create_index(
        "ix_notifications_outbox_summary",
        "notifications",
        ["target", "sent_at", "failed_at", "due_at", "attempts", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_outbox_summary", table_name="notifications")
    op.drop_index("ix_shipments_status_archived_at", table_name="shipments")
