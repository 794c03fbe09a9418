"""deadline_near / deadline_passed: the buyer-protection deadline approaches or has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from watcher.domain.models import Action, Alert, Severity, Status
from watcher.rules.base import (
    RuleContext,
    by_when,
    dispute_by,
    earliest_after,
    is_quiet,
    ladder,
    ladder_moments,
    last_dispute_day,
    order_ref,
    plural,
)

KEY = "deadline"  # near -> passed is one alert escalating, not two


class DeadlineRule:
    """Warn before the protection deadline, and insist on a dispute once it has passed."""

    name = "deadline"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """At most one alert under the key 'deadline'."""
        deadline = ctx.deadline
        if deadline is None or is_quiet(ctx) or ctx.shipment.not_received_at is not None:
            return []  # not_received carries the deadline itself
        if ctx.timeline.status in (Status.AVAILABLE_FOR_PICKUP, Status.DELIVERED):
            # delivery_failed / delivered_* carry the (delivery-cut) deadline in their act_by.
            return []
        days_left = (deadline - ctx.today).days
        if days_left < 0:
            return [self._passed(ctx, -days_left)]
        if days_left <= ctx.profile.deadline_near_days:
            return [self._near(ctx, days_left)]
        return []

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """Entering the warning period, then the ladder's dates (never for a parcel `evaluate` skips)."""
        deadline = ctx.deadline
        if deadline is None or is_quiet(ctx) or ctx.shipment.not_received_at is not None:
            return None
        start = ctx.day_start(deadline - timedelta(days=ctx.profile.deadline_near_days))
        return earliest_after(ctx.now, [start, *ladder_moments(ctx)])

    def _near(self, ctx: RuleContext, days_left: int) -> Alert:
        """The deadline is within deadline_near_days."""
        deadline = ctx.deadline
        assert deadline is not None
        when = "today" if days_left == 0 else f"in {plural(days_left, 'day')}"
        head = f"Protection for {order_ref(ctx.shipment)} ends {when} ({deadline:%a %Y-%m-%d}, {ctx.deadline_source})."
        action, act_by = ladder(ctx)
        if action == Action.CONTACT_SELLER:
            text = (
                f"{head} Not delivered. Rung 1: ask the seller to extend protection{by_when(act_by)} "
                f"(record it: `watcher case {ctx.shipment.tracking_number} seller-contacted`); "
                f"else open a dispute{by_when(dispute_by(ctx))}. Keep screenshots of the chat."
            )
            return ctx.alert(
                "deadline_near", action, Severity.WARNING, text, act_by=act_by, key=KEY
            )
        contacted = " The seller was contacted; " if ctx.case.has("seller-contacted") else " "
        text = (
            f"{head} Not delivered.{contacted}open a dispute ('not received'){by_when(act_by)} unless "
            f"the seller has extended protection; attach the tracking export and screenshots."
        )
        return ctx.alert("deadline_near", action, Severity.CRITICAL, text, act_by=act_by, key=KEY)

    def _passed(self, ctx: RuleContext, days_over: int) -> Alert:
        """The deadline is past and the parcel is not delivered (a closed window is the case's)."""
        deadline = ctx.deadline
        assert deadline is not None
        last = last_dispute_day(deadline, ctx.profile)
        act_by = dispute_by(ctx)
        text = (
            f"Protection for {order_ref(ctx.shipment)} ended {deadline:%a %Y-%m-%d} "
            f"({plural(days_over, 'day')} ago), not delivered. Open a dispute ('not received') now"
            f"{by_when(act_by)}; the platform accepts it until {last:%Y-%m-%d}. Attach the tracking "
            f"export and screenshots."
        )
        return ctx.alert(
            "deadline_passed", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=act_by, key=KEY
        )
