"""`watcher list` as a table: number, status, last event, next action and its date, label."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from watcher.cli import renderer as r

if TYPE_CHECKING:
    from watcher.config import Settings
    from watcher.store.quickread import Database

COLUMNS = (
    r.Column("TRACKING", max_width=30),
    r.Column("STATUS", max_width=21, colour=r.STATUS_COLOUR, flex=True, min_width=10),
    r.Column("LAST EVENT", max_width=14, optional=True),
    r.Column("NEXT ACTION", max_width=22, flex=True, short="ACTION", min_width=14),
    r.Column("BY", max_width=24, flex=True, min_width=6, soft_cut=" ("),
    r.Column("LABEL", max_width=40, flex=True, min_width=12),
)
#: Record columns (`quickread.RECORD_COLUMNS`) the table reads.
NUMBER, LABEL, STATUS, LAST_EVENT, RECEIVED, ARCHIVED = 0, 1, 11, 13, 15, 17


def write_table(
    database: Database, settings: Settings, *, include_archived: bool, limit: int | None
) -> int:
    """Write the table in chunks (widths set by the first); returns how many parcels it showed."""
    from watcher.domain.clock import SystemClock
    from watcher.store import quickread

    now, tz = SystemClock().now(), ZoneInfo(settings.timezone)
    actions = quickread.open_alert_actions(database)
    widths: list[int] | None = None
    shown = 0
    for chunk in quickread.shipment_records(
        database, include_archived=include_archived, limit=limit
    ):
        rows = [cells(values, actions, now, tz) for values in chunk]
        if widths is None:
            widths = r.layout(COLUMNS, rows, r.width())
        r.write_lines(r.table_lines(COLUMNS, rows, widths=widths, header=not shown))
        shown += len(rows)
    if shown and sys.stdout.isatty():
        print(
            r.paint(
                f"{shown} parcel{'s' if shown != 1 else ''}; times in {r.zone_name(tz, now)}", "2"
            )
        )
    return shown


def cells(
    values: Any, actions: dict[str, tuple[str, str, date | None]], now: datetime, tz: ZoneInfo
) -> list[str]:
    """One parcel's table cells from its record columns."""
    from watcher.store.quickread import when

    number = values[NUMBER]
    flags = ("received" if values[RECEIVED] else "", "archived" if values[ARCHIVED] else "")
    label = " ".join([values[LABEL] or "", *(f"[{f}]" for f in flags if f)]).strip()
    severity, action, act_by = actions.get(number, (None, "", None))
    next_action = action.replace("_", " ") if action else "-"
    if severity and r.use_colour():
        next_action = f"{r.SEVERITY_STYLE.get(severity, ('', '•'))[1]} {next_action}"
    by = f"{act_by:%d %b} ({r.day_phrase(act_by, now.astimezone(tz).date())})" if act_by else "-"
    return [
        number,
        values[STATUS] or "-",
        r.short_when(when(values[LAST_EVENT]), now, tz),
        next_action,
        by,
        label,
    ]
