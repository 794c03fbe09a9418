"""not_shipped: nothing but a label (or nothing at all) long after the order."""

from __future__ import annotations

from datetime import datetime, timedelta

from watcher.domain.models import PRE_SHIPMENT_STATUSES, Action, Alert, Severity
from watcher.rules.base import (
    RuleContext,
    by_when,
    dispute_by,
    earliest_after,
    is_quiet,
    ladder,
    ladder_moments,
    order_ref,
    plural,
)


class NotShippedRule:
    """The classic fake-shipment pattern: a label is printed, the parcel never handed over."""

    name = "not_shipped"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'not_shipped' alert once the order is older than not_shipped_days without a carrier scan."""
        since = self._since(ctx)
        if since is None:
            return []
        age = ctx.now - since
        if age < timedelta(days=ctx.profile.not_shipped_days):
            return []
        days = age.days
        head = (
            f"{order_ref(ctx.shipment)}: {plural(days, 'day')} after the order the carrier has still not "
            f"scanned the parcel (only a label or nothing at all) — it has probably not been shipped."
        )
        if age >= timedelta(days=ctx.profile.not_shipped_dispute_days):
            act_by = dispute_by(ctx)
            text = (
                f"{head} Open a dispute ('tracking not updated' / 'not shipped'){by_when(act_by)}; the seller "
                f"has had long enough."
            )
            return [
                ctx.alert(
                    "not_shipped", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=act_by
                )
            ]
        action, act_by = ladder(ctx)
        if action == Action.CONTACT_SELLER:
            text = (
                f"{head} Ask the seller for a working tracking number{by_when(act_by)}; if the parcel is not "
                f"moving {plural(ctx.profile.not_shipped_dispute_days, 'day')} after the order, open a dispute."
            )
            return [ctx.alert("not_shipped", action, Severity.WARNING, text, act_by=act_by)]
        text = f"{head} Too little time is left for the seller: open a dispute{by_when(act_by)}."
        return [ctx.alert("not_shipped", action, Severity.CRITICAL, text, act_by=act_by)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """When the waiting period ends, when it becomes a dispute, and the ladder's dates."""
        since = self._since(ctx)
        if since is None:
            return None
        p = ctx.profile
        moments = [
            since + timedelta(days=p.not_shipped_days),
            since + timedelta(days=p.not_shipped_dispute_days),
        ]
        return earliest_after(ctx.now, [*moments, *ladder_moments(ctx)])

    def _since(self, ctx: RuleContext) -> datetime | None:
        """When the clock started: the order date, else the first event, else when watcher learnt of it."""
        if is_quiet(ctx) or ctx.timeline.status not in PRE_SHIPMENT_STATUSES:
            return None
        if ctx.shipment.ordered_at is not None:
            return ctx.day_start(ctx.shipment.ordered_at)
        if ctx.timeline.events:
            return ctx.timeline.events[0].time
        return ctx.shipment.created_at
