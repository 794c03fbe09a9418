"""Upgrade scenario shared by SQLite and PostgreSQL: a database filled at 0001 survives `upgrade head`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.kits.daemon import head_revision
from watcher.store import db
from watcher.store.tables import (
    AlertRow,
    EventRow,
    InstanceRow,
    NotificationRow,
    ShipmentRow,
    UTCDateTime,
)

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# The 0001 tables as they were, written without the ORM (whose model is at head).
SHIPMENTS = sa.table(
    "shipments",
    *(
        sa.column(n)
        for n in (
            "id",
            "tracking_number",
            "label",
            "marketplace",
            "insured",
            "source",
            "status",
            "poll_failures",
        )
    ),
    *(
        sa.column(n, UTCDateTime())
        for n in ("created_at", "updated_at", "next_poll_at", "lease_until")
    ),
    sa.column("lease_owner"),
    sa.column("providers", sa.JSON()),
    sa.column("ordered_at", sa.Date()),
)
EVENTS = sa.table(
    "events",
    *(
        sa.column(n)
        for n in (
            "id",
            "shipment_id",
            "tracking_number",
            "provider",
            "status",
            "description",
            "location",
            "unclassified",
            "fingerprint",
        )
    ),
    sa.column("time", UTCDateTime()),
    sa.column("first_seen_at", UTCDateTime()),
)
ALERTS = sa.table(
    "alerts",
    *(
        sa.column(n)
        for n in (
            "id",
            "shipment_id",
            "subject",
            "key",
            "kind",
            "action",
            "severity",
            "message",
            "state_key",
        )
    ),
    sa.column("evidence", sa.JSON()),
    sa.column("opened_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
NOTIFICATIONS = sa.table(
    "notifications",
    *(
        sa.column(n)
        for n in (
            "id",
            "alert_id",
            "target",
            "event",
            "severity",
            "title",
            "body",
            "dedupe_key",
            "attempts",
        )
    ),
    sa.column("created_at", UTCDateTime()),
    sa.column("due_at", UTCDateTime()),
    sa.column("sent_at", UTCDateTime()),
)
INSTANCES = sa.table(
    "instances",
    sa.column("id"),
    sa.column("hostname"),
    sa.column("pid"),
    sa.column("started_at", UTCDateTime()),
    sa.column("heartbeat_at", UTCDateTime()),
)


def fill_at_0001(connection: sa.Connection) -> None:
    connection.execute(
        sa.insert(SHIPMENTS),
        [
            {
                "id": 1,
                "tracking_number": "LP00123456789012",
                "label": "USB hub",
                "marketplace": "aliexpress",
                "ordered_at": date(2026, 10, 1),
                "providers": ["cainiao"],
                "insured": False,
                "source": "config",
                "status": "in_transit",
                "poll_failures": 2,
                "created_at": T,
                "updated_at": T,
                "next_poll_at": T,
                "lease_owner": None,
                "lease_until": None,
            },
        ],
    )
    connection.execute(
        sa.insert(EVENTS),
        [
            {
                "id": i,
                "shipment_id": 1,
                "tracking_number": "LP00123456789012",
                "provider": "cainiao",
                "status": "in_transit",
                "description": f"event {i}",
                "location": "Shenzhen, CN",
                "unclassified": False,
                "fingerprint": f"fp{i}",
                "time": T.replace(hour=i),
                "first_seen_at": T,
            }
            for i in range(1, 4)
        ],
    )
    connection.execute(
        sa.insert(ALERTS),
        [
            {
                "id": 1,
                "shipment_id": 1,
                "subject": "LP00123456789012",
                "key": "stall",
                "kind": "stalled",
                "action": "contact_seller",
                "severity": "warning",
                "message": "Silent for 12 days",
                "evidence": ["a", "b"],
                "state_key": "stall:1",
                "opened_at": T,
                "updated_at": T,
            },
        ],
    )
    connection.execute(
        sa.insert(NOTIFICATIONS),
        [
            {
                "id": 1,
                "alert_id": 1,
                "target": "default",
                "event": "opened",
                "severity": "warning",
                "title": "Contact the seller",
                "body": "Silent",
                "dedupe_key": "alert:1:stall:1:default",
                "attempts": 1,
                "created_at": T,
                "due_at": T,
                "sent_at": T,
            },
        ],
    )
    connection.execute(
        sa.insert(INSTANCES),
        [{"id": "h:1:x", "hostname": "h", "pid": 1, "started_at": T, "heartbeat_at": T}],
    )


def upgrade_keeps_data(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine, "0001")
        assert db.current_revision(engine) == "0001"
        with engine.begin() as connection:
            fill_at_0001(connection)
        db.upgrade(engine)
        assert db.current_revision(engine) == head_revision()
        with Session(engine) as session:
            shipment = session.get(ShipmentRow, 1)
            assert shipment is not None
            assert (
                shipment.tracking_number,
                shipment.label,
                shipment.ordered_at,
                shipment.providers,
            ) == ("LP00123456789012", "USB hub", date(2026, 10, 1), ["cainiao"])
            assert shipment.next_poll_at == T and shipment.poll_failures == 2
            events = session.query(EventRow).order_by(EventRow.id).all()
            assert [(e.description, e.time) for e in events] == [
                (f"event {i}", T.replace(hour=i)) for i in range(1, 4)
            ]
            alert = session.get(AlertRow, 1)
            assert alert is not None and alert.evidence == ["a", "b"] and alert.resolved_at is None
            note = session.get(NotificationRow, 1)
            assert (
                note is not None
                and note.sent_at == T
                and note.dedupe_key == "alert:1:stall:1:default"
            )
            instance = session.get(InstanceRow, "h:1:x")
            assert instance is not None and instance.cycles == 0 and instance.version is None
        # And back down, for a release that has to be rolled back.
        db_downgrade(engine, "0001")
        assert db.current_revision(engine) == "0001"
    finally:
        engine.dispose()


def db_downgrade(engine: sa.Engine, revision: str) -> None:
    db.downgrade(engine, revision)
