"""Queries and commands on the database. No rules, no HTTP: callers pass "now" and decisions in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, null, or_, select
from sqlalchemy import insert as insert_core
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from watcher.config import ShipmentConfig
from watcher.domain.errors import InputError
from watcher.domain.models import (
    Alert,
    DeliveryEstimate,
    Destination,
    ProviderEvent,
    ShipmentView,
    Status,
    StoredEvent,
)
from watcher.store.tables import (
    AlertRow,
    EstimateRow,
    EventRow,
    LegRow,
    NotificationRow,
    ProviderStateRow,
    ShipmentRow,
)

# ---------------------------------------------------------------- shipments

_CONFIG_FIELDS = ("label", "marketplace", "order_id", "ordered_at", "protection_ends", "max_delivery_days", "insured")


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    updated: int = 0


def shipment_values(data: ShipmentConfig) -> dict[str, Any]:
    """Column values for a shipment declared in the config or on the CLI."""
    values: dict[str, Any] = {name: getattr(data, name) for name in _CONFIG_FIELDS}
    values.update(
        dest_country=data.destination.country,
        dest_city=data.destination.city,
        dest_postcode=data.destination.postcode,
        providers=list(data.providers) if data.providers else None,
    )
    return values


def sync_config_shipments(session: Session, shipments: Sequence[ShipmentConfig], now: datetime) -> SyncReport:
    """Add or update config-declared shipments; never deletes anything."""
    wanted = {s.tracking_number: s for s in shipments}
    existing = {
        row.tracking_number: row
        for row in session.scalars(select(ShipmentRow).where(ShipmentRow.tracking_number.in_(wanted)))
    } if wanted else {}
    added = updated = 0
    for number, data in wanted.items():
        values = shipment_values(data)
        row = existing.get(number)
        if row is None:
            session.add(new_shipment_row(number, values, now, source="config"))
            added += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            row.next_eval_at = now  # facts changed: the rules must look again
            updated += 1
    return SyncReport(added, updated)


def new_shipment_row(number: str, values: dict[str, Any], now: datetime, *, source: str) -> ShipmentRow:
    return ShipmentRow(
        tracking_number=number,
        source=source,
        created_at=now,
        updated_at=now,
        status=Status.PENDING.value,
        next_poll_at=now,
        next_eval_at=now,
        poll_failures=0,
        **values,
    )


def add_shipment(session: Session, data: ShipmentConfig, now: datetime) -> ShipmentRow:
    """Start watching a parcel from the CLI."""
    if find_shipment(session, data.tracking_number) is not None:
        raise InputError(f"{data.tracking_number}: already watched (see `watcher show {data.tracking_number}`)")
    row = new_shipment_row(data.tracking_number, shipment_values(data), now, source="cli")
    session.add(row)
    session.flush()
    return row


def find_shipment(session: Session, number: str) -> ShipmentRow | None:
    """A shipment by its tracking number or by one of its legs' numbers."""
    row = session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == number))
    if row is not None:
        return row
    leg = session.scalar(select(LegRow).where(LegRow.tracking_number == number))
    return session.get(ShipmentRow, leg.shipment_id) if leg else None


def require_shipment(session: Session, number: str) -> ShipmentRow:
    row = find_shipment(session, number)
    if row is None:
        raise InputError(f"{number}: not watched (add it with `watcher add {number}`)")
    return row


def list_shipments(session: Session, *, include_archived: bool = False) -> list[ShipmentRow]:
    query = select(ShipmentRow).order_by(ShipmentRow.created_at, ShipmentRow.id)
    if not include_archived:
        query = query.where(ShipmentRow.archived_at.is_(None))
    return list(session.scalars(query))


def to_view(row: ShipmentRow) -> ShipmentView:
    """The read-only snapshot rules work on."""
    return ShipmentView(
        tracking_number=row.tracking_number,
        label=row.label,
        marketplace=row.marketplace,
        order_id=row.order_id,
        ordered_at=row.ordered_at,
        protection_ends=row.protection_ends,
        max_delivery_days=row.max_delivery_days,
        destination=Destination(row.dest_country, row.dest_city, row.dest_postcode),
        created_at=row.created_at,
        received_at=row.received_at,
        not_received_at=row.not_received_at,
        archived=row.archived_at is not None,
        insured=bool(row.insured),
    )


def leg_numbers(session: Session, shipment_id: int) -> list[str]:
    return list(session.scalars(select(LegRow.tracking_number).where(LegRow.shipment_id == shipment_id).order_by(LegRow.id)))


def leg_numbers_by_shipment(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[str]]:
    """`leg_numbers` of many shipments (in a few queries), for the poller's request plan."""
    found: dict[int, list[str]] = {}
    ids = list(shipment_ids)
    for i in range(0, len(ids), 10_000):
        query = (
            select(LegRow.shipment_id, LegRow.tracking_number)
            .where(LegRow.shipment_id.in_(ids[i : i + 10_000]))
            .order_by(LegRow.shipment_id, LegRow.id)
        )
        for shipment_id, number in session.execute(query):
            found.setdefault(shipment_id, []).append(number)
    return found


def add_leg(session: Session, shipment: ShipmentRow, number: str, provider: str | None, now: datetime) -> bool:
    """Link a follow-on tracking number; True when it is new."""
    if number == shipment.tracking_number or number in leg_numbers(session, shipment.id):
        return False
    session.add(LegRow(shipment_id=shipment.id, tracking_number=number, provider=provider, added_at=now))
    return True


# ---------------------------------------------------------------- polling


def active_query() -> Select[tuple[ShipmentRow]]:
    """Shipments not archived, by id."""
    return select(ShipmentRow).where(ShipmentRow.archived_at.is_(None)).order_by(ShipmentRow.id)


def active_shipments(session: Session) -> list[ShipmentRow]:
    return list(session.scalars(active_query()))


def shipment_names(session: Session, shipment_ids: Iterable[int]) -> dict[int, Any]:
    """Plain (id, tracking_number, label) rows of the shipments that still exist, by id."""
    columns = (ShipmentRow.id, ShipmentRow.tracking_number, ShipmentRow.label)
    return {row.id: row for row in shipments_by_id(session, list(shipment_ids), columns)}


def mark_for_evaluation(session: Session, shipment_ids: Iterable[int], now: datetime) -> None:
    """Have the rules look at these shipments at `now` (something new was stored for them)."""
    ids = sorted(set(shipment_ids))
    table = ShipmentRow.__table__
    for i in range(0, len(ids), 10_000):
        session.execute(table.update().where(table.c.id.in_(ids[i : i + 10_000])).values(next_eval_at=now))


def numbers_with_events(session: Session, provider: str, shipment_ids: Iterable[int]) -> set[str]:
    """Tracking numbers of these shipments that `provider` reported events for (in any earlier run)."""
    ids = sorted(set(shipment_ids))
    c = EventRow.__table__.c
    found: set[str] = set()
    with session.no_autoflush:
        for i in range(0, len(ids), 10_000):
            query = select(c.tracking_number).distinct().where(c.provider == provider, c.shipment_id.in_(ids[i : i + 10_000]))
            found.update(session.scalars(query))
    return found


def shipments_by_id(session: Session, shipment_ids: Sequence[int], columns: Sequence[Any] = ()) -> list[Any]:
    """Plain read-only rows of these shipments by id: every column, or `columns` (with the id)."""
    ids = sorted(set(shipment_ids))
    table = ShipmentRow.__table__
    found: list[Any] = []
    with session.no_autoflush:
        for i in range(0, len(ids), 10_000):
            query = select(*columns) if columns else select(table)
            found.extend(session.execute(query.where(table.c.id.in_(ids[i : i + 10_000])).order_by(table.c.id)))
    return found


#: What `to_view` reads.
VIEW_COLUMNS = tuple(
    getattr(ShipmentRow, name)
    for name in (
        "tracking_number", "label", "marketplace", "order_id", "ordered_at", "protection_ends", "max_delivery_days",
        "dest_country", "dest_city", "dest_postcode", "created_at", "received_at", "not_received_at", "archived_at",
        "insured",
    )
)


def store_poll_schedule(
    session: Session, schedule: Sequence[tuple[int, int, datetime | None]], now: datetime, *, owner: str | None
) -> None:
    """After a poll: (id, poll failures, next poll time) per shipment, in one executemany.

    Also sets `last_polled_at` and ends the lease as `claims.release` does: always without an
    `owner`, else only `owner`'s own (decided in SQL, on the row's current lease).
    """
    if not schedule:
        return
    table = ShipmentRow.__table__
    c = table.c
    if owner is None:
        lease: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    else:
        mine = c.lease_owner == owner
        lease = {"lease_owner": case((mine, null()), else_=c.lease_owner), "lease_until": case((mine, null()), else_=c.lease_until)}
    statement = (
        table.update()
        .where(c.id == bindparam("_id"))
        .values(
            last_polled_at=now,
            poll_failures=bindparam("_failures", type_=c.poll_failures.type),
            next_poll_at=bindparam("_next", type_=c.next_poll_at.type),
            **lease,
        )
    )
    with session.no_autoflush:
        session.execute(statement, [{"_id": i, "_failures": f, "_next": n} for i, f, n in schedule])


def event_fingerprint(tracking_number: str, provider: str, time: datetime, description: str, location: str | None) -> str:
    """Identity of one provider report: the same report polled twice has the same fingerprint."""
    text = "\x1f".join((tracking_number, provider, time.isoformat(), description.strip(), (location or "").strip()))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def to_event_row(shipment_id: int, tracking_number: str, provider: str, event: ProviderEvent, now: datetime) -> EventRow:
    """Resolve time and status of a provider event for storage."""
    return EventRow(**event_values(shipment_id, tracking_number, provider, event, now))


def event_values(shipment_id: int, tracking_number: str, provider: str, event: ProviderEvent, now: datetime) -> dict[str, Any]:
    """The `events` columns of a provider event: time resolved to UTC, status classified."""
    # Imported here: their regex tables cost ~0.1 s at start-up, which `watcher list` never needs.
    from watcher.timeline.zones import resolve_time

    time, assumption = resolve_time(event)
    fingerprint = event_fingerprint(tracking_number, provider, time, event.description, event.location)
    return _event_columns(shipment_id, tracking_number, provider, event, time, assumption, fingerprint, now)


def _event_columns(
    shipment_id: int, tracking_number: str, provider: str, event: ProviderEvent, time: datetime,
    assumption: str | None, fingerprint: str, now: datetime,
) -> dict[str, Any]:
    """`event_values` once the time is resolved and the fingerprint known."""
    status, substatus, unclassified = event.status, event.substatus, False
    if status is None:
        from watcher.timeline.classify import classify_text

        found = classify_text(event.description)
        status, unclassified = found.status, not found.matched
        substatus = substatus or found.substatus
    return {
        "shipment_id": shipment_id,
        "tracking_number": tracking_number,
        "provider": provider,
        "time": time,
        "status": status.value,
        "substatus": substatus,
        "description": event.description,
        "location": event.location,
        "country": event.country,
        "raw_status": event.raw_status,
        "raw_description": event.description,
        "tz_assumption": assumption,
        "unclassified": unclassified,
        "fingerprint": fingerprint,
        "first_seen_at": now,
    }


def store_events(
    session: Session, shipment_id: int, tracking_number: str, provider: str, events: Iterable[ProviderEvent], now: datetime
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
            cursor = session.connection().exec_driver_sql(_SQLITE_INSERT_EVENT, [_sqlite_event(v) for v in rows.values()])
            return int(cursor.rowcount)  # sqlite3 sums executemany's changes: the rows inserted
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = insert(table).on_conflict_do_nothing(index_elements=["shipment_id", "fingerprint"])
        # No autoflush: other pending changes (estimates, the shipment's next_eval_at) go out
        # together at commit instead of one flush per shipment.
        with session.no_autoflush:
            if dialect == "postgresql":
                # psycopg's executemany rowcount is not the inserted count: count RETURNING rows.
                return len(session.execute(statement.returning(table.c.id), list(rows.values())).all())
            # sqlite3 sums the changes of every executemany row: exactly the rows inserted.
            return int(session.execute(statement, list(rows.values())).rowcount)  # type: ignore[attr-defined]
    known = set(
        session.scalars(
            select(EventRow.fingerprint).where(EventRow.shipment_id == shipment_id, EventRow.fingerprint.in_(list(rows)))
        )
    )
    new = [values for fingerprint, values in rows.items() if fingerprint not in known]
    if new:
        session.execute(insert_core(table), new)
    return len(new)


def store_events_many(
    session: Session,
    provider: str,
    items: Sequence[tuple[int, str, Iterable[ProviderEvent]]],
    now: datetime,
) -> list[int]:
    """`store_events` for a whole provider batch: (shipment id, number, events) items, one INSERT.

    Stores the same rows as calling `store_events` once per item, in order, and returns each
    item's count of new events. The batch's stored fingerprints are read in one query first,
    so a re-poll of known events only computes fingerprints: no classifying, no insert. The
    insert still says ON CONFLICT DO NOTHING (another instance may store the same report).
    """
    from watcher.timeline.zones import resolve_time

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
            time, assumption = resolve_time(event)
            fingerprint = event_fingerprint(number, provider, time, event.description, event.location)
            key = (shipment_id, fingerprint)
            if key in known or key in owner:
                continue
            owner[key] = index
            rows.append(columns(shipment_id, number, provider, event, time, assumption, fingerprint, first_seen))
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
    """(shipment id, fingerprint) of every stored event of these shipments (from the unique index)."""
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
                    cursor.execute(f"SELECT shipment_id, fingerprint FROM events WHERE shipment_id IN ({marks})", chunk)
                    found.update(cursor.fetchall())
            finally:
                cursor.close()
            return found
        for i in range(0, len(shipment_ids), 10_000):
            query = select(t.shipment_id, t.fingerprint).where(t.shipment_id.in_(shipment_ids[i : i + 10_000]))
            found.update(map(tuple, session.execute(query).all()))
    return found


def stored_events(session: Session, shipment_id: int) -> list[StoredEvent]:
    rows = session.scalars(select(EventRow).where(EventRow.shipment_id == shipment_id).order_by(EventRow.time, EventRow.id))
    return [to_stored_event(row) for row in rows]


_EVENT_COLUMNS = (
    "shipment_id", "tracking_number", "provider", "time", "status", "substatus", "description", "location",
    "country", "raw_status", "raw_description", "tz_assumption", "unclassified", "fingerprint", "first_seen_at",
)
_SQLITE_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)}) "
    "ON CONFLICT (shipment_id, fingerprint) DO NOTHING"
)


def _sqlite_time(value: datetime) -> str:
    """UTCDateTime's SQLite storage form of an aware datetime."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_event(v: dict[str, Any]) -> tuple[Any, ...]:
    return (
        v["shipment_id"], v["tracking_number"], v["provider"], _sqlite_time(v["time"]), v["status"], v["substatus"],
        v["description"], v["location"], v["country"], v["raw_status"], v["raw_description"], v["tz_assumption"],
        1 if v["unclassified"] else 0, v["fingerprint"], _sqlite_time(v["first_seen_at"]),
    )


def _sqlite_event_columns(
    shipment_id: int, tracking_number: str, provider: str, event: ProviderEvent, time: datetime,
    assumption: str | None, fingerprint: str, first_seen: str,
) -> tuple[Any, ...]:
    """`_sqlite_event(_event_columns(...))` in one step (`first_seen` already in SQLite form)."""
    status, substatus, unclassified = event.status, event.substatus, 0
    if status is None:
        # Imported only here: an import statement per event costs ~1 us.
        from watcher.timeline.classify import classify_text

        found = classify_text(event.description)
        status, unclassified = found.status, 0 if found.matched else 1
        substatus = substatus or found.substatus
    description = event.description
    return (
        shipment_id, tracking_number, provider, _sqlite_time(time), status.value, substatus, description,
        event.location, event.country, event.raw_status, description, assumption, unclassified, fingerprint, first_seen,
    )


def stored_events_by_shipment(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[StoredEvent]]:
    """The events of many shipments in one query (the evaluator loads a chunk at a time)."""
    found: dict[int, list[StoredEvent]] = {shipment_id: [] for shipment_id in shipment_ids}
    if not shipment_ids:
        return found
    sqlite = session.get_bind().dialect.name == "sqlite"
    rows = _sqlite_event_rows(session, shipment_ids) if sqlite else session.execute(_events_query(shipment_ids))
    parse = datetime.fromisoformat
    statuses = {status.value: status for status in Status}
    for r in rows:
        # Columns in StoredEvent's field order; SQLite times are parsed as UTCDateTime reads them.
        time = parse(r[1]).replace(tzinfo=UTC) if sqlite else r[1]
        status = statuses.get(r[2]) or Status(r[2])
        found[r[0]].append(StoredEvent(time, status, *r[3:12], bool(r[12])))
    return found


_EVENT_READ_COLUMNS = (
    "shipment_id", "time", "status", "description", "provider", "tracking_number", "location", "country",
    "substatus", "raw_status", "raw_description", "tz_assumption", "unclassified",
)


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
            f"WHERE shipment_id IN ({', '.join('?' * len(shipment_ids))}) ORDER BY shipment_id, time, id",
            tuple(shipment_ids),
        )
        return cursor.fetchall()
    finally:
        cursor.close()


def to_stored_event(row: EventRow) -> StoredEvent:
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


def record_estimate(session: Session, shipment_id: int, provider: str, estimated: date, now: datetime) -> str | None:
    """Keep a provider's delivery estimate when it changed; returns "new", "later", "earlier" or None."""
    return record_estimates(session, provider, [(shipment_id, estimated)], now)[0]


def record_estimates(
    session: Session, provider: str, reports: Sequence[tuple[int, date]], now: datetime
) -> list[str | None]:
    """`record_estimate` for many (shipment id, estimate) reports of one provider, in order.

    The shipments' stored estimates are read in one query and the changes written with one
    INSERT and one UPDATE (Core): one query per shipment, then ORM rows and their flush, were
    a fifth of polling time (bench/RESULTS.md, throughput).
    """
    c = EstimateRow.__table__.c
    ids = sorted({shipment_id for shipment_id, _ in reports})
    history: dict[int, list[_Estimate]] = {shipment_id: [] for shipment_id in ids}
    for i in range(0, len(ids), 10_000):
        query = select(c.shipment_id, c.id, c.estimated_date, c.reported_at).where(
            c.provider == provider, c.shipment_id.in_(ids[i : i + 10_000])
        )
        for shipment_id, row_id, estimated_date, reported_at in session.execute(query):
            history[shipment_id].append(_Estimate(row_id, estimated_date, reported_at))
    for rows in history.values():
        rows.sort(key=_Estimate.order)
    moves: list[str | None] = []
    added: list[dict[str, Any]] = []
    again_ids: set[int] = set()
    for shipment_id, estimated in reports:
        rows = history[shipment_id]
        last = rows[-1] if rows else None
        if last is not None and last.estimated_date == estimated:
            moves.append(None)
            continue
        again = next((row for row in rows if row.estimated_date == estimated), None)
        if again is not None:
            again.reported_at = now  # back to an earlier value: it becomes the latest report again
            if again.id is not None:
                again_ids.add(again.id)
        else:
            rows.append(_Estimate(None, estimated, now))
            added.append({"shipment_id": shipment_id, "provider": provider, "estimated_date": estimated, "reported_at": now})
        rows.sort(key=_Estimate.order)
        moves.append("new" if last is None else "later" if estimated > last.estimated_date else "earlier")
    if added:
        session.execute(insert_core(EstimateRow.__table__), added)
    if again_ids:
        ordered = sorted(again_ids)
        for i in range(0, len(ordered), 10_000):
            session.execute(EstimateRow.__table__.update().where(c.id.in_(ordered[i : i + 10_000])).values(reported_at=now))
    return moves


@dataclass(slots=True)
class _Estimate:
    """One stored (or just added: no id yet) estimate while `record_estimates` works."""

    id: int | None
    estimated_date: date
    reported_at: datetime

    def order(self) -> tuple[datetime, bool, int]:
        """Oldest report first; rows added now after stored ones reported at the same time."""
        return (self.reported_at, self.id is None, self.id or 0)


def estimates(session: Session, shipment_id: int) -> list[DeliveryEstimate]:
    """Every recorded delivery estimate, oldest report first."""
    rows = session.scalars(
        select(EstimateRow).where(EstimateRow.shipment_id == shipment_id).order_by(EstimateRow.reported_at, EstimateRow.id)
    )
    return [DeliveryEstimate(date=row.estimated_date, source=row.provider, reported_at=row.reported_at) for row in rows]


# ---------------------------------------------------------------- evaluation


def due_for_evaluation_ids(session: Session, now: datetime) -> list[int]:
    """Ids of shipments that changed or came due, by id, found through the next_eval_at index.

    (Paging through the due rows `ORDER BY id` made SQLite walk the primary key instead, scanning
    every shipment per chunk: a third of a 1%-due cycle at 100,000 shipments, bench/RESULTS.md.)
    """
    t = ShipmentRow.__table__.c
    query = select(t.id).where(t.next_eval_at.is_not(None), t.next_eval_at <= now, t.archived_at.is_(None))
    return sorted(session.scalars(query))


def active_rows_after(session: Session, after_id: int, limit: int) -> list[Any]:
    """The next `limit` active shipments after `after_id`, as plain rows (not ORM objects:
    building and flushing 500 ORM rows per chunk was a fifth of a due cycle, bench/RESULTS.md)."""
    t = ShipmentRow.__table__.c
    query = select(ShipmentRow.__table__).where(t.archived_at.is_(None), t.id > after_id)
    return list(session.execute(query.order_by(t.id).limit(limit)))


#: What an evaluation writes back to a shipment (`save_evaluations`).
EVALUATION_FIELDS = ("status", "substatus", "last_event_at", "next_eval_at")


def save_evaluations(session: Session, outcomes: Sequence[dict[str, Any]]) -> None:
    """Store evaluation outcomes ({"id": ..., **EVALUATION_FIELDS}) with one executemany."""
    if not outcomes:
        return
    t = ShipmentRow.__table__
    statement = (
        t.update()
        .where(t.c.id == bindparam("shipment_id"))
        .values({name: bindparam(f"new_{name}") for name in EVALUATION_FIELDS})
    )
    params = [{"shipment_id": o["id"], **{f"new_{n}": o[n] for n in EVALUATION_FIELDS}} for o in outcomes]
    session.execute(statement, params)


def open_alerts(session: Session, subject: str | None = None) -> list[AlertRow]:
    query = select(AlertRow).where(AlertRow.resolved_at.is_(None)).order_by(AlertRow.opened_at, AlertRow.id)
    if subject is not None:
        query = query.where(AlertRow.subject == subject)
    return list(session.scalars(query))


def open_alerts_by_subject(session: Session, subjects: Sequence[str]) -> dict[str, list[AlertRow]]:
    """Open alerts of many subjects in one query (same order as `open_alerts`)."""
    query = (
        select(AlertRow)
        .where(AlertRow.resolved_at.is_(None), AlertRow.subject.in_(list(subjects)))
        .order_by(AlertRow.opened_at, AlertRow.id)
    )
    found: dict[str, list[AlertRow]] = {subject: [] for subject in subjects}
    for row in session.scalars(query):
        found[row.subject].append(row)
    return found


def recent_alerts(session: Session, since: datetime) -> list[AlertRow]:
    query = (
        select(AlertRow)
        .where(or_(AlertRow.resolved_at.is_(None), AlertRow.resolved_at >= since))
        .order_by(AlertRow.opened_at, AlertRow.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class AlertChange:
    """What happened to one alert in one evaluation."""

    row: AlertRow
    change: str  # "opened", "escalated", "updated", "resolved"


def apply_alerts(
    session: Session,
    subject: str,
    shipment_id: int | None,
    alerts: Sequence[Alert],
    now: datetime,
    *,
    open_rows: Sequence[AlertRow] | None = None,
) -> list[AlertChange]:
    """Open, update or resolve the subject's alerts to match what the rules say now.

    `open_rows` are the subject's open alerts when the caller loaded them already (in bulk).
    """
    current = {row.key: row for row in (open_alerts(session, subject) if open_rows is None else open_rows)}
    changes: list[AlertChange] = []
    seen: set[str] = set()
    for alert in alerts:
        key = alert.alert_key
        seen.add(key)
        row = current.get(key)
        if row is None:
            row = AlertRow(subject=subject, shipment_id=shipment_id, key=key, opened_at=now)
            fill_alert(row, alert, now)
            session.add(row)
            changes.append(AlertChange(row, "opened"))
        elif row.state_key != alert.state_key or row.kind != alert.kind:
            fill_alert(row, alert, now)
            changes.append(AlertChange(row, "escalated"))
        elif row.message != alert.message:
            fill_alert(row, alert, now)
            changes.append(AlertChange(row, "updated"))
    for key, row in current.items():
        if key not in seen:
            row.resolved_at = now
            row.updated_at = now
            changes.append(AlertChange(row, "resolved"))
    if changes:
        session.flush()  # new alerts need their ids (outbox dedupe keys); otherwise flush at commit
    return changes


def fill_alert(row: AlertRow, alert: Alert, now: datetime) -> None:
    row.kind = alert.kind
    row.action = alert.action.value
    row.severity = alert.severity.value
    row.message = alert.message
    row.act_by = alert.act_by
    row.evidence = list(alert.evidence)
    row.state_key = alert.state_key
    row.updated_at = now


# ---------------------------------------------------------------- outbox


def enqueue_notification(
    session: Session,
    *,
    target: str,
    event: str,
    title: str,
    body: str,
    dedupe_key: str,
    now: datetime,
    due_at: datetime | None = None,
    alert_id: int | None = None,
    severity: str = "info",
    payload: dict[str, Any] | None = None,
) -> bool:
    """Write a message to the outbox unless the same one was already written (True if new)."""
    if session.scalar(select(NotificationRow.id).where(NotificationRow.dedupe_key == dedupe_key)):
        return False
    session.add(
        NotificationRow(
            alert_id=alert_id,
            target=target,
            event=event,
            severity=severity,
            title=title,
            body=body,
            dedupe_key=dedupe_key,
            created_at=now,
            due_at=due_at or now,
            attempts=0,
            payload=payload,
        )
    )
    return True


def provider_state(session: Session, name: str) -> ProviderStateRow:
    row = session.get(ProviderStateRow, name)
    if row is None:
        row = ProviderStateRow(name=name, consecutive_failures=0)
        session.add(row)
    return row


def record_provider_success(session: Session, name: str, now: datetime) -> ProviderStateRow:
    row = provider_state(session, name)
    row.last_success_at = now
    row.consecutive_failures = 0
    row.failing_since = None
    row.paused_until = None
    row.paused_reason = None
    return row


def record_provider_failure(
    session: Session, name: str, error: str, now: datetime, *, paused_until: datetime | None = None
) -> ProviderStateRow:
    row = provider_state(session, name)
    row.last_error_at = now
    row.last_error = error
    row.consecutive_failures = (row.consecutive_failures or 0) + 1
    row.failing_since = row.failing_since or now
    if paused_until is not None:
        row.paused_until = paused_until
        row.paused_reason = error
    return row


def provider_states(session: Session) -> list[ProviderStateRow]:
    return list(session.scalars(select(ProviderStateRow).order_by(ProviderStateRow.name)))
