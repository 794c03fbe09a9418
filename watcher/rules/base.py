"""The rule interface and the date arithmetic every rule shares. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from watcher.domain.models import (
    Action,
    Alert,
    Severity,
    ShipmentView,
    Status,
    Timeline,
    TimelineEvent,
)
from watcher.rules.evidence import evidence_checklist
from watcher.rules.profiles import Profile


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may look at: one shipment, its timeline, the time and the profile."""

    shipment: ShipmentView
    timeline: Timeline
    now: datetime  # aware UTC, from an injectable clock
    profile: Profile  # resolved, with per-shipment overrides applied
    tz: ZoneInfo  # owner's zone: a date-only deadline ends at 23:59:59 there
    #: The owner's calendar date at `now`.
    today: date = field(init=False)
    #: The order's protection deadline (see `deadline_for`).
    deadline: date | None = field(init=False)

    def __post_init__(self) -> None:
        # Every rule asks for both, several times: computed once (bench/RESULTS.md, evaluate).
        object.__setattr__(self, "today", self.now.astimezone(self.tz).date())
        object.__setattr__(self, "deadline", deadline_for(self.shipment, self.profile))

    def day_start(self, day: date) -> datetime:
        """Midnight at the start of `day` in the owner's zone, as UTC."""
        return datetime.combine(day, time(0), self.tz).astimezone(UTC)

    def date_of(self, moment: datetime) -> date:
        """The owner's calendar date of a moment."""
        return moment.astimezone(self.tz).date()

    def alert(
        self,
        kind: str,
        action: Action,
        severity: Severity,
        message: str,
        *,
        act_by: date | None,
        key: str | None = None,
    ) -> Alert:
        """An alert for this shipment with the evidence checklist of its kind."""
        return Alert(
            tracking_number=self.shipment.tracking_number,
            kind=kind,
            action=action,
            severity=severity,
            message=message,
            act_by=act_by,
            key=key or kind,
            evidence=tuple(evidence_checklist(kind, self.shipment)),
        )


class Rule(Protocol):
    """One family of checks. `evaluate` returns the open problems; `next_change` when to look again."""

    name: str

    def evaluate(self, ctx: RuleContext) -> list[Alert]: ...

    def next_change(self, ctx: RuleContext) -> datetime | None: ...


def deadline_for(shipment: ShipmentView, profile: Profile) -> date | None:
    """protection_ends, else ordered_at + max_delivery_days (+ extra), else estimated from created_at."""
    if shipment.protection_ends is not None:
        return shipment.protection_ends
    days = timedelta(days=profile.max_delivery_days + profile.deadline_extra_days)
    if shipment.ordered_at is not None:
        return shipment.ordered_at + days
    if shipment.created_at is not None and profile.deadline_without_order_date == "created_at":
        # created_at is after the real order date; the lag keeps the estimate on the safe side.
        return shipment.created_at.date() - timedelta(days=profile.assumed_order_lag_days) + days
    return None


def last_dispute_day(deadline: date, profile: Profile) -> date:
    """The last day a dispute is still accepted once the protection period is over."""
    return deadline + timedelta(days=profile.dispute_window_days)


def ladder(
    ctx: RuleContext, *, first: Action = Action.CONTACT_SELLER
) -> tuple[Action, date | None]:
    """The next rung for a problem the seller must fix: `first` while time allows, then a dispute."""
    deadline = ctx.deadline
    if deadline is None:
        return first, None
    days_left = (deadline - ctx.today).days
    if days_left >= ctx.profile.contact_seller_lead_days:
        return first, deadline - timedelta(days=ctx.profile.contact_seller_lead_days)
    if days_left >= 0:
        return Action.OPEN_DISPUTE, deadline
    return Action.OPEN_DISPUTE, last_dispute_day(deadline, ctx.profile)


def dispute_by(ctx: RuleContext) -> date | None:
    """The act_by for opening a dispute now: the deadline, or the last dispute day once it passed."""
    deadline = ctx.deadline
    if deadline is None:
        return None
    return deadline if ctx.today <= deadline else last_dispute_day(deadline, ctx.profile)


def ladder_moments(ctx: RuleContext) -> list[datetime]:
    """The moments at which `ladder` and `dispute_by` change their answer."""
    deadline = ctx.deadline
    if deadline is None:
        return []
    lead = ctx.profile.contact_seller_lead_days
    return [
        ctx.day_start(deadline - timedelta(days=lead - 1)),
        ctx.day_start(deadline + timedelta(days=1)),
    ]


def earliest_after(now: datetime, moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest moment strictly after now, or None."""
    future = [m for m in moments if m is not None and m > now]
    return min(future) if future else None


def by_when(day: date | None) -> str:
    """'by Mon 2026-12-05' or '' when there is no date."""
    return f" by {day:%a %Y-%m-%d}" if day else ""


def is_quiet(ctx: RuleContext) -> bool:
    """True when no rule should speak: archived, or the owner has the parcel."""
    return ctx.shipment.archived or ctx.shipment.received_at is not None


def is_delivered(timeline: Timeline) -> bool:
    """The latest status says delivered."""
    return timeline.status == Status.DELIVERED


def order_ref(shipment: ShipmentView) -> str:
    """'order 8190… / tracking LP…' for messages."""
    if shipment.order_id:
        return f"order {shipment.order_id}, tracking {shipment.tracking_number}"
    return f"tracking {shipment.tracking_number}"


def run_start(timeline: Timeline, statuses: Iterable[Status]) -> TimelineEvent | None:
    """The first event of the trailing run of events whose status is in `statuses`."""
    wanted = set(statuses)
    start = None
    for event in reversed(timeline.events):
        if event.status not in wanted:
            break
        start = event
    return start


def plural(count: int, word: str) -> str:
    """'1 day', '3 days'."""
    return f"{count} {word}{'' if count == 1 else 's'}"
