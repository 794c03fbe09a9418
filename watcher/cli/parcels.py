"""Changing what is watched: `edit`, `unarchive` and `remove` (with a JSON copy kept)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.cli.common import EXIT_OK, load, normalize_number, opened_app, parse_day
from watcher.domain.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watcher.config import Settings
    from watcher.store.tables import ShipmentRow


def cmd_edit(
    *,
    config: str | None,
    tracking_number: str,
    label: str | None,
    marketplace: str | None,
    order_id: str | None,
    ordered_at: str | None,
    protection_ends: str | None,
    protection_days: int | None,
    max_delivery_days: int | None,
    country: str | None,
    insured: bool | None,
) -> int:
    """`watcher edit`: change the given fields; the parcel is re-evaluated at the next cycle."""
    from watcher.cli.shipments import check_marketplace, protection_end
    from watcher.store import shipments

    number = normalize_number(tracking_number)
    settings = load(config)
    changes: dict[str, Any] = {
        "label": label,
        "marketplace": marketplace,
        "order_id": order_id,
        "ordered_at": parse_day(ordered_at, "--ordered-at"),
        "protection_ends": protection_end(protection_ends, protection_days, settings),
        "max_delivery_days": max_delivery_days,
        "dest_country": country_code(country) if country is not None else None,
        "insured": insured,
    }
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        raise InputError("edit: nothing to change (see `watcher edit --help`)")
    if marketplace:
        check_marketplace(settings, marketplace)
    with opened_app(settings) as app, app.sessions.begin() as session:
        row = shipments.require_shipment(session, number)
        before = {key: getattr(row, key) for key in changes}
        for key, value in changes.items():
            setattr(row, key, value or None if key != "insured" else value)
        row.updated_at = row.next_eval_at = app.clock.now()
        source = row.source
    for key, value in changes.items():
        print(f"{number}: {key.replace('_', ' ')}: {show(before[key])} -> {show(value)}")
    if source == "config" and declared(settings, number):
        print(
            f"  note: {number} is declared in {settings.config_file}; edit it there too, or the next check restores those values"
        )
    return EXIT_OK


def country_code(value: str) -> str | None:
    """An ISO 3166 alpha-2 code ("" clears it)."""
    from watcher.domain.userinput import country_code as code

    return code(value, "--country")


def show(value: Any) -> str:
    """A field value for the change report."""
    if value is None or value == "":
        return "-"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def declared(settings: Settings, number: str) -> bool:
    """Whether the config file still declares `number`."""
    return any(s.tracking_number == number for s in settings.shipments)


def cmd_unarchive(*, config: str | None, tracking_number: str) -> int:
    """`watcher unarchive`: poll and evaluate an archived parcel again."""
    from watcher.store import shipments

    number = normalize_number(tracking_number)
    with opened_app(load(config)) as app, app.sessions.begin() as session:
        row = shipments.require_shipment(session, number)
        if row.archived_at is None:
            raise InputError(f"{number}: not archived")
        now = app.clock.now()
        row.archived_at = None
        row.updated_at = row.next_poll_at = row.next_eval_at = now
    print(f"{number}: watched again (polled at the next cycle)")
    return EXIT_OK


def cmd_remove(*, config: str | None, tracking_number: str, yes: bool) -> int:
    """`watcher remove --yes`: delete a parcel and its history, keeping a JSON copy first."""
    from watcher.store import shipments

    number = normalize_number(tracking_number)
    settings = load(config)
    if declared(settings, number):
        raise InputError(
            f"{number}: declared in {settings.config_file}; delete it there first"
            " (or `watcher archive` it), else the next check adds it again"
        )
    with opened_app(settings) as app:
        with app.sessions() as session:
            row = shipments.require_shipment(session, number)
            copy = snapshot(session, row)
        if not yes:
            print(
                f"{number}: would remove the parcel, {len(copy['events'])} events and"
                f" {len(copy['alerts'])} alerts. Run again with --yes to do it."
            )
            return EXIT_OK
        path = keep_copy(settings, number, copy, app.clock.now())
        with app.sessions.begin() as session:
            delete(session, shipments.require_shipment(session, number))
    print(f"{number}: removed; a JSON copy of what was removed is in {path}")
    return EXIT_OK


def snapshot(session: Session, row: ShipmentRow) -> dict[str, Any]:
    """The parcel as `show --json` prints it, plus every stored event and alert."""
    from watcher.cli.render import alert_json, shipment_json
    from watcher.domain.timefmt import jsonable
    from watcher.store import alert_states, shipments, tracking_events
    from watcher.store.tables import AlertRow

    events = tracking_events.stored_events(session, row.id)
    alerts = session.query(AlertRow).filter(AlertRow.shipment_id == row.id).all()
    data = shipment_json(row, None, shipments.leg_numbers(session, row.id))
    data["events"] = [jsonable(_event(e)) for e in events]
    data["alerts"] = [alert_json(a) for a in alerts]
    data["open_alerts"] = len(alert_states.open_alerts(session, row.tracking_number))
    return data


def _event(e: Any) -> dict[str, Any]:
    fields = getattr(e, "__dataclass_fields__", None) or getattr(e, "__slots__", ())
    return {name: getattr(e, name) for name in fields if not name.startswith("_")}


def keep_copy(settings: Settings, number: str, data: dict[str, Any], now: datetime) -> Path:
    """Write the copy under `removed/` beside the SQLite database (else the state dir); its path."""
    from watcher.config import database_url, user_state_dir
    from watcher.store.db import sqlite_path

    database = sqlite_path(database_url(settings))
    if database is not None:
        base = database.parent
    else:
        base = settings.resolve_path(settings.state_dir) if settings.state_dir else user_state_dir()
    folder = Path(base) / "removed"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number}-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    return path


def delete(session: Session, row: ShipmentRow) -> None:
    """Delete the parcel and what belongs to it only (child rows first: no reliance on cascades)."""
    from sqlalchemy import delete as sql_delete
    from sqlalchemy import select

    from watcher.store import tables as t

    alert_ids = select(t.AlertRow.id).where(t.AlertRow.shipment_id == row.id)
    session.execute(
        sql_delete(t.NotificationRow).where(
            t.NotificationRow.alert_id.in_(alert_ids), t.NotificationRow.sent_at.is_(None)
        )
    )
    session.execute(
        t.NotificationRow.__table__.update()
        .where(t.NotificationRow.alert_id.in_(alert_ids))
        .values(alert_id=None)
    )
    for table in (t.AlertRow, t.EventRow, t.EstimateRow, t.LegRow):
        session.execute(sql_delete(table).where(table.shipment_id == row.id))
    session.delete(row)
