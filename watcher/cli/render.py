"""Text and JSON views of shipments, timelines and alerts for the CLI (text shaped by `renderer`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from watcher.domain.numbers import carrier_for_number
from watcher.domain.timefmt import iso
from watcher.store.quickread import iso_day, iso_time, json_value

if TYPE_CHECKING:
    # Annotations only: `watcher list` renders without importing the ORM tables (SQLAlchemy).
    from watcher.domain.models import Timeline
    from watcher.store.tables import AlertRow, ShipmentRow


def alert_json(row: AlertRow) -> dict[str, Any]:
    """The `--json` shape of an alert (a contract: extend, never break)."""
    return {
        "tracking_number": row.subject,
        "kind": row.kind,
        "action": row.action,
        "act_by": row.act_by.isoformat() if row.act_by else None,
        "severity": row.severity,
        "message": row.message,
        "evidence": list(row.evidence or []),
        "opened_at": iso(row.opened_at),
        "updated_at": iso(row.updated_at),
        "resolved_at": iso(row.resolved_at),
    }


def shipment_json(
    row: ShipmentRow, timeline: Timeline | None = None, legs: Sequence[str] = ()
) -> dict[str, Any]:
    """The `--json` shape of a shipment, with its events when a timeline is given."""
    data: dict[str, Any] = {
        "tracking_number": row.tracking_number,
        "label": row.label,
        "marketplace": row.marketplace,
        "order_id": row.order_id,
        "ordered_at": row.ordered_at.isoformat() if row.ordered_at else None,
        "protection_ends": row.protection_ends.isoformat() if row.protection_ends else None,
        "max_delivery_days": row.max_delivery_days,
        "destination": {
            "country": row.dest_country,
            "city": row.dest_city,
            "postcode": row.dest_postcode,
        },
        "providers": row.providers,
        "status": timeline.status.value if timeline else row.status,
        "substatus": timeline.substatus if timeline else row.substatus,
        "last_event_at": iso(row.last_event_at),
        "next_poll_at": iso(row.next_poll_at),
        "received_at": iso(row.received_at),
        "not_received_at": iso(row.not_received_at),
        "archived_at": iso(row.archived_at),
        "legs": list(legs),
    }
    if timeline is not None:
        # `show --json` only (`list --json` keeps its shape): who to ask about each leg, and
        # each provider's overall verdict (issue 15).
        data["leg_carriers"] = {number: carrier_for_number(number) for number in legs}
        data["verdicts"] = verdicts_json(row)
        # What went wrong handling this parcel, if anything (the cycle went on for the others).
        data["failures"] = getattr(row, "failures", 0) or 0
        data["last_error"] = getattr(row, "last_error", None)
        data["last_error_at"] = iso(getattr(row, "last_error_at", None))
        estimate = timeline.estimated_delivery
        data["estimated_delivery"] = (
            {
                "date": estimate.date.isoformat(),
                "source": estimate.source,
                "reported_at": iso(estimate.reported_at),
            }
            if estimate
            else None
        )
        m = timeline.milestones
        data["milestones"] = {name: iso(getattr(m, name)) for name in m.__slots__}  # type: ignore[attr-defined]
        data["events"] = [
            {
                "time": iso(e.time),
                "status": e.status.value,
                "substatus": e.substatus,
                "description": e.description,
                "location": e.location,
                "country": e.country,
                "provider": e.providers[0] if e.providers else None,
                "providers": list(e.providers),
                "flags": sorted(e.flags),
            }
            for e in timeline.events
        ]
    return data


def verdicts_json(row: ShipmentRow) -> list[dict[str, Any]]:
    """Each provider's overall verdict on each number, as stored (`shipments.verdicts`)."""
    found = []
    for key, value in sorted((getattr(row, "verdicts", None) or {}).items()):
        if isinstance(value, dict):
            found.append(
                {
                    "tracking_number": value.get("number", key.split("@", 1)[0]),
                    "provider": value.get("provider"),
                    "status": value.get("status"),
                    "substatus": value.get("substatus"),
                    "raw": value.get("raw"),
                    "seen_at": value.get("seen_at"),
                }
            )
    return found


def legs_text(legs: Sequence[str]) -> str | None:
    """ "RC000000003EE (Omniva), ..." for `show`: each further number and who to ask about it."""
    named = [
        f"{number} ({carrier})" if (carrier := carrier_for_number(number)) else number
        for number in legs
    ]
    return ", ".join(named) or None


def shipment_record(values: Sequence[Any]) -> dict[str, Any]:
    """`shipment_json` (without a timeline) of a row of `quickread.RECORD_COLUMNS`, as the driver returns it."""
    (
        number,
        label,
        marketplace,
        order_id,
        ordered_at,
        protection_ends,
        max_delivery_days,
        country,
        city,
        postcode,
        providers,
        status,
        substatus,
        last_event_at,
        next_poll_at,
        received_at,
        not_received_at,
        archived_at,
    ) = values
    return {
        "tracking_number": number,
        "label": label,
        "marketplace": marketplace,
        "order_id": order_id,
        "ordered_at": iso_day(ordered_at),
        "protection_ends": iso_day(protection_ends),
        "max_delivery_days": max_delivery_days,
        "destination": {"country": country, "city": city, "postcode": postcode},
        "providers": json_value(providers),
        "status": status,
        "substatus": substatus,
        "last_event_at": iso_time(last_event_at),
        "next_poll_at": iso_time(next_poll_at),
        "received_at": iso_time(received_at),
        "not_received_at": iso_time(not_received_at),
        "archived_at": iso_time(archived_at),
        "legs": [],
    }


def shipment_text(
    row: ShipmentRow,
    timeline: Timeline,
    legs: Sequence[str],
    alerts: Sequence[AlertRow],
    *,
    now: datetime,
    tz: tzinfo,
) -> str:
    """`watcher show`: header, milestones, then events oldest first; local times with phrases."""
    from watcher.cli import renderer as r

    head = f"{row.tracking_number}  {row.label or ''}".rstrip()
    lines = [r.paint(head, "1")]
    status = timeline.status.value + (f" ({timeline.substatus})" if timeline.substatus else "")
    lines.append(f"  status: {r.paint(status, r.STATUS_COLOUR.get(timeline.status.value))}")
    for name, value in (
        ("marketplace", row.marketplace),
        ("order", row.order_id),
        ("ordered", r.on_day(row.ordered_at, now, tz) if row.ordered_at else None),
        (
            "protection ends",
            r.on_day(row.protection_ends, now, tz) if row.protection_ends else None,
        ),
        ("legs", legs_text(legs)),
        ("received", r.when(r.utc(row.received_at), now, tz) if row.received_at else None),
        (
            "not received",
            r.when(r.utc(row.not_received_at), now, tz) if row.not_received_at else None,
        ),
        ("archived", r.when(r.utc(row.archived_at), now, tz) if row.archived_at else None),
    ):
        if value:
            lines.append(f"  {name}: {value}")
    for verdict in verdicts_json(row):
        detail = f" ({verdict['raw']})" if verdict["raw"] else ""
        lines.append(
            f"  {verdict['provider']} says about {verdict['tracking_number']}: "
            f"{verdict['status']}{'/' + verdict['substatus'] if verdict['substatus'] else ''}{detail}"
        )
    if getattr(row, "failures", 0):
        last = r.when(r.utc(row.last_error_at), now, tz) if row.last_error_at else "?"
        lines.append(f"  failing: {row.failures} in a row, last {last}: {row.last_error}")
    if timeline.estimated_delivery:
        estimate = timeline.estimated_delivery
        lines.append(
            f"  estimated delivery: {r.on_day(estimate.date, now, tz)} (from {estimate.source})"
        )
    reached = [
        (name.replace("_", " "), getattr(timeline.milestones, name))
        for name in timeline.milestones.__slots__  # type: ignore[attr-defined]
        if getattr(timeline.milestones, name)
    ]
    zone = r.zone_name(tz, now)
    if reached:
        lines.append(f"  milestones ({zone}):")
        lines += [f"    {name:<20} {r.when(value, now, tz)}" for name, value in reached]
    lines.append(f"  events ({zone}):" if timeline.events else "  no events yet")
    limit = r.width()
    for e in timeline.events:
        place = f" [{e.location}]" if e.location else ""
        flags = f" !{','.join(sorted(e.flags))}" if e.flags else ""
        text = (
            f"    {r.local(e.time, tz):%Y-%m-%d %H:%M}  {e.status.value:<20} "
            f"{e.description}{place} ({', '.join(e.providers)}){flags}"
        )
        lines.append(r.truncate(text, limit) if limit else text)
    for alert in alerts:
        lines.append(alert_text(alert, indent="  ", now=now, tz=tz))
    return "\n".join(lines)


def alert_text(
    row: AlertRow, *, indent: str = "", now: datetime | None = None, tz: tzinfo | None = None
) -> str:
    """An alert in two lines: severity, parcel, kind, action and act-by date; then its message."""
    from watcher.cli import renderer as r

    if row.act_by and now is not None and tz is not None:
        act_by = f" by {r.on_day(row.act_by, now, tz)}"
    else:
        act_by = f" by {row.act_by.isoformat()}" if row.act_by else ""
    state = " (resolved)" if row.resolved_at else ""
    tag = r.severity_tag("resolved" if row.resolved_at else row.severity)
    if row.resolved_at and not r.use_colour():
        tag = f"[{row.severity.upper()}]"
    head = f"{indent}{tag} {row.subject} {row.kind}: {row.action}{act_by}{state}"
    return f"{head}\n{r.wrap(row.message, indent + '    ')}"
