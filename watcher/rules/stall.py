"""stalled: no new event for longer than the current stage's threshold; long silences escalate.

Two false alarms are ruled out here: a stall right after a hand-over, before the destination
post's new number has reported (`handover_grace_days`), and "likely lost" after a couple of
moderate silences (`likely_lost_days`, see `is_likely_lost`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from watcher.domain.models import Action, Alert, Leg, Severity
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
#: From the `repeat_stall_count`-th stall on, a silence this many times its threshold is "lost".
REPEAT_LOST_FACTOR = 2


def silent_legs(ctx: RuleContext) -> list[Leg]:
    """Follow-on numbers that have not reported a single event yet (oldest first)."""
    heard = {source.tracking_number for event in ctx.timeline.events for source in event.sources}
    return sorted(
        (leg for leg in ctx.shipment.legs if leg.tracking_number not in heard),
        key=lambda leg: leg.added_at,
    )


def waiting_for_leg(ctx: RuleContext) -> Leg | None:
    """A silent follow-on number still within its grace period: its first poll may explain all."""
    grace = timedelta(days=ctx.profile.handover_grace_days)
    waiting = [leg for leg in silent_legs(ctx) if ctx.now < leg.added_at + grace]
    return waiting[-1] if waiting else None


def is_likely_lost(silence: timedelta, limit: timedelta, count: int, ctx: RuleContext) -> bool:
    """A repeated stall that has doubled its stage's allowance, or one very long silence."""
    if silence >= timedelta(days=ctx.profile.likely_lost_days):
        return True
    return count >= ctx.profile.repeat_stall_count and silence >= limit * REPEAT_LOST_FACTOR


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
        grace = timedelta(days=ctx.profile.handover_grace_days)
        return earliest_after(
            ctx.now,
            [
                last + limit,
                last + limit * REPEAT_LOST_FACTOR,
                last + timedelta(days=ctx.profile.likely_lost_days),
                *(leg.added_at + grace for leg in silent_legs(ctx)),
                *ladder_moments(ctx),
            ],
        )

    def _stall(self, ctx: RuleContext) -> tuple[Stage, datetime] | None:
        """(stage, last event time) when the parcel is stalled now."""
        last = ctx.timeline.last_event_at
        if last is None or is_quiet(ctx):
            return None
        stage = current_stage(ctx.timeline, ctx.shipment.destination.country)
        limit = threshold(stage, ctx.profile) if stage in _STALL_STAGES else None
        if limit is None or ctx.now - last < limit:
            return None
        if waiting_for_leg(ctx) is not None:
            return None  # the hand-over's new number has not been heard from yet
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
        silent = silent_legs(ctx)
        if silent:
            head += (
                f" The follow-on number {silent[-1].tracking_number} has shown nothing since "
                f"{ctx.date_of(silent[-1].added_at):%Y-%m-%d}."
            )
        limit = threshold(stage, ctx.profile) or timedelta(0)
        if is_likely_lost(ctx.now - since, limit, count, ctx):
            act_by = dispute_by(ctx)
            repeat = f" (stall number {count})" if count > 1 else ""
            text = (
                f"{head} After {days} days without a scan{repeat} the parcel is likely lost. Open a "
                f"dispute ('not received'){by_when(act_by)} with the timeline export as evidence."
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
                f"if they cannot find it, open a dispute{by_when(dispute_by(ctx))}."
            )
        elif action == Action.CONTACT_SELLER:
            also = f" It was handed over: you can also ask {handover}." if handover else ""
            text = (
                f"{head} Ask the seller to check with their logistics provider{by_when(act_by)}; if the "
                f"parcel does not move, open a dispute{by_when(dispute_by(ctx))}.{also}"
            )
        else:
            text = f"{head} {_later_rung(ctx, action, act_by)}"
        severity = Severity.WARNING if action == first else Severity.CRITICAL
        return ctx.alert("stalled", action, severity, text, act_by=act_by, key="stalled")


def _later_rung(ctx: RuleContext, action: Action, act_by: date | None) -> str:
    """The advice past the first rung, in the words of where the buyer stands."""
    if action == Action.ESCALATE_DISPUTE:
        return f"Your dispute is open: escalate it to the platform{by_when(act_by)} if it is not resolved."
    if action == Action.WAIT:
        return "Your dispute was escalated: the platform decides; keep the evidence at hand."
    contacted = ctx.case.latest("seller-contacted")
    if contacted is not None:
        return (
            f"The seller was contacted on {ctx.date_of(contacted.at):%Y-%m-%d} and the parcel still "
            f"does not move: open a dispute ('not received'){by_when(act_by)}."
        )
    return (
        f"Too little time is left to wait for the seller: open a dispute "
        f"('not received'){by_when(act_by)}."
    )


def _handover(ctx: RuleContext) -> str | None:
    """ "Deutsche Post about RR123456785DE": who to ask about the latest hand-over number."""
    if not ctx.shipment.legs:
        return None
    number = ctx.shipment.legs[-1].tracking_number
    carrier = carrier_for_number(number)
    return f"{carrier} about {number}" if carrier else f"the destination carrier about {number}"
