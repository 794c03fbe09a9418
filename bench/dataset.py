"""Benchmark data: configs, tracking numbers, and big databases built with Core bulk inserts.

Big databases are built once per (size, events, schema head) and cached as a template file;
each run works on a copy, so scenarios 4-6 share the expensive part.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: Where database templates are cached (override with $WATCHER_BENCH_CACHE).
CACHE_DIR = Path(os.environ.get("WATCHER_BENCH_CACHE", "/tmp/watcher-bench-cache"))
#: The benchmarks' "now": fixed, so generated timelines and rule outcomes are reproducible.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DATASET_VERSION = 3  # bump when the generated content changes


def number(i: int) -> str:
    """The i-th benchmark tracking number (Cainiao style, valid for every adapter)."""
    return f"LP{i:014d}"


def write_config(
    workdir: Path,
    *,
    database: Path,
    base_url: str | None = None,
    requests_per_second: float | None = None,
    max_concurrency: int | None = None,
    max_shipments_per_cycle: int = 5000,
    extra: str = "",
) -> Path:
    """A watcher.toml pointing at `database` and (optionally) the fake 17TRACK server."""
    lines = [
        f'database_url = "sqlite:///{database}"',
        'default_providers = ["17track"]',
        "[polling]",
        f"max_shipments_per_cycle = {max_shipments_per_cycle}",
        "[logging]",
        'level = "warning"',
        "[providers.17track]",
        'api_key = "bench-key"',
    ]
    if base_url:
        lines.append(f'base_url = "{base_url}"')
    if requests_per_second:
        lines.append(f"requests_per_second = {requests_per_second}")
    if max_concurrency:
        lines.append(f"max_concurrency = {max_concurrency}")
    path = workdir / "watcher.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def load(config: Path) -> Any:
    from watcher.config import load_settings

    return load_settings(config)


# ----------------------------------------------------------------------------- shipments


def shipment_values(
    i: int, now: datetime, *, next_poll_at: datetime | None, next_eval_at: datetime | None
) -> dict[str, Any]:
    """Column values of one generated shipment (Core insert)."""
    created = now - timedelta(days=2 + i % 38, hours=i % 24)
    return {
        "tracking_number": number(i),
        "label": f"item {i}",
        "marketplace": "aliexpress",
        "order_id": f"80{i:012d}",
        "ordered_at": (created - timedelta(days=2)).date(),
        "protection_ends": (created + timedelta(days=60)).date(),
        "max_delivery_days": None,
        "dest_country": "DE",
        "dest_city": "Berlin",
        "dest_postcode": "10115",
        "providers": None,
        "insured": False,
        "source": "cli",
        "created_at": created,
        "updated_at": created,
        "status": "pending",
        "poll_failures": 0,
        "next_poll_at": next_poll_at,
        "next_eval_at": next_eval_at,
    }


def insert_shipments(
    engine: Any, count: int, now: datetime, *, due: bool = True, chunk: int = 20_000
) -> None:
    """`count` shipments, all due for polling (and evaluation) at `now` when `due`."""
    from watcher.store.tables import ShipmentRow

    table = ShipmentRow.__table__
    with engine.begin() as conn:
        for start in range(0, count, chunk):
            conn.execute(
                table.insert(),
                [
                    shipment_values(
                        i,
                        now,
                        next_poll_at=now if due else now + timedelta(hours=6),
                        next_eval_at=None,
                    )
                    for i in range(start, min(count, start + chunk))
                ],
            )


# ----------------------------------------------------------------------------- events


def provider_events(i: int, events: int, now: datetime) -> Sequence[Any]:
    """The i-th number's events as the 17TRACK adapter parses them from the fake server."""
    from bench.fakeprovider import timeline
    from watcher.providers.seventeentrack.adapter import parse_track_item

    item = timeline(number(i), now=now, min_events=events, max_events=events)
    return parse_track_item(item).events


#: Distinct generated timelines; shipment i reuses template i % TEMPLATES under its own number.
TEMPLATES = 1_000


#: Built event templates by (template, events, now).
_TEMPLATE_CACHE: dict[Any, list[dict[str, Any]]] = {}


def event_rows(shipment_id: int, i: int, events: int, now: datetime) -> list[dict[str, Any]]:
    """Column values of the i-th shipment's events, exactly as the poller stores them.

    Building each row through the adapter's parser, `normalize_event` and `to_event_row` costs
    ~0.3 ms an event, so TEMPLATES timelines are built that way and the rest are copies with
    their own number, shipment id and fingerprint.
    """
    from watcher.store import tracking_events
    from watcher.timeline.normalize import normalize_event

    key = (i % TEMPLATES, events, now)
    template = _TEMPLATE_CACHE.get(key)
    if template is None:
        template = []
        for event in provider_events(i % TEMPLATES, events, now):
            row = tracking_events.to_event_row(0, "", "17track", normalize_event(event), now)
            template.append({column: getattr(row, column) for column in _EVENT_COLUMNS})
        template.sort(key=lambda e: e["time"])
        _TEMPLATE_CACHE[key] = template
    tracking_number = number(i)
    fingerprint = tracking_events.event_fingerprint
    return [
        {
            **e,
            "shipment_id": shipment_id,
            "tracking_number": tracking_number,
            "fingerprint": fingerprint(
                tracking_number, "17track", e["time"], e["description"], e["location"]
            ),
        }
        for e in template
    ]


_EVENT_COLUMNS = (
    "shipment_id",
    "tracking_number",
    "provider",
    "time",
    "status",
    "substatus",
    "description",
    "location",
    "country",
    "raw_status",
    "raw_description",
    "tz_assumption",
    "unclassified",
    "fingerprint",
    "first_seen_at",
)


def build_database(
    path: Path, shipments: int, events: int = 20, *, now: datetime = NOW, log: Any = None
) -> Path:
    """A migrated SQLite database with `shipments` active shipments of `events` events each.

    Shipment i has id i+1. Evaluation state is primed as after a full evaluation pass: the
    cached status columns are filled and every shipment's next look is in the future, so a
    benchmark marks exactly the share it wants as due.
    """
    from watcher.store import db
    from watcher.store.tables import EventRow, ShipmentRow

    if path.exists():
        path.unlink()
    engine, _ = db.open_database(f"sqlite:///{path}")
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for start in range(0, shipments, 5_000):
            ids = range(start, min(shipments, start + 5_000))
            ship = []
            rows: list[dict[str, Any]] = []
            for i in ids:
                ev = event_rows(i + 1, i, events, now)
                values = shipment_values(
                    i,
                    now,
                    next_poll_at=now + timedelta(hours=1 + i % 12),
                    next_eval_at=now + timedelta(hours=1 + i % 24),
                )
                values.update(
                    id=i + 1,
                    status=ev[-1]["status"] if ev else "pending",
                    last_event_at=ev[-1]["time"] if ev else None,
                )
                ship.append(values)
                rows.extend(ev)
            conn.execute(ShipmentRow.__table__.insert(), ship)
            conn.execute(EventRow.__table__.insert(), rows)
            if log:
                log(
                    f"  generated {min(shipments, start + 5_000):,}/{shipments:,} shipments ({time.perf_counter() - started:.0f} s)"
                )
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def head_revision() -> str:
    """The migration head (so a new migration invalidates cached templates)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from watcher.store import db

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    return "-".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def database_copy(workdir: Path, shipments: int, events: int = 20, *, log: Any = None) -> Path:
    """A fresh copy of the cached template database of this size (built on first use)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    template = CACHE_DIR / f"bench-v{DATASET_VERSION}-{head_revision()}-{shipments}x{events}.db"
    if not template.exists():
        if log:
            log(f"building {template.name} (cached for later runs)")
        partial = template.with_suffix(".partial")
        build_database(partial, shipments, events, log=log)
        partial.rename(template)
    target = workdir / "watcher.db"
    shutil.copyfile(template, target)
    return target
