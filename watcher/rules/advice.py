"""`watcher advise TRACKING`: the whole case on one screen. Pure: text in, text out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from watcher.domain.models import Action, Alert, Severity, ShipmentView, Timeline
from watcher.rules.base import deadline_for, last_dispute_day
from watcher.rules.evidence import evidence_checklist, evidence_items
from watcher.rules.profiles import Profile
from watcher.rules.stages import current_stage

__all__ = ["evidence_checklist", "render_advice"]

#: The words for each action, shared by the CLI text, the web pages and the evidence report.
ACTION_WORDS: dict[Action, str] = {
    Action.WAIT: "Wait",
    Action.CONTACT_SELLER: "Contact the seller",
    Action.OPEN_DISPUTE: "Open a dispute",
    Action.ESCALATE_DISPUTE: "Escalate the dispute",
    Action.CONTACT_COURIER: "Contact the courier",
    Action.FILE_COURIER_CLAIM: "File a courier claim",
    Action.COLLECT_PARCEL: "Collect the parcel",
    Action.CONFIRM_RECEIPT: "Confirm receipt",
    Action.CHECK_PROVIDER: "Check the tracking provider",
    Action.CONTACT_SUPPORT: "Contact the platform's support",
    Action.REQUEST_CHARGEBACK: "Request a chargeback or PayPal claim",
}
_MILESTONES = (
    ("accepted", "accepted"),
    ("departed_origin", "left origin"),
    ("arrived_destination", "arrived"),
    ("customs_cleared", "customs cleared"),
    ("out_for_delivery", "out for delivery"),
    ("first_delivered", "delivered"),
    ("returned", "returned"),
)


def render_advice(
    shipment: ShipmentView,
    timeline: Timeline,
    alerts: Sequence[Alert],
    *,
    now: datetime,
    profile: Profile,
    tz: ZoneInfo,
    held: Mapping[str, bool],
) -> str:
    """The case: timeline summary, open alerts, the next step with its date, the evidence checklist."""
    today = now.astimezone(tz).date()
    sections = [
        _header(shipment, profile, today),
        _summary(shipment, timeline, now, tz),
        _open_alerts(alerts),
        _next_step(alerts),
        _checklist(shipment, alerts, held),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _header(shipment: ShipmentView, profile: Profile, today: date) -> str:
    """Name, order and the dates that bound the buyer's rights."""
    lines = [shipment.display_name]
    facts = [shipment.marketplace]
    if shipment.order_id:
        facts.append(f"order {shipment.order_id}")
    if shipment.ordered_at:
        facts.append(f"ordered {shipment.ordered_at.isoformat()}")
    lines.append(" · ".join(facts))
    deadline = deadline_for(shipment, profile)
    if deadline is None:
        lines.append(
            "Protection deadline: unknown (set ordered_at or protection_ends for this shipment)"
        )
    else:
        if shipment.protection_ends:
            source = "from the order"
        elif shipment.ordered_at:
            source = f"order date + {profile.max_delivery_days + profile.deadline_extra_days} days"
        else:
            source = "estimated from when watcher first saw the parcel"
        left = (deadline - today).days
        when = f"in {left} days" if left > 0 else ("today" if left == 0 else f"{-left} days ago")
        lines.append(
            f"Protection ends {deadline:%a %Y-%m-%d} ({when}, {source}); "
            f"last day for a late dispute {last_dispute_day(deadline, profile):%Y-%m-%d}"
        )
    return "\n".join(lines)


def _summary(shipment: ShipmentView, timeline: Timeline, now: datetime, tz: ZoneInfo) -> str:
    """Where the parcel is, its last event and the milestones so far."""
    last = timeline.last_event
    if last is None:
        return "Timeline: no tracking events yet."
    stage = current_stage(timeline, shipment.destination.country)
    ago = (now - last.time).days
    where = f" {last.location}" if last.location else ""
    lines = [
        f"Status: {_status_words(timeline, stage)} — {len(timeline.events)} events",
        f"Last event: {last.time.astimezone(tz):%Y-%m-%d %H:%M}{where}: {last.description} ({ago} days ago)",
    ]
    reached = [
        f"{label} {getattr(timeline.milestones, attr).astimezone(tz):%m-%d}"
        for attr, label in _MILESTONES
        if getattr(timeline.milestones, attr) is not None
    ]
    if reached:
        lines.append("Milestones: " + " · ".join(reached))
    if timeline.moved_after_delivery:
        lines.append("Note: tracking moved again after a delivery scan.")
    return "\n".join(lines)


def _status_words(timeline: Timeline, stage: str) -> str:
    """'in transit (last mile)', or just the status when the stage says the same."""
    status = timeline.status.value.replace("_", " ")
    return status if status == stage else f"{status} ({stage})"


def _open_alerts(alerts: Sequence[Alert]) -> str:
    """One line per open alert, most urgent first."""
    if not alerts:
        return "Open alerts: none — the parcel is within normal times."
    lines = ["Open alerts:"]
    for alert in _by_urgency(alerts):
        by = f" by {alert.act_by.isoformat()}" if alert.act_by else ""
        lines.append(
            f"  [{Severity(alert.severity).value}] {alert.kind}: {ACTION_WORDS[Action(alert.action)].lower()}{by}"
        )
    return "\n".join(lines)


def _next_step(alerts: Sequence[Alert]) -> str:
    """The most urgent alert's action, date and full message."""
    if not alerts:
        return "Next step: nothing to do now; watcher will tell you if anything changes."
    first = _by_urgency(alerts)[0]
    by = f" by {first.act_by:%a %Y-%m-%d}" if first.act_by else ""
    return f"Next step: {ACTION_WORDS[Action(first.action)]}{by}.\n  {first.message}"


def _checklist(shipment: ShipmentView, alerts: Sequence[Alert], held: Mapping[str, bool]) -> str:
    """The evidence for every open alert, marking what watcher already holds."""
    have = {"tracking_number": True, "order_id": bool(shipment.order_id), **held}
    lines = ["Evidence checklist ([x] = watcher has it):"]
    for key, text in _unique(evidence_items(kind, shipment) for kind in _kinds(alerts)):
        lines.append(f"  [{'x' if have.get(key) else ' '}] {text}")
    return "\n".join(lines)


def _kinds(alerts: Sequence[Alert]) -> list[str | None]:
    """Alert kinds by urgency, or the basics when there is no alert."""
    return [alert.kind for alert in _by_urgency(alerts)] or [None]


def _unique(groups: Iterable[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(item for group in groups for item in group))


def _by_urgency(alerts: Sequence[Alert]) -> list[Alert]:
    """Critical first, then the earliest date (alerts without a date last)."""
    # Severity() also accepts the plain strings an alert read back from the store may carry.
    return sorted(alerts, key=lambda a: (-Severity(a.severity).rank, a.act_by or date.max, a.kind))
