"""service: instance bookkeeping for `watcher status`

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 09:30:00

Adds what `watcher status` shows per daemon instance (version, cycle count and duration, last
cycle error). The lease columns used by multi-instance claims already exist since 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("cycles", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_cycle_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("last_cycle_error", sa.Text(), nullable=True))
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        # Claims look for due rows whose lease is free; the lease is checked on the few due rows.
        batch_op.create_index("ix_shipments_lease_until", ["lease_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_lease_until")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_column("last_cycle_error")
        batch_op.drop_column("last_cycle_seconds")
        batch_op.drop_column("cycles")
        batch_op.drop_column("version")
