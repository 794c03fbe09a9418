"""Read-only queries of the quick commands (`watcher list`, `watcher status`) in plain SQL.

Both must answer within half a second with 100,000 parcels, and importing SQLAlchemy (with its
ORM) takes most of that on its own. So on SQLite they read through the standard `sqlite3`
module; on PostgreSQL through a SQLAlchemy connection. The SQL is the same (`:name` parameters
work with both); values come back as each driver returns them (SQLite: text for times and JSON),
and `when`, `iso_time`, `iso_day` and `json_value` accept either form. Column names follow `tables.py`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from watcher.domain.timefmt import iso

#: Rows fetched per round trip while streaming a listing.
CHUNK = 5000

# The text SQLAlchemy stores for a UTCDateTime on SQLite (naive UTC), e.g. "2026-11-18 14:10:48.000000".
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


class Cursor(Protocol):
    """What both drivers' results offer."""

    def fetchone(self) -> Sequence[Any] | None: ...

    def fetchmany(self, size: int) -> Sequence[Sequence[Any]]: ...

    def fetchall(self) -> Sequence[Sequence[Any]]: ...


class Database(Protocol):
    """A connection that runs SQL with `:name` parameters."""

    dialect: str
    #: The SQLite file, if that is what this is (for its size on disk).
    path: Path | None

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Cursor: ...


class SqliteDatabase:
    """A `sqlite3` connection to a watcher database."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection, path: Path | None = None) -> None:
        self.connection = connection
        self.path = path

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Cursor:
        return self.connection.execute(sql, sqlite_params(params))


class SqlAlchemyDatabase:
    """A SQLAlchemy connection (PostgreSQL, or SQLite URLs that `sqlite3` cannot open by path)."""

    path: Path | None = None

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect: str = connection.dialect.name

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Cursor:
        from sqlalchemy import text

        values = sqlite_params(params) if self.dialect == "sqlite" else dict(params or {})
        result: Cursor = self.connection.execute(text(sql), values)
        return result


def sqlite_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Times as SQLAlchemy stores them on SQLite, so that text comparisons order correctly."""
    return {
        key: value.astimezone(UTC).strftime(_SQLITE_TIME) if isinstance(value, datetime) else value
        for key, value in (params or {}).items()
    }


@contextmanager
def open_sqlite(path: Path) -> Iterator[SqliteDatabase]:
    """A read-only `sqlite3` connection (same busy timeout as the engine's)."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA query_only = ON")
        yield SqliteDatabase(connection, path)
    finally:
        connection.close()


def sqlite_revisions(path: Path) -> list[str]:
    """The revisions in a SQLite file's `alembic_version` (empty if there is no file or table)."""
    if not path.is_file():
        return []  # connecting would create it
    try:
        with open_sqlite(path) as database:
            return schema_revisions(database)
    except sqlite3.Error:
        return []


# ---------------------------------------------------------------- values


def when(value: datetime | str | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite returns text, PostgreSQL datetimes)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_time(value: datetime | str | None) -> str | None:
    """`timefmt.iso` of a stored time, straight from SQLite's text when it has the usual form."""
    if isinstance(value, str) and len(value) == 26 and value[10] == " " and value[19] == ".":
        return f"{value[:10]}T{value[11:19]}Z"  # to the second, as `timefmt.iso`
    return iso(when(value))


def iso_day(value: date | str | None) -> str | None:
    """A stored date in ISO form (SQLite already stores it so)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if len(value) == 10 else date.fromisoformat(value).isoformat()
    return value.isoformat()


def json_value(value: Any) -> Any:
    """A JSON column's value (SQLite returns the text)."""
    if value is None or value == "null":
        return None  # the common case, without the parser
    return json.loads(value) if isinstance(value, str) else value


# ---------------------------------------------------------------- schema


def schema_revisions(database: Database) -> list[str]:
    """The revisions in `alembic_version`."""
    return [
        row[0] for row in database.execute("SELECT version_num FROM alembic_version").fetchall()
    ]


def database_size(database: Database) -> int | None:
    """Bytes on disk, as `db.database_size` counts them."""
    if database.dialect == "postgresql":
        row = database.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0] or 0) if row else 0
    from watcher.store.db import sqlite_size

    return sqlite_size(database.path) if database.path is not None else None


# ---------------------------------------------------------------- shipments


def _shipments(
    database: Database, columns: str, include_archived: bool, limit: int | None
) -> Iterator[Sequence[Sequence[Any]]]:
    """`columns` of the listed shipments (oldest first), in chunks."""
    where = "" if include_archived else " WHERE archived_at IS NULL"
    sql = f"SELECT {columns} FROM shipments{where} ORDER BY created_at, id"
    if limit is None:
        return _chunks(database.execute(sql))
    return _chunks(database.execute(sql + " LIMIT :limit", {"limit": limit}))


def _chunks(cursor: Cursor) -> Iterator[Sequence[Sequence[Any]]]:
    while rows := cursor.fetchmany(CHUNK):
        yield rows


#: The columns `render.shipment_record` reads, in this order.
RECORD_COLUMNS = (
    "tracking_number",
    "label",
    "marketplace",
    "order_id",
    "ordered_at",
    "protection_ends",
    "max_delivery_days",
    "dest_country",
    "dest_city",
    "dest_postcode",
    "providers",
    "status",
    "substatus",
    "last_event_at",
    "next_poll_at",
    "received_at",
    "not_received_at",
    "archived_at",
)


def shipment_records(
    database: Database, *, include_archived: bool = False, limit: int | None = None
) -> Iterator[Sequence[Sequence[Any]]]:
    """The shipments' `list --json` columns (`RECORD_COLUMNS`), in chunks, as stored."""
    return _shipments(database, ", ".join(RECORD_COLUMNS), include_archived, limit)


def _sqlite_iso(column: str) -> str:
    """SQL for `iso_time` of a stored SQLite time (always "YYYY-MM-DD HH:MM:SS.ffffff")."""
    # To the second, as `timefmt.iso`; NULL stays NULL.
    return f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z'"


def sqlite_shipment_json(
    database: SqliteDatabase, *, include_archived: bool = False, limit: int | None = None
) -> Iterator[Sequence[Sequence[str]]]:
    """`render.shipment_record` of each shipment as JSON text made by SQLite, in chunks of one-column rows.

    The same keys and values (compact, key order kept): building 100,000 dicts and encoding them
    in Python took 2 s. Dates are stored in ISO form already; JSON columns hold JSON text.
    """
    record = (
        "json_object('tracking_number', tracking_number, 'label', label, 'marketplace', marketplace,"
        " 'order_id', order_id, 'ordered_at', ordered_at, 'protection_ends', protection_ends,"
        " 'max_delivery_days', max_delivery_days,"
        " 'destination', json_object('country', dest_country, 'city', dest_city, 'postcode', dest_postcode),"
        " 'providers', json(providers), 'status', status, 'substatus', substatus,"
        + "".join(
            f" '{column}', {_sqlite_iso(column)},"
            for column in (
                "last_event_at",
                "next_poll_at",
                "received_at",
                "not_received_at",
                "archived_at",
            )
        )
        + " 'legs', json_array())"
    )
    return _shipments(database, record, include_archived, limit)


def status_counts(database: Database) -> dict[str, int]:
    """Watched (not archived) shipments by status."""
    query = "SELECT status, count(*) FROM shipments WHERE archived_at IS NULL GROUP BY status"
    return {status: count for status, count in database.execute(query).fetchall()}


def open_alert_count(database: Database) -> int:
    row = database.execute("SELECT count(*) FROM alerts WHERE resolved_at IS NULL").fetchone()
    return int(row[0]) if row else 0


def open_alert_actions(database: Database) -> dict[str, tuple[str, str, date | None]]:
    """Each tracking number's most urgent open alert as (severity, action, act_by), for `watcher list`."""
    rank = {"critical": 3, "warning": 2, "info": 1}
    best: dict[str, tuple[str, str, date | None]] = {}
    query = "SELECT subject, severity, action, act_by FROM alerts WHERE resolved_at IS NULL"
    for subject, severity, action, act_by in database.execute(query).fetchall():
        day = date.fromisoformat(act_by) if isinstance(act_by, str) else act_by
        old = best.get(subject)
        key = (rank.get(severity, 0), -(day.toordinal() if day else 10**7))
        if old is None or key > (rank.get(old[0], 0), -(old[2].toordinal() if old[2] else 10**7)):
            best[subject] = (severity, action, day)
    return best


# ---------------------------------------------------------------- instances and providers


class InstanceState(NamedTuple):
    """An `instances` row."""

    id: str
    hostname: str
    pid: int
    version: str | None
    started_at: datetime
    heartbeat_at: datetime
    last_cycle_at: datetime | None
    stopped_at: datetime | None
    cycles: int | None
    last_cycle_seconds: float | None
    last_cycle_error: str | None


def instances(database: Database) -> list[InstanceState]:
    """Every daemon instance's heartbeat row, oldest start first."""
    query = (
        "SELECT id, hostname, pid, version, started_at, heartbeat_at, last_cycle_at, stopped_at, cycles,"
        " last_cycle_seconds, last_cycle_error FROM instances ORDER BY started_at"
    )
    return [
        InstanceState(
            id=row[0],
            hostname=row[1],
            pid=row[2],
            version=row[3],
            started_at=when(row[4]),  # type: ignore[arg-type]
            heartbeat_at=when(row[5]),
            last_cycle_at=when(row[6]),
            stopped_at=when(row[7]),  # type: ignore[arg-type]
            cycles=row[8],
            last_cycle_seconds=row[9],
            last_cycle_error=row[10],
        )
        for row in database.execute(query).fetchall()
    ]


class ProviderState(NamedTuple):
    """The `provider_state` columns `watcher status` reports."""

    name: str
    last_success_at: datetime | None
    failing_since: datetime | None
    consecutive_failures: int | None
    paused_until: datetime | None
    last_error: str | None


def provider_states(database: Database) -> list[ProviderState]:
    query = (
        "SELECT name, last_success_at, failing_since, consecutive_failures, paused_until, last_error"
        " FROM provider_state ORDER BY name"
    )
    return [
        ProviderState(row[0], when(row[1]), when(row[2]), row[3], when(row[4]), row[5])
        for row in database.execute(query).fetchall()
    ]


# ---------------------------------------------------------------- outbox

_PENDING = "sent_at IS NULL AND failed_at IS NULL"


def outbox_summary(database: Database, now: datetime, *, gave_up_since: datetime) -> dict[str, Any]:
    """`watcher.notify.outbox.outbox_summary` in plain SQL, plus what `watcher status` adds to it.

    Pending, failed, oldest pending age and last error, in total and per target; then
    `oldest_due_at` (the longest-waiting due message) and `gave_up` (messages given up on since
    `gave_up_since`). One pass over the covering index `ix_notifications_outbox_summary`: the
    outbox keeps every message ever sent.
    """
    query = (
        "SELECT target,"
        " count(*) FILTER (WHERE sent_at IS NOT NULL),"
        " count(*) FILTER (WHERE failed_at IS NOT NULL),"
        f" count(*) FILTER (WHERE {_PENDING}),"
        f" count(*) FILTER (WHERE {_PENDING} AND due_at <= :now),"
        f" count(*) FILTER (WHERE {_PENDING} AND attempts > 0),"
        f" min(created_at) FILTER (WHERE {_PENDING}),"
        f" min(due_at) FILTER (WHERE {_PENDING}),"
        " max(sent_at),"
        f" min(due_at) FILTER (WHERE {_PENDING} AND due_at <= :now),"
        " count(*) FILTER (WHERE failed_at >= :since)"
        " FROM notifications GROUP BY target"
    )
    targets: dict[str, dict[str, Any]] = {}
    oldest_due: list[datetime] = []
    gave_up = 0
    for row in database.execute(query, {"now": now, "since": gave_up_since}).fetchall():
        (
            target,
            sent,
            failed,
            pending,
            due,
            retrying,
            oldest,
            next_due,
            last_sent,
            due_since,
            given_up,
        ) = row
        oldest_at = when(oldest)
        # The keys and order of watcher.notify.outbox.TargetSummary.
        targets[target] = {
            "pending": pending,
            "due": due,
            "retrying": retrying,
            "failed": failed,
            "sent": sent,
            "oldest_pending_age_seconds": (now - oldest_at).total_seconds() if oldest_at else None,
            "next_due_at": when(next_due),
            "last_sent_at": when(last_sent),
            "last_error": None,
            "last_error_at": None,
        }
        if due_since is not None:
            oldest_due.append(when(due_since))  # type: ignore[arg-type]
        gave_up += given_up or 0
    errors = (
        "SELECT target, last_error, last_attempt_at FROM notifications"
        " WHERE last_error IS NOT NULL AND sent_at IS NULL ORDER BY last_attempt_at"
    )
    for target, error, at in database.execute(errors).fetchall():
        if target in targets:
            targets[target]["last_error"], targets[target]["last_error_at"] = error, when(at)
    total_pending = sum(t["pending"] for t in targets.values())
    ages = [
        t["oldest_pending_age_seconds"]
        for t in targets.values()
        if t["oldest_pending_age_seconds"] is not None
    ]
    return {
        "backlog": total_pending,
        "pending": total_pending,
        "due": sum(t["due"] for t in targets.values()),
        "retrying": sum(t["retrying"] for t in targets.values()),
        "failed": sum(t["failed"] for t in targets.values()),
        "oldest_pending_age_seconds": max(ages) if ages else None,
        "targets": dict(sorted(targets.items())),
        "oldest_due_at": min(oldest_due, default=None),
        "gave_up": gave_up,
    }
