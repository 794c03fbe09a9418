"""`watcher db backup PATH` and `watcher db export --json`: the history out of the database.

SQLite is copied with its online backup API (consistent while the daemon runs). PostgreSQL is
written as a JSON document of every table (no pg_dump needed). The export holds shipments,
events, alerts and notifications. Neither contains secrets: keys and notification URLs live in
the configuration, never in the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from watcher.domain.errors import InputError, StoreError
from watcher.domain.timefmt import jsonable
from watcher.store import db
from watcher.store.tables import (
    AlertRow,
    Base,
    EstimateRow,
    EventRow,
    LegRow,
    NotificationRow,
    ProviderStateRow,
    ShipmentRow,
)

FORMAT = "watcher-export"
#: Tables in a PostgreSQL JSON backup, parents first (so a restore can insert in this order).
BACKUP_TABLES = (
    ShipmentRow,
    LegRow,
    EventRow,
    EstimateRow,
    AlertRow,
    NotificationRow,
    ProviderStateRow,
)


def backup(engine: Engine, url: str, dest: Path) -> str:
    """Write a backup of the database to `dest`; returns what kind ("sqlite" or "json")."""
    if dest.exists():
        raise InputError(f"{dest}: already exists (choose a new file name)")
    if not dest.parent.is_dir():
        raise InputError(f"{dest.parent}: no such directory")
    source = db.sqlite_path(url)
    if engine.dialect.name == "sqlite" and source is not None:
        sqlite_backup(source, dest)
        return "sqlite"
    with Session(engine) as session:
        write_json_atomic(dest, full_dump(session, engine))
    return "json"


def sqlite_backup(source: Path, dest: Path) -> None:
    """Copy a live SQLite database page by page (readers and the daemon keep working)."""
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"backup of {source} failed: {exc}") from None


def full_dump(session: Session, engine: Engine) -> dict[str, Any]:
    """Every table of the schema (except instance heartbeats) as lists of rows."""
    return {
        "format": "watcher-backup",
        "schema_revision": db.current_revision(engine),
        "tables": {table.__tablename__: rows(session, table) for table in BACKUP_TABLES},
    }


def export(session: Session) -> dict[str, Any]:
    """The owner's history: shipments (with legs), events, alerts and notifications."""
    legs: dict[int, list[str]] = {}
    for leg in session.scalars(select(LegRow).order_by(LegRow.id)):
        legs.setdefault(leg.shipment_id, []).append(leg.tracking_number)
    shipments = rows(session, ShipmentRow, skip=("lease_owner", "lease_until"))
    for item in shipments:
        item["legs"] = legs.get(item["id"], [])
    return {
        "format": FORMAT,
        "version": 1,
        "shipments": shipments,
        "events": rows(session, EventRow),
        "alerts": rows(session, AlertRow),
        "notifications": rows(session, NotificationRow, skip=("lease_owner", "lease_until")),
    }


def rows(
    session: Session, table: type[Base], *, skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """All rows of a table as JSON-ready dicts, in primary-key order."""
    columns = [c for c in table.__table__.columns if c.name not in skip]  # type: ignore[attr-defined]
    keys = list(table.__table__.primary_key.columns)  # type: ignore[attr-defined]
    result = []
    for row in session.scalars(select(table).order_by(*keys)):
        result.append({c.name: jsonable(getattr(row, c.key)) for c in columns})
    return result


def write_json_atomic(dest: Path, data: dict[str, Any]) -> None:
    """Write JSON next to `dest` and rename, so a crash never leaves half a backup."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
