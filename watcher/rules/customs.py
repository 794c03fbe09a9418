"""customs_hold: customs holds the parcel, wants duties, or is taking longer than usual."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from watcher.domain.models import Action, Alert, Severity, Status, TimelineEvent
from watcher.rules.base import (
    RuleContext,
    by_when,
    dispute_by,
    earliest_after,
    is_quiet,
    ladder,
    ladder_moments,
    plural,
    run_start,
)

HELD = "customs.held"
DUTIES = "customs.duties_due"


class CustomsRule:
    """Held or duties due: answer customs; slow processing: ask the courier, then dispute."""

    name = "customs"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'customs_hold' alert while the parcel sits in customs with a problem."""
        if is_quiet(ctx) or ctx.timeline.status == Status.DELIVERED:
            return []
        notice = self._notice(ctx)
        if notice is not None:
            return [self._held(ctx, notice)]
        start = self._processing_since(ctx)
        if start is None or ctx.now - start.time < timedelta(days=ctx.profile.customs_days):
            return []
        return [self._slow(ctx, start)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """When processing becomes too slow, a notice's reply period ends, and the ladder's dates."""
        if is_quiet(ctx):
            return None
        notice = self._notice(ctx)
        if notice is not None:
            return earliest_after(
                ctx.now,
                [
                    ctx.day_start(self._reply_by(ctx, notice) + timedelta(days=1)),
                    *ladder_moments(ctx),
                ],
            )
        start = self._processing_since(ctx)
        if start is None:
            return None
        return earliest_after(
            ctx.now, [start.time + timedelta(days=ctx.profile.customs_days), *ladder_moments(ctx)]
        )

    def _notice(self, ctx: RuleContext) -> TimelineEvent | None:
        """The latest event when it says customs holds the parcel or wants duties."""
        last = ctx.timeline.last_event
        return last if last is not None and last.substatus in (HELD, DUTIES) else None

    def _processing_since(self, ctx: RuleContext) -> TimelineEvent | None:
        """The first event of the current customs stay (None when not in customs or already cleared)."""
        last = ctx.timeline.last_event
        if last is None or last.status != Status.CUSTOMS or last.substatus == "customs.cleared":
            return None
        return run_start(ctx.timeline, (Status.CUSTOMS,))

    def _reply_by(self, ctx: RuleContext, notice: TimelineEvent) -> date:
        """The last day to answer customs before the parcel is sent back."""
        return ctx.date_of(notice.time) + timedelta(days=ctx.profile.customs_response_days)

    def _held(self, ctx: RuleContext, notice: TimelineEvent) -> Alert:
        """Customs wants something from the owner."""
        reply_by = self._reply_by(ctx, notice)
        late = ctx.today > reply_by
        if notice.substatus == DUTIES:
            text = (
                f"Customs wants import duties or VAT for this parcel (since {ctx.date_of(notice.time):%Y-%m-%d}). "
                f"Pay through the courier's or post office's link or counter{by_when(reply_by)}, or it goes "
                f"back to China. AliExpress collects EU VAT at checkout (IOSS) on orders up to EUR 150: if "
                f"you are charged VAT again, send the courier the order invoice and ask the seller to refund it."
            )
        else:
            text = (
                f"Customs is holding this parcel (since {ctx.date_of(notice.time):%Y-%m-%d}): they usually want "
                f"the invoice or proof of value, sometimes your ID or a description of the goods. Answer the "
                f"customs or courier notice{by_when(reply_by)}, or the parcel is returned to the seller."
            )
        if not late:
            return ctx.alert(
                "customs_hold",
                Action.CONTACT_COURIER,
                Severity.WARNING,
                text,
                act_by=reply_by,
                key="customs_hold",
            )
        # The reply period is over, so its date no longer counts: the parcel may already be on its
        # way back. Call the courier while the order's deadline allows, else dispute.
        action, act_by = ladder(ctx, first=Action.CONTACT_COURIER)
        if action == Action.CONTACT_COURIER:
            text += (
                f" The usual reply period ended on {reply_by:%Y-%m-%d}: call the courier{by_when(act_by)} to check "
                f"it is still held; if it was sent back, open a dispute{by_when(dispute_by(ctx))}."
            )
        else:
            text += (
                f" The usual reply period ended on {reply_by:%Y-%m-%d} and too little time is left: "
                f"open a dispute ('not received'){by_when(act_by)}."
            )
        return ctx.alert(
            "customs_hold", action, Severity.CRITICAL, text, act_by=act_by, key="customs_hold"
        )

    def _slow(self, ctx: RuleContext, start: TimelineEvent) -> Alert:
        """Customs processing is taking longer than the threshold."""
        days = (ctx.now - start.time).days
        action, act_by = ladder(ctx, first=Action.CONTACT_COURIER)
        head = (
            f"The parcel has been in customs for {plural(days, 'day')} (since {ctx.date_of(start.time):%Y-%m-%d}); "
            f"most parcels clear in under {plural(ctx.profile.customs_days, 'day')}."
        )
        if action == Action.CONTACT_COURIER:
            text = (
                f"{head} Ask the destination post or courier whether customs needs anything from you"
                f"{by_when(act_by)}; if nothing moves, open a dispute{by_when(dispute_by(ctx))}."
            )
            return ctx.alert(
                "customs_hold", action, Severity.WARNING, text, act_by=act_by, key="customs_hold"
            )
        text = f"{head} Too little time is left to wait: open a dispute ('not received'){by_when(act_by)}."
        return ctx.alert(
            "customs_hold", action, Severity.CRITICAL, text, act_by=act_by, key="customs_hold"
        )
