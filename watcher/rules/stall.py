"""stalled: no new event for longer than the current stage's threshold; repeated stalls escalate."""

from __future__ import annotations

from datetime import datetime

from watcher.domain.models import Action, Alert, Severity
from watcher.domain.numbers import carrier_for_number
from watcher.rules.base import (
    RuleContext,
    by_when,
    dispute_by,
    earliest_after,
    is_quiet,
    ladder,
    ladder_moments,
)
from watcher.rules.stages import Stage, current_stage, past_stalls, threshold

#: Customs silence is the customs rule's business (kind customs_hold), so it is not repeated here.
_STALL_STAGES = (Stage.ORIGIN, Stage.INTERNATIONAL, Stage.LAST_MILE, Stage.OUT_FOR_DELIVERY)
#: Who knows where the parcel is: the seller's logistics before arrival, the local post after.
_ASK_COURIER = (Stage.LAST_MILE, Stage.OUT_FOR_DELIVERY)


class StallRule:
    """Silence longer than the stage allows."""

    name = "stall"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'stalled' alert while the parcel is silent past its stage's threshold."""
        stall = self._stall(ctx)
        if stall is None:
            return []
        stage, since = stall
        return [self._alert(ctx, stage, since)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """When the current silence becomes a stall, or when a running stall's advice changes."""
        last = ctx.timeline.last_event_at
        if last is None or is_quiet(ctx):
            return None
        stage = current_stage(ctx.timeline, ctx.shipment.destination.country)
        limit = threshold(stage, ctx.profile) if stage in _STALL_STAGES else None
        if limit is None:
            return None
        return earliest_after(ctx.now, [last + limit, *ladder_moments(ctx)])

    def _stall(self, ctx: RuleContext) -> tuple[Stage, datetime] | None:
        """(stage, last event time) when the parcel is stalled now."""
        last = ctx.timeline.last_event_at
        if last is None or is_quiet(ctx):
            return None
        stage = current_stage(ctx.timeline, ctx.shipment.destination.country)
        limit = threshold(stage, ctx.profile) if stage in _STALL_STAGES else None
        if limit is None or ctx.now - last < limit:
            return None
        return stage, last

    def _alert(self, ctx: RuleContext, stage: Stage, since: datetime) -> Alert:
        """The alert, escalated when this parcel has stalled before."""
        days = (ctx.now - since).days
        count = past_stalls(ctx.timeline, ctx.shipment.destination.country, ctx.profile) + 1
        last = ctx.timeline.last_event
        where = f" at {last.location}" if last and last.location else ""
        head = (
            f"No tracking update for {days} days ({stage}); last seen{where} on "
            f'{ctx.date_of(since):%Y-%m-%d}: "{last.description if last else ""}".'
        )
        if count >= ctx.profile.repeat_stall_count:
            act_by = dispute_by(ctx)
            text = (
                f"{head} This is stall number {count} for this parcel: it is likely lost. Open a dispute "
                f"('not received'){by_when(act_by)} with the timeline export as evidence."
            )
            return ctx.alert(
                "stalled",
                Action.OPEN_DISPUTE,
                Severity.CRITICAL,
                text,
                act_by=act_by,
                key="stalled",
            )
        first = Action.CONTACT_COURIER if stage in _ASK_COURIER else Action.CONTACT_SELLER
        action, act_by = ladder(ctx, first=first)
        handover = _handover(ctx)
        if action == Action.CONTACT_COURIER:
            who = f"Ask {handover}" if handover else "Ask the local post office or courier"
            text = (
                f"{head} {who} where the parcel is{by_when(act_by)}; "
                f"if they cannot find it, open a dispute{by_when(ctx.deadline)}."
            )
        elif action == Action.CONTACT_SELLER:
            also = f" It was handed over: you can also ask {handover}." if handover else ""
            text = (
                f"{head} Ask the seller to check with their logistics provider{by_when(act_by)}; if the "
                f"parcel does not move, open a dispute{by_when(ctx.deadline)}.{also}"
            )
        else:
            text = (
                f"{head} Too little time is left to wait for the seller: open a dispute "
                f"('not received'){by_when(act_by)}."
            )
        severity = Severity.WARNING if action == first else Severity.CRITICAL
        return ctx.alert("stalled", action, severity, text, act_by=act_by, key="stalled")


def _handover(ctx: RuleContext) -> str | None:
    """ "Deutsche Post about RR123456785DE": who to ask about the latest hand-over number."""
    if not ctx.shipment.legs:
        return None
    number = ctx.shipment.legs[-1]
    carrier = carrier_for_number(number)
    return f"{carrier} about {number}" if carrier else f"the destination carrier about {number}"
