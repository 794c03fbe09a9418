"""deadline_near / deadline_passed: the buyer-protection deadline approaches or has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from watcher.domain.models import Action, Alert, Severity, Status
from watcher.rules.base import (
    RuleContext,
    by_when,
    earliest_after,
    is_quiet,
    ladder,
    last_dispute_day,
    order_ref,
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
        delivered = ctx.timeline.status == Status.DELIVERED
        days_left = (deadline - ctx.today).days
        if days_left < 0:
            return [] if delivered else [self._passed(ctx, -days_left)]
        if days_left <= ctx.profile.deadline_near_days:
            return [self._near(ctx, days_left, delivered)]
        return []

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """Entering the warning period, the contact-seller cut-off, the deadline, escalation."""
        deadline = ctx.deadline
        if deadline is None:
            return None
        p = ctx.profile
        days = (
            -p.deadline_near_days,
            1 - p.contact_seller_lead_days,
            1,
            1 + p.escalate_after_days,
            1 + p.dispute_window_days,
        )
        return earliest_after(ctx.now, (ctx.day_start(deadline + timedelta(days=d)) for d in days))

    def _near(self, ctx: RuleContext, days_left: int, delivered: bool) -> Alert:
        """The deadline is within deadline_near_days."""
        deadline = ctx.deadline
        assert deadline is not None
        when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
        head = (
            f"Buyer protection for {order_ref(ctx.shipment)} ends {when} ({deadline:%a %Y-%m-%d})."
        )
        if delivered:
            return ctx.alert(
                "deadline_near",
                Action.CONFIRM_RECEIPT,
                Severity.WARNING,
                f"{head} Tracking says delivered: if you have the parcel run `watcher received`; if not, run "
                f"`watcher not-received` and open a dispute{by_when(deadline)} — after that the order closes.",
                act_by=deadline,
                key=KEY,
            )
        action, act_by = ladder(ctx)
        if action == Action.CONTACT_SELLER:
            text = (
                f"{head} The parcel is not delivered. Ask the seller{by_when(act_by)} to extend buyer "
                f"protection or explain the delay; if they do not, open a dispute{by_when(deadline)}."
            )
            return ctx.alert(
                "deadline_near", action, Severity.WARNING, text, act_by=act_by, key=KEY
            )
        text = (
            f"{head} The parcel is not delivered. Open a dispute ('not received'){by_when(deadline)} "
            f"unless the seller has extended protection; attach the timeline export and screenshots."
        )
        return ctx.alert("deadline_near", action, Severity.CRITICAL, text, act_by=act_by, key=KEY)

    def _passed(self, ctx: RuleContext, days_over: int) -> Alert:
        """The deadline is past and the parcel is not delivered."""
        deadline = ctx.deadline
        assert deadline is not None
        last = last_dispute_day(deadline, ctx.profile)
        head = (
            f"Buyer protection for {order_ref(ctx.shipment)} ended {deadline:%a %Y-%m-%d} "
            f"({days_over} day{'s' if days_over != 1 else ''} ago) and the parcel is not delivered."
        )
        if ctx.today > last:
            text = (
                f"{head} The usual dispute window closed {last:%Y-%m-%d}: open a dispute or contact "
                f"AliExpress support today anyway, with the timeline export and screenshots."
            )
            return ctx.alert(
                "deadline_passed",
                Action.OPEN_DISPUTE,
                Severity.CRITICAL,
                text,
                act_by=last,
                key=KEY,
            )
        if days_over > ctx.profile.escalate_after_days:
            text = (
                f"{head} If your dispute is open and the seller has not refunded, escalate it to AliExpress "
                f"now; if you have not opened one, open it today. Last day: {last:%a %Y-%m-%d}."
            )
            return ctx.alert(
                "deadline_passed",
                Action.ESCALATE_DISPUTE,
                Severity.CRITICAL,
                text,
                act_by=last,
                key=KEY,
            )
        text = (
            f"{head} Open a dispute ('not received') now — do not wait for the seller; the last day "
            f"it is accepted is {last:%a %Y-%m-%d}. Attach the timeline export and screenshots."
        )
        return ctx.alert(
            "deadline_passed", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=last, key=KEY
        )
