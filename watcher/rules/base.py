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
from watcher.rules.case import EMPTY_CASE, CaseState
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
    #: The buyer's case (steps taken on the ladder); empty when none was recorded.
    case: CaseState = EMPTY_CASE
    #: The owner's calendar date at `now`.
    today: date = field(init=False)
    #: The protection deadline in force: the order's, an extension, or cut by a delivery scan.
    deadline: date | None = field(init=False)
    #: Where `deadline` comes from, in words (for messages and `watcher case`).
    deadline_source: str = field(init=False)

    def __post_init__(self) -> None:
        # Every rule asks for both, several times: computed once (bench/RESULTS.md, evaluate).
        object.__setattr__(self, "today", self.now.astimezone(self.tz).date())
        deadline, source = effective_deadline(self)
        object.__setattr__(self, "deadline", deadline)
        object.__setattr__(self, "deadline_source", source)

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


def effective_deadline(ctx: RuleContext) -> tuple[date | None, str]:
    """The deadline in force and why: a granted extension, else the order's, cut by a delivery scan."""
    extended = ctx.case.extended_until
    if extended is not None:
        return extended, "extended by the seller"
    deadline = deadline_for(ctx.shipment, ctx.profile)
    source = _order_source(ctx.shipment, ctx.profile)
    delivered = ctx.timeline.milestones.first_delivered
    if delivered is not None:
        cut = ctx.date_of(delivered) + timedelta(days=ctx.profile.delivered_protection_days)
        if deadline is None or cut < deadline:
            days = ctx.profile.delivered_protection_days
            return cut, f"{days} days after the 'delivered' scan"
    return deadline, source


def _order_source(shipment: ShipmentView, profile: Profile) -> str:
    """Where the order's deadline comes from, in words."""
    if shipment.protection_ends:
        return "from the order"
    if shipment.ordered_at:
        return f"order date + {profile.max_delivery_days + profile.deadline_extra_days} days"
    return "estimated from when watcher first saw the parcel"


def last_dispute_day(deadline: date, profile: Profile) -> date:
    """The last day a dispute is still accepted once the protection period is over."""
    return deadline + timedelta(days=profile.dispute_window_days)


def act_by_for(ctx: RuleContext, day: date) -> date | None:
    """The act_by for a platform deadline: `act_margin_days` earlier, never before today.

    None once the deadline itself has passed: the window is closed.
    """
    if day < ctx.today:
        return None
    return max(ctx.today, day - timedelta(days=ctx.profile.act_margin_days))


def dispute_by(ctx: RuleContext) -> date | None:
    """The act_by for opening a dispute: before the deadline, else within the grace; None when closed."""
    deadline = ctx.deadline
    if deadline is None:
        return None
    return act_by_for(ctx, deadline) or act_by_for(ctx, last_dispute_day(deadline, ctx.profile))


def window_closed(ctx: RuleContext) -> bool:
    """The dispute window (deadline + grace) is over and no dispute is running."""
    deadline = ctx.deadline
    if deadline is None or ctx.case.dispute_open:
        return False
    return ctx.today > last_dispute_day(deadline, ctx.profile)


def escalate_by(ctx: RuleContext) -> date | None:
    """When a running dispute should be escalated: a week after opening, or a reply period after
    the seller's answer; None when already escalated."""
    case = ctx.case
    opened = case.at("dispute-opened")
    if opened is None or case.has("escalated"):
        return None
    replied = case.at("seller-replied")
    if replied is not None and replied >= opened:
        return ctx.date_of(replied) + timedelta(days=ctx.profile.seller_reply_days)
    return ctx.date_of(opened) + timedelta(days=ctx.profile.escalate_after_days)


def ladder(
    ctx: RuleContext, *, first: Action = Action.CONTACT_SELLER
) -> tuple[Action, date | None]:
    """The next rung for a problem the seller must fix, never one the case already took.

    `first` while time allows (unless the seller was already contacted), then a dispute; with a
    dispute running, its escalation; once escalated, waiting for the platform's decision.
    """
    if ctx.case.dispute_open:
        if ctx.case.has("escalated"):
            return Action.WAIT, None
        day = escalate_by(ctx)
        return Action.ESCALATE_DISPUTE, (day if day is not None and day >= ctx.today else None)
    deadline = ctx.deadline
    if deadline is None:
        return first, None
    days_left = (deadline - ctx.today).days
    taken = first == Action.CONTACT_SELLER and any(
        ctx.case.has(step)
        for step in ("seller-contacted", "extension-requested", "extension-granted")
    )
    if days_left >= ctx.profile.contact_seller_lead_days and not taken:
        return first, deadline - timedelta(days=ctx.profile.contact_seller_lead_days)
    return Action.OPEN_DISPUTE, dispute_by(ctx)


def ladder_moments(ctx: RuleContext) -> list[datetime]:
    """The moments at which `ladder` and `dispute_by` change their answer."""
    moments: list[datetime] = []
    escalate = escalate_by(ctx)
    if escalate is not None:
        moments.append(ctx.day_start(escalate + timedelta(days=1)))
    deadline = ctx.deadline
    if deadline is None:
        return moments
    p = ctx.profile
    last = last_dispute_day(deadline, p)
    margin = timedelta(days=p.act_margin_days)
    lead = timedelta(days=p.contact_seller_lead_days - 1)
    for day in (
        deadline - lead,
        deadline - margin - lead,  # severity of a reminder measured against the act_by
        last - margin - lead,
        deadline - margin + timedelta(days=1),
        deadline + timedelta(days=1),
        last - margin + timedelta(days=1),
        last + timedelta(days=1),
    ):
        moments.append(ctx.day_start(day))
    return moments


def earliest_after(now: datetime, moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest moment strictly after now, or None."""
    future = [m for m in moments if m is not None and m > now]
    return min(future) if future else None


def by_when(day: date | None) -> str:
    """'by Mon 2026-12-05' or '' when there is no date."""
    return f" by {day:%a %Y-%m-%d}" if day else ""


def is_quiet(ctx: RuleContext) -> bool:
    """True when no rule should speak: archived, the owner has the parcel, or the case is over."""
    return (
        ctx.shipment.archived
        or ctx.shipment.received_at is not None
        or ctx.case.has("received")
        or ctx.case.finished
    )


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
