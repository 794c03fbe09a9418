"""Work sharing between daemon instances: claims with leases, exclusive sections, the SQLite lock.

On PostgreSQL several `watcher run` instances share one database. Each claims a batch of due
shipments (or outbox rows) with `SELECT ... FOR UPDATE SKIP LOCKED`, stamps them with a lease
(`lease_owner`, `lease_until`) and commits, so no other instance picks them up. The lease is
cleared when the work is stored; if the instance dies mid-cycle the lease simply expires and
the work becomes due again for everyone. Evaluation and config sync run under advisory locks.

SQLite allows one writer process, so it stays single-instance: `InstanceLock` holds an
exclusive `flock` on `<database>.lock` while the daemon runs.

Leases are wall-clock times, unlike the cycle's `now`: they coordinate processes, and a cycle's
`now` may be minutes old (or frozen, in `check --now`) by the time it claims outbox rows. A
running daemon renews its leases with every heartbeat, so only a dead instance's expire.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from watcher.domain.errors import StoreError
from watcher.store.db import is_postgres, sqlite_path
from watcher.store.tables import NotificationRow, ShipmentRow

#: Advisory lock keys (pg_advisory_lock takes a bigint): one per exclusive section.
SECTION_KEYS = {"evaluate": 0x77617401, "sync": 0x77617402}


def _for_update(query: Any, session: Session) -> Any:
    """Row locks that skip rows another instance holds (PostgreSQL; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def lease_clock() -> datetime:
    """The wall clock leases are measured against (the same for every instance)."""
    return datetime.now(UTC)


def _lease_free(column: Any, wall: datetime) -> Any:
    return or_(column.is_(None), column <= wall)


def claim_shipments(
    session: Session,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    columns: Sequence[Any] = (),
) -> list[Any]:
    """Take up to `limit` due, unleased shipments for `owner` and commit the lease.

    Returns ORM rows, or with `columns` (which must include `ShipmentRow.id`) plain read-only
    rows of just those columns: the poller needs 3 of 24, and building ORM objects for a
    cycle's 5,000 shipments was a tenth of polling time (bench/RESULTS.md, throughput).
    """
    wall = lease_clock()
    query = (
        (select(*columns) if columns else select(ShipmentRow))
        .where(
            ShipmentRow.archived_at.is_(None),
            ShipmentRow.next_poll_at.is_not(None),
            ShipmentRow.next_poll_at <= now,
            _lease_free(ShipmentRow.lease_until, wall),
        )
        .order_by(ShipmentRow.next_poll_at, ShipmentRow.id)
        .limit(limit)
    )
    query = _for_update(query, session)
    rows = list(session.execute(query) if columns else session.scalars(query))
    _stamp_leases(session, rows, owner, wall + lease)
    session.commit()  # the lease must be visible to other instances before any polling starts
    return rows


def _stamp_leases(session: Session, rows: list[Any], owner: str, until: datetime) -> None:
    """Lease the rows with one UPDATE per 10,000 ids instead of an ORM flush of each row."""
    table = ShipmentRow.__table__
    ids = [row.id for row in rows]
    for i in range(0, len(ids), 10_000):
        session.execute(
            table.update()
            .where(table.c.id.in_(ids[i : i + 10_000]))
            .values(lease_owner=owner, lease_until=until)
        )
    for row in rows:  # ORM rows show what the UPDATE stored, without being marked changed
        if isinstance(row, ShipmentRow):
            set_committed_value(row, "lease_owner", owner)
            set_committed_value(row, "lease_until", until)


def claim_notifications(
    session: Session, *, owner: str, now: datetime, lease: timedelta, limit: int = 100
) -> list[NotificationRow]:
    """Take up to `limit` due, unleased outbox rows for `owner` and commit the lease."""
    wall = lease_clock()
    query = (
        select(NotificationRow)
        .where(
            NotificationRow.sent_at.is_(None),
            NotificationRow.failed_at.is_(None),
            NotificationRow.due_at <= now,
            _lease_free(NotificationRow.lease_until, wall),
        )
        .order_by(NotificationRow.due_at, NotificationRow.id)
        .limit(limit)
    )
    rows = list(session.scalars(_for_update(query, session)))
    for row in rows:
        row.lease_owner = owner
        row.lease_until = wall + lease
    session.commit()
    return rows


def release(row: ShipmentRow | NotificationRow, owner: str | None) -> None:
    """Clear a lease when the work is stored (only our own: an expired one may be another's now)."""
    if owner is None or row.lease_owner == owner:
        row.lease_owner = None
        row.lease_until = None


def renew(session: Session, owner: str, lease: timedelta) -> int:
    """Extend every lease `owner` holds (called with each heartbeat while its cycles progress)."""
    until = lease_clock() + lease
    renewed = 0
    for table in (ShipmentRow, NotificationRow):
        result: Any = session.execute(
            update(table).where(table.lease_owner == owner).values(lease_until=until)
        )
        renewed += result.rowcount or 0
    return renewed


def release_all(session: Session, owner: str | None = None) -> int:
    """Drop leases (of one owner, or all of them); returns how many rows were freed."""
    freed = 0
    for table in (ShipmentRow, NotificationRow):
        query = update(table).where(table.lease_owner.is_not(None))
        if owner is not None:
            query = query.where(table.lease_owner == owner)
        result: Any = session.execute(query.values(lease_owner=None, lease_until=None))
        freed += result.rowcount or 0
    return freed


@contextmanager
def exclusive(engine: Engine, section: str, *, wait: bool = True) -> Iterator[bool]:
    """Run a section in one instance at a time (PostgreSQL advisory lock); yields False if busy.

    With `wait=False` a busy section is skipped: whoever holds it does the work this time.
    SQLite needs no lock: only one instance can run against it.
    """
    if not is_postgres(engine):
        yield True
        return
    key = SECTION_KEYS[section]
    with engine.connect() as connection:
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            got = True
        else:
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        connection.commit()
        try:
            yield got
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


class InstanceLock:
    """Keeps a second daemon off a SQLite database (an exclusive flock on `<db>.lock`)."""

    def __init__(self, url: str) -> None:
        path = sqlite_path(url)
        self.path = path.with_name(path.name + ".lock") if path else None
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError naming the running instance."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreError(
                    f"another watcher is already running on {self.path.with_suffix('')}"
                    f"{f' (pid {holder})' if holder else ''}; SQLite allows one instance - "
                    "use PostgreSQL (database_url) to run several"
                ) from None
            raise StoreError(f"cannot lock {self.path}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays (harmless, reused)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_pid(fd: int) -> str | None:
    try:
        data = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return None
    return data if data.isdigit() else None


def lock_path(url: str) -> Path | None:
    """Where the SQLite instance lock lives (for docs and tests)."""
    return InstanceLock(url).path


def release_orphans(
    session: Session,
    *,
    me: str = "",
    hostname: str | None = None,
    alive: Callable[[int], bool] | None = None,
) -> int:
    """Free leases whose owner ran on this host and is gone (a crash or a watchdog kill).

    An owner with our own pid but another id is a previous life of this process (containers
    restart as pid 1). Owners elsewhere cannot be checked; their leases expire after
    `instance_lease_seconds`.
    """
    host = hostname or socket.gethostname()[:40]
    is_alive = alive or pid_alive
    owners: set[str] = set()
    for table in (ShipmentRow, NotificationRow):
        owners.update(
            session.scalars(
                select(table.lease_owner).where(table.lease_owner.is_not(None)).distinct()
            )
        )
    freed = 0
    for owner in owners:
        owner_host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if owner == me or owner_host != host or not pid.isdigit():
            continue
        if int(pid) == os.getpid() or not is_alive(int(pid)):
            freed += release_all(session, owner)
    return freed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
