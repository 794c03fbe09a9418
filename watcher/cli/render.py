"""Text and JSON views of shipments, timelines and alerts for the CLI. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from watcher.domain.timefmt import iso
from watcher.store.quickread import iso_day, iso_time, json_value

if TYPE_CHECKING:
    # Annotations only: `watcher list` renders without importing the ORM tables (SQLAlchemy).
    from watcher.domain.models import Timeline
    from watcher.store.tables import AlertRow, ShipmentRow

#: `watcher list`: the header above the lines of `quickread.shipment_lines` (same widths).
LIST_HEADER = f"{'TRACKING':<22} {'STATUS':<21} {'LAST EVENT':<10}  LABEL"


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
                "provider": e.providers[0] if e.providers else None,
                "providers": list(e.providers),
                "flags": sorted(e.flags),
            }
            for e in timeline.events
        ]
    return data


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
    row: ShipmentRow, timeline: Timeline, legs: Sequence[str], alerts: Sequence[AlertRow]
) -> str:
    """`watcher show`: header, milestones, then events oldest first."""
    lines = [f"{row.tracking_number}  {row.label or ''}".rstrip()]
    lines.append(
        f"  status: {timeline.status.value}"
        + (f" ({timeline.substatus})" if timeline.substatus else "")
    )
    for name, value in (
        ("order", row.order_id),
        ("ordered", row.ordered_at),
        ("protection ends", row.protection_ends),
        ("legs", ", ".join(legs) or None),
        ("received", iso(row.received_at)),
    ):
        if value:
            lines.append(f"  {name}: {value}")
    if getattr(row, "failures", 0):
        lines.append(
            f"  failing: {row.failures} in a row, last at {iso(row.last_error_at)}: {row.last_error}"
        )
    if timeline.estimated_delivery:
        estimate = timeline.estimated_delivery
        lines.append(f"  estimated delivery: {estimate.date.isoformat()} (from {estimate.source})")
    milestones = [
        (name.replace("_", " "), getattr(timeline.milestones, name))
        for name in timeline.milestones.__slots__
    ]  # type: ignore[attr-defined]
    reached = [(name, value) for name, value in milestones if value]
    if reached:
        lines.append("  milestones:")
        lines += [f"    {name:<20} {value:%Y-%m-%d %H:%M}" for name, value in reached]
    lines.append("  events:" if timeline.events else "  no events yet")
    for e in timeline.events:
        place = f" [{e.location}]" if e.location else ""
        flags = f" !{','.join(sorted(e.flags))}" if e.flags else ""
        lines.append(
            f"    {e.time:%Y-%m-%d %H:%M}Z  {e.status.value:<20} {e.description}{place} ({', '.join(e.providers)}){flags}"
        )
    for alert in alerts:
        lines.append(alert_text(alert, indent="  "))
    return "\n".join(lines)


def alert_text(row: AlertRow, *, indent: str = "") -> str:
    act_by = f" by {row.act_by.isoformat()}" if row.act_by else ""
    state = " (resolved)" if row.resolved_at else ""
    return f"{indent}[{row.severity.upper()}] {row.subject} {row.kind}: {row.action}{act_by}{state}\n{indent}    {row.message}"
