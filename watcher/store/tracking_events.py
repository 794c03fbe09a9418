"""Tracking events as stored: idempotent inserts keyed by a fingerprint, and their readers.

Events arrive normalized (`timeline.normalize`: time in UTC, status known); the store only keys
and writes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy import insert as insert_core
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session

from watcher.domain.models import NormalizedEvent, Status, StoredEvent
from watcher.store.tables import EventRow, ShipmentRow

# ---------------------------------------------------------------- writing events


def event_fingerprint(
    tracking_number: str, provider: str, time: datetime, description: str, location: str | None
) -> str:
    """Identity of one provider report: the same report polled twice has the same fingerprint."""
    text = "\x1f".join(
        (tracking_number, provider, time.isoformat(), description.strip(), (location or "").strip())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def to_event_row(
    shipment_id: int, tracking_number: str, provider: str, event: NormalizedEvent, now: datetime
) -> EventRow:
    """An ORM row of a normalized event."""
    return EventRow(**event_values(shipment_id, tracking_number, provider, event, now))


def event_values(
    shipment_id: int, tracking_number: str, provider: str, event: NormalizedEvent, now: datetime
) -> dict[str, Any]:
    """The `events` columns of a normalized event, fingerprint included."""
    fingerprint = event_fingerprint(
        tracking_number, provider, event.time, event.description, event.location
    )
    return _event_columns(shipment_id, tracking_number, provider, event, fingerprint, now)


def _event_columns(
    shipment_id: int,
    tracking_number: str,
    provider: str,
    event: NormalizedEvent,
    fingerprint: str,
    now: datetime,
) -> dict[str, Any]:
    """`event_values` once the fingerprint is known."""
    return {
        "shipment_id": shipment_id,
        "tracking_number": tracking_number,
        "provider": provider,
        "time": event.time,
        "status": event.status.value,
        "substatus": event.substatus,
        "description": event.description,
        "location": event.location,
        "country": event.country,
        "raw_status": event.raw_status,
        "raw_description": event.description,
        "tz_assumption": event.tz_assumption,
        "unclassified": event.unclassified,
        "fingerprint": fingerprint,
        "first_seen_at": now,
    }


def store_events(
    session: Session,
    shipment_id: int,
    tracking_number: str,
    provider: str,
    events: Iterable[NormalizedEvent],
    now: datetime,
) -> int:
    """Insert the events not stored yet; returns how many were new (idempotent).

    One Core INSERT ... ON CONFLICT DO NOTHING on (shipment_id, fingerprint) instead of ORM
    objects: ~10x faster (bench/RESULTS.md, ingest), and safe when two instances store the same
    report at once. Other dialects keep the select-then-insert path.
    """
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        values = event_values(shipment_id, tracking_number, provider, event, now)
        rows.setdefault(values["fingerprint"], values)
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    table = EventRow.__table__
    if dialect in ("sqlite", "postgresql"):
        if any(isinstance(obj, ShipmentRow) for obj in session.new):
            session.flush()  # a new shipment row must exist first (foreign key)
        if dialect == "sqlite":
            # Straight to the driver: SQLAlchemy's per-row parameter processing was a third of
            # the ingestion time (bench/RESULTS.md). Values are stored exactly as UTCDateTime
            # stores them on SQLite (naive UTC "YYYY-MM-DD HH:MM:SS.ffffff"; booleans 0/1).
            cursor = session.connection().exec_driver_sql(
                _SQLITE_INSERT_EVENT, [_sqlite_event(v) for v in rows.values()]
            )
            return int(cursor.rowcount)  # sqlite3 sums executemany's changes: the rows inserted
        statement = (
            postgresql_insert(table)
            .on_conflict_do_nothing(index_elements=["shipment_id", "fingerprint"])
            .returning(table.c.id)
        )
        # No autoflush: other pending changes (estimates, the shipment's next_eval_at) go out
        # together at commit instead of one flush per shipment. psycopg's executemany rowcount
        # is not the inserted count: count the RETURNING rows.
        with session.no_autoflush:
            return len(session.execute(statement, list(rows.values())).all())
    known = set(
        session.scalars(
            select(EventRow.fingerprint).where(
                EventRow.shipment_id == shipment_id, EventRow.fingerprint.in_(list(rows))
            )
        )
    )
    new = [values for fingerprint, values in rows.items() if fingerprint not in known]
    if new:
        session.execute(insert_core(table), new)
    return len(new)


def store_events_many(
    session: Session,
    provider: str,
    items: Sequence[tuple[int, str, Iterable[NormalizedEvent]]],
    now: datetime,
) -> list[int]:
    """`store_events` for a whole provider batch: (shipment id, number, events) items, one INSERT.

    Stores the same rows as calling `store_events` once per item, in order, and returns each
    item's count of new events. The batch's stored fingerprints are read in one query first,
    so a re-poll of known events only computes fingerprints: no row building, no insert. The
    insert still says ON CONFLICT DO NOTHING (another instance may store the same report).
    """
    counts = [0] * len(items)
    if not items:
        return counts
    known = _stored_fingerprints(session, sorted({shipment_id for shipment_id, _, _ in items}))
    dialect = session.get_bind().dialect.name
    # SQLite rows go to the driver as tuples, built without the intermediate dict.
    columns = _sqlite_event_columns if dialect == "sqlite" else _event_columns
    first_seen: Any = _sqlite_time(now) if dialect == "sqlite" else now
    owner: dict[tuple[int, str], int] = {}  # (shipment id, fingerprint) -> the item storing it
    rows: list[Any] = []
    for index, (shipment_id, number, events) in enumerate(items):
        for event in events:
            fingerprint = event_fingerprint(
                number, provider, event.time, event.description, event.location
            )
            key = (shipment_id, fingerprint)
            if key in known or key in owner:
                continue
            owner[key] = index
            rows.append(columns(shipment_id, number, provider, event, fingerprint, first_seen))
    if not rows:
        return counts
    if any(isinstance(obj, ShipmentRow) for obj in session.new):
        session.flush()  # a new shipment row must exist first (foreign key)
    table = EventRow.__table__
    if dialect == "postgresql":
        # Exact counts even when another instance stored some of these rows meanwhile.
        statement = (
            postgresql_insert(table)
            .on_conflict_do_nothing(index_elements=["shipment_id", "fingerprint"])
            .returning(table.c.shipment_id, table.c.fingerprint)
        )
        with session.no_autoflush:
            for shipment_id, fingerprint in session.execute(statement, rows):
                counts[owner[(shipment_id, fingerprint)]] += 1
        return counts
    if dialect == "sqlite":
        # Straight to the driver, as in `store_events`. SQLite has one writer (InstanceLock),
        # so every row left is new and the counts are exact.
        session.connection().exec_driver_sql(_SQLITE_INSERT_EVENT, rows)
    else:
        with session.no_autoflush:
            session.execute(insert_core(table), rows)
    for index in owner.values():
        counts[index] += 1
    return counts


def _stored_fingerprints(session: Session, shipment_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(shipment id, fingerprint) of every stored event of these shipments (unique index only)."""
    t = EventRow.__table__.c
    found: set[tuple[int, str]] = set()
    with session.no_autoflush:
        if session.get_bind().dialect.name == "sqlite":
            # The DB-API cursor returns hashable tuples as they are: SQLAlchemy's row objects cost
            # as much as the query (~600 rows a batch, bench/RESULTS.md, throughput).
            cursor = session.connection().connection.cursor()
            try:
                for i in range(0, len(shipment_ids), 10_000):
                    chunk = tuple(shipment_ids[i : i + 10_000])
                    marks = ", ".join("?" * len(chunk))
                    cursor.execute(
                        "SELECT shipment_id, fingerprint FROM events"
                        f" WHERE shipment_id IN ({marks})",
                        chunk,
                    )
                    found.update(cursor.fetchall())
            finally:
                cursor.close()
            return found
        for i in range(0, len(shipment_ids), 10_000):
            chunk = shipment_ids[i : i + 10_000]
            query = select(t.shipment_id, t.fingerprint).where(t.shipment_id.in_(chunk))
            found.update(map(tuple, session.execute(query).all()))
    return found


# fmt: off
_EVENT_COLUMNS = (
    "shipment_id", "tracking_number", "provider", "time", "status", "substatus", "description",
    "location", "country", "raw_status", "raw_description", "tz_assumption", "unclassified",
    "fingerprint", "first_seen_at",
)
# fmt: on
_SQLITE_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)}) "
    "ON CONFLICT (shipment_id, fingerprint) DO NOTHING"
)


def _sqlite_time(value: datetime) -> str:
    """UTCDateTime's SQLite storage form of an aware datetime."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_event(v: dict[str, Any]) -> tuple[Any, ...]:
    """An `event_values` dict as the SQLite driver row `_SQLITE_INSERT_EVENT` takes."""
    # fmt: off
    return (
        v["shipment_id"], v["tracking_number"], v["provider"], _sqlite_time(v["time"]), v["status"],
        v["substatus"], v["description"], v["location"], v["country"], v["raw_status"],
        v["raw_description"], v["tz_assumption"], 1 if v["unclassified"] else 0, v["fingerprint"],
        _sqlite_time(v["first_seen_at"]),
    )
    # fmt: on


def _sqlite_event_columns(
    shipment_id: int,
    tracking_number: str,
    provider: str,
    event: NormalizedEvent,
    fingerprint: str,
    first_seen: str,
) -> tuple[Any, ...]:
    """`_sqlite_event(_event_columns(...))` in one step (`first_seen` already in SQLite form)."""
    (
        time,
        status,
        substatus,
        description,
        location,
        country,
        raw_status,
        assumption,
        unclassified,
    ) = event
    # fmt: off
    return (
        shipment_id, tracking_number, provider, _sqlite_time(time), status.value, substatus,
        description, location, country, raw_status, description, assumption,
        1 if unclassified else 0, fingerprint, first_seen,
    )
    # fmt: on


# ---------------------------------------------------------------- reading events


def stored_events(session: Session, shipment_id: int) -> list[StoredEvent]:
    """The shipment's events, oldest first."""
    query = (
        select(EventRow)
        .where(EventRow.shipment_id == shipment_id)
        .order_by(EventRow.time, EventRow.id)
    )
    return [to_stored_event(row) for row in session.scalars(query)]


def stored_events_by_shipment(
    session: Session, shipment_ids: Sequence[int]
) -> dict[int, list[StoredEvent]]:
    """The events of many shipments in one query (the evaluator loads a chunk at a time)."""
    found: dict[int, list[StoredEvent]] = {shipment_id: [] for shipment_id in shipment_ids}
    if not shipment_ids:
        return found
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        rows: Iterable[Any] = _sqlite_event_rows(session, shipment_ids)
    else:
        rows = session.execute(_events_query(shipment_ids))
    parse = datetime.fromisoformat
    statuses = {status.value: status for status in Status}
    for r in rows:
        # Columns in StoredEvent's field order; SQLite times are parsed as UTCDateTime reads them.
        time = parse(r[1]).replace(tzinfo=UTC) if sqlite else r[1]
        status = statuses.get(r[2]) or Status(r[2])
        found[r[0]].append(StoredEvent(time, status, *r[3:12], bool(r[12])))
    return found


# fmt: off
_EVENT_READ_COLUMNS = (
    "shipment_id", "time", "status", "description", "provider", "tracking_number", "location",
    "country", "substatus", "raw_status", "raw_description", "tz_assumption", "unclassified",
)
# fmt: on


def _events_query(shipment_ids: Sequence[int]) -> Select[Any]:
    t = EventRow.__table__.c
    return (
        select(*(t[name] for name in _EVENT_READ_COLUMNS))
        .where(t.shipment_id.in_(list(shipment_ids)))
        .order_by(t.shipment_id, t.time, t.id)
    )


def _sqlite_event_rows(session: Session, shipment_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """`_events_query` through the DB-API cursor: SQLAlchemy's per-value DATETIME processing and
    row objects were half of the load time (bench/RESULTS.md, evaluate)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(
            f"SELECT {', '.join(_EVENT_READ_COLUMNS)} FROM events "
            f"WHERE shipment_id IN ({', '.join('?' * len(shipment_ids))}) "
            "ORDER BY shipment_id, time, id",
            tuple(shipment_ids),
        )
        return cursor.fetchall()
    finally:
        cursor.close()


def to_stored_event(row: EventRow) -> StoredEvent:
    """The domain form of an ORM event row."""
    return StoredEvent(
        time=row.time,
        status=Status(row.status),
        description=row.description,
        provider=row.provider,
        tracking_number=row.tracking_number,
        location=row.location,
        country=row.country,
        substatus=row.substatus,
        raw_status=row.raw_status,
        raw_description=row.raw_description,
        tz_assumption=row.tz_assumption,
        unclassified=row.unclassified,
    )


def numbers_with_events(session: Session, provider: str, shipment_ids: Iterable[int]) -> set[str]:
    """Numbers of these shipments that `provider` reported events for (in any earlier run)."""
    ids = sorted(set(shipment_ids))
    c = EventRow.__table__.c
    found: set[str] = set()
    with session.no_autoflush:
        for i in range(0, len(ids), 10_000):
            query = (
                select(c.tracking_number)
                .distinct()
                .where(c.provider == provider, c.shipment_id.in_(ids[i : i + 10_000]))
            )
            found.update(session.scalars(query))
    return found
