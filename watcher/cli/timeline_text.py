"""Plain-text views of a timeline for the CLI: raw events per provider, merged result, milestones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from watcher.domain.models import Milestones, Status, StoredEvent, Timeline

__all__ = ["render_milestones", "render_raw"]


def _fmt(moment: datetime | None) -> str:
    """UTC ISO time to the minute, or "-"."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _status_label(status: Status, substatus: str | None) -> str:
    """ "status" or "status/substatus" for display."""
    return f"{status}/{substatus}" if substatus else str(status)


def render_raw(events: Sequence[StoredEvent], timeline: Timeline) -> str:
    """Every provider's original events, grouped per provider and leg, then the merged result."""
    lines = ["Raw events (per provider and tracking number, times in UTC)"]
    groups: dict[tuple[str, str], list[StoredEvent]] = {}
    for e in sorted(events, key=lambda e: (e.provider, e.tracking_number, e.time, e.description)):
        groups.setdefault((e.provider, e.tracking_number), []).append(e)
    for (provider, number), group in groups.items():
        lines.append(f"== {provider} {number} ({len(group)} events)")
        for e in group:
            extra = [f"raw={e.raw_status}"] if e.raw_status else []
            if e.location:
                extra.append(f"at {e.location}")
            if e.tz_assumption:
                extra.append(f"tz assumed {e.tz_assumption}")
            if e.raw_description and e.raw_description != e.description:
                extra.append(f"original: {e.raw_description}")
            tail = f"  [{'; '.join(extra)}]" if extra else ""
            lines.append(
                f"  {_fmt(e.time)}  {_status_label(e.status, e.substatus):<40} "
                f"{e.description}{tail}"
            )
    lines.append(
        f"== merged ({len(timeline.events)} events, status "
        f"{_status_label(timeline.status, timeline.substatus)}"
        f"{', moved after delivery' if timeline.moved_after_delivery else ''})"
    )
    for ev in timeline.events:
        flags = f"  {{{', '.join(sorted(ev.flags))}}}" if ev.flags else ""
        where = f" @ {ev.location}" if ev.location else ""
        lines.append(
            f"  {_fmt(ev.time)}  {_status_label(ev.status, ev.substatus):<40} "
            f"{ev.description}{where}  <{', '.join(ev.providers)}>{flags}"
        )
    return "\n".join(lines)


_MILESTONE_LABELS = (
    ("accepted", "Accepted by carrier"),
    ("departed_origin", "Departed origin country"),
    ("arrived_destination", "Arrived in destination country"),
    ("customs_cleared", "Customs cleared"),
    ("out_for_delivery", "Out for delivery"),
    ("first_delivered", "Delivered (first)"),
    ("last_delivered", "Delivered (last)"),
    ("returned", "Returned to sender"),
)


def render_milestones(m: Milestones) -> list[str]:
    """One "label: time" line per milestone, "-" for those not reached."""
    return [f"{label:<31} {_fmt(getattr(m, name))}" for name, label in _MILESTONE_LABELS]
