"""cases and verdicts: the buyer's case, provider verdicts, per-parcel failures, pushes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 18:30:00

- `cases` / `case_steps`: the buyer's position on the ladder (seller contacted, dispute opened,
  extension granted, ...), one case per order (parcels of one order share it), each step dated,
  with an optional note and a soft undo (`undone_at`) so the history is never lost.
- `shipments.case_id`: the case a parcel belongs to.
- `shipments.verdicts`: each provider's overall verdict per tracking number (17TRACK
  `latest_status`, AfterShip `Expired`, Cainiao's status-less "unknown"), which events may not repeat.
- `shipments.failures` / `last_error` / `last_error_at`: a parcel whose handling failed (evaluation,
  storing its batch) is recorded and backs off alone, instead of failing the whole cycle.
- `shipments.last_push_at`: when a provider last pushed an update (webhooks): polling slows down to
  a safety net for pushed numbers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from watcher.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("marketplace", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("key", name=op.f("uq_cases_key")),
    )
    op.create_table(
        "case_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("by", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_steps_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_case_steps_shipment_id_shipments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
    )
    op.create_index("ix_case_steps_case_id", "case_steps", ["case_id"], unique=False)
    # Batch mode: SQLite copies the table to add a foreign key (db.upgrade turns foreign keys off
    # around migrations, so dropping the old copy does not cascade to events).
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verdicts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_error_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_push_at", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_shipments_case_id", ["case_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_shipments_case_id_cases", "cases", ["case_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_case_id")
        batch_op.drop_constraint("fk_shipments_case_id_cases", type_="foreignkey")
        for column in (
            "last_push_at",
            "last_error_at",
            "last_error",
            "failures",
            "verdicts",
            "case_id",
        ):
            batch_op.drop_column(column)
    op.drop_index("ix_case_steps_case_id", table_name="case_steps")
    op.drop_table("case_steps")
    op.drop_table("cases")
