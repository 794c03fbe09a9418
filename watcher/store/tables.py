"""The database schema (SQLAlchemy 2.x). Changes go through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ShipmentRow(Base):
    """A parcel the owner follows, with its polling and evaluation bookkeeping."""

    __tablename__ = "shipments"
    # `watcher status` counts watched shipments by status from this index alone (0004).
    __table_args__ = (Index("ix_shipments_status_archived_at", "status", "archived_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str | None] = mapped_column(Text)
    marketplace: Mapped[str] = mapped_column(String(40), default="aliexpress")
    order_id: Mapped[str | None] = mapped_column(String(64))
    ordered_at: Mapped[date | None] = mapped_column(Date)
    protection_ends: Mapped[date | None] = mapped_column(Date)
    max_delivery_days: Mapped[int | None] = mapped_column(Integer)
    dest_country: Mapped[str | None] = mapped_column(String(2))
    dest_city: Mapped[str | None] = mapped_column(String(120))
    dest_postcode: Mapped[str | None] = mapped_column(String(20))
    providers: Mapped[list[str] | None] = mapped_column(JSON)
    insured: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="cli")  # "config" or "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Cached from the last evaluation, so `list` and `status` need no timeline rebuild.
    status: Mapped[str] = mapped_column(String(24), default="pending")
    substatus: Mapped[str | None] = mapped_column(String(48))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Polling: the database decides what is due, so a restart resumes the schedule.
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_failures: Mapped[int] = mapped_column(Integer, default=0)
    # Evaluation: the earliest moment any rule could change its mind (NULL = only on new events).
    next_eval_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Multi-instance work sharing: whoever holds an unexpired lease owns the shipment's cycle.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Added in 0005: the buyer's case, provider verdicts, per-parcel failures, pushes.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    #: {tracking number: {"provider", "status", "substatus", "seen_at"}}: each provider's overall verdict.
    verdicts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseRow(Base):
    """The buyer's case: one per order (the parcels of one order share it), or per parcel."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(
        String(160), unique=True
    )  # "order:MARKETPLACE:ID" or "parcel:NUMBER"
    marketplace: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseStepRow(Base):
    """One step the buyer (or seller) took on the ladder; undone steps stay, marked."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(32))  # seller-contacted, dispute-opened, ...
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened (the user's --at)
    until: Mapped[date | None] = mapped_column(Date)  # extension-granted: the new protection end
    by: Mapped[str | None] = mapped_column(String(16))  # claim-filed: buyer or seller
    detail: Mapped[str | None] = mapped_column(String(64))  # refunded: full or partial (amount)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LegRow(Base):
    """A further tracking number of a shipment (destination post after a hand-over)."""

    __tablename__ = "legs"
    __table_args__ = (UniqueConstraint("shipment_id", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    tracking_number: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(40))  # who reported it
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    """One provider's report of one tracking event, time resolved to UTC."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "fingerprint"),
        Index("ix_events_shipment_id_time", "shipment_id", "time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    tracking_number: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(40))
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(24))
    substatus: Mapped[str | None] = mapped_column(String(48))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    raw_status: Mapped[str | None] = mapped_column(String(80))
    raw_description: Mapped[str | None] = mapped_column(Text)
    tz_assumption: Mapped[str | None] = mapped_column(String(80))
    unclassified: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EstimateRow(Base):
    """A delivery estimate a provider reported, kept to see when it moves later."""

    __tablename__ = "estimates"
    __table_args__ = (UniqueConstraint("shipment_id", "provider", "estimated_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(40))
    estimated_date: Mapped[date] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertRow(Base):
    """A problem found by a rule (or about a provider), open until the problem goes away."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_subject_key_resolved", "subject", "key", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(64))  # tracking number, or "provider:NAME"
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    act_by: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list[str] | None] = mapped_column(JSON)
    state_key: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationRow(Base):
    """The outbox: a message to deliver, written with the alert change that caused it."""

    __tablename__ = "notifications"
    # The outbox summary of `watcher status` reads only these columns of every message (0004).
    __table_args__ = (
        Index(
            "ix_notifications_outbox_summary",
            "target",
            "sent_at",
            "failed_at",
            "due_at",
            "attempts",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    target: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(
        String(16)
    )  # opened, escalated, resolved, reminder, test, digest
    severity: Mapped[str] = mapped_column(String(16), default="info")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # One message per alert state and target, however often the cycle runs.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProviderStateRow(Base):
    """Health of one provider, so the daemon can report its own blind spots."""

    __tablename__ = "provider_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    quota: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InstanceRow(Base):
    """A running (or stopped) daemon: its heartbeat tells `watcher status` it is alive."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_cycle_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Added in 0003_service, for `watcher status`.
    version: Mapped[str | None] = mapped_column(String(32))
    cycles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_cycle_seconds: Mapped[float | None] = mapped_column(Float)
    last_cycle_error: Mapped[str | None] = mapped_column(Text)
