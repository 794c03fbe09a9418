"""After "delivered": ask for confirmation, flag fake deliveries, and build the not-received case."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from watcher.domain.models import (
    PRE_SHIPMENT_STATUSES,
    Action,
    Alert,
    Severity,
    Status,
    TimelineEvent,
)
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
from watcher.rules.stages import Stage, stages

#: Stages that show the parcel reached the destination's local network before delivery.
_LOCAL_STAGES = frozenset({Stage.CUSTOMS, Stage.LAST_MILE, Stage.OUT_FOR_DELIVERY, Stage.AT_DOOR})


def delivery_event(ctx: RuleContext) -> TimelineEvent | None:
    """The (first) delivery event, or None when tracking never said delivered."""
    return next((e for e in ctx.timeline.events if e.status == Status.DELIVERED), None)


def suspicious_signs(ctx: RuleContext) -> list[str]:
    """Plain-words reasons to doubt a 'delivered' scan (empty when it looks genuine)."""
    delivered = delivery_event(ctx)
    if delivered is None:
        return []
    before = [e for e in ctx.timeline.events if e.time < delivered.time]
    dest = ctx.shipment.destination
    signs: list[str] = []
    if ctx.timeline.moved_after_delivery or any(
        "after_delivery" in e.flags for e in ctx.timeline.events
    ):
        signs.append("the parcel was scanned again after the delivery scan")
    if dest.country and delivered.country and delivered.country.upper() != dest.country.upper():
        signs.append(
            f"it was delivered in {delivered.country.upper()}, not in {dest.country.upper()}"
        )
    elif (
        dest.city
        and delivered.location
        and dest.city.casefold() not in delivered.location.casefold()
    ):
        signs.append(f"it was delivered at {delivered.location!r}, not in {dest.city}")
    if _never_arrived(ctx, before):
        signs.append(
            "tracking never showed the parcel in the destination country, at customs or with the local courier"
        )
    fast = _too_fast(ctx, before, delivered)
    if fast:
        signs.append(fast)
    return signs


def _never_arrived(ctx: RuleContext, before: list[TimelineEvent]) -> bool:
    """No customs, destination-country or local-courier event before the delivery."""
    if not ctx.profile.require_last_mile:
        return False
    dest = (ctx.shipment.destination.country or "").upper()
    if dest and any((e.country or "").upper() == dest for e in before):
        return False
    found = stages(ctx.timeline, ctx.shipment.destination.country)[: len(before)]
    return not any(stage in _LOCAL_STAGES for stage in found)


def is_express(ctx: RuleContext) -> bool:
    """The parcel goes by an express service: its profile says so, or its number's shape does."""
    if ctx.profile.express:
        return True
    numbers = (ctx.shipment.tracking_number, *(leg.tracking_number for leg in ctx.shipment.legs))
    return any(
        _express_pattern(pattern).fullmatch(number)
        for pattern in ctx.profile.express_number_patterns
        for number in numbers
    )


@lru_cache(maxsize=64)
def _express_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def fastest_days(ctx: RuleContext, origin: str, dest: str) -> int:
    """The fastest believable days from first scan to delivery on this route."""
    routes = ctx.profile.fast_routes
    for key in (f"{origin}-{dest}", f"*-{dest}"):
        if key in routes:
            return routes[key]
    table = ctx.profile.fast_delivery_days
    return table.get(dest, table.get("*", 0))


def _too_fast(
    ctx: RuleContext, before: list[TimelineEvent], delivered: TimelineEvent
) -> str | None:
    """A reason when delivery came implausibly soon after the first carrier scan."""
    scans = [e for e in before if e.status not in PRE_SHIPMENT_STATUSES]
    if not scans or is_express(ctx):
        return None  # express services deliver China -> Europe in 1-3 days
    dest = (ctx.shipment.destination.country or "").upper()
    origin = (scans[0].country or "").upper()
    if dest and origin == dest:
        return None  # a domestic leg (local warehouse): fast delivery is normal
    limit = fastest_days(ctx, origin or "*", dest)
    took = delivered.time - scans[0].time
    if took < timedelta(days=limit):
        return (
            f"it was 'delivered' {plural(took.days, 'day')} after the first scan, faster than "
            f"any real route ({plural(limit, 'day')})"
        )
    return None


def origin_delivery(ctx: RuleContext) -> Alert | None:
    """A 'delivered' scan in the country the parcel left from: no local courier ever had it."""
    delivered = delivery_event(ctx)
    first = next((e for e in ctx.timeline.events if e.country), None)
    dest = (ctx.shipment.destination.country or "").upper()
    if delivered is None or first is None or not dest:
        return None
    where = (delivered.country or "").upper()
    if not where or where == dest or where != (first.country or "").upper():
        return None
    act_by = dispute_by(ctx)
    text = (
        f"Tracking says {order_ref(ctx.shipment)} was delivered in {where}, the country it was sent "
        f"from: it never reached you. Next rung: open a dispute ('not received') now{by_when(act_by)}; "
        f"attach the tracking export showing the {where} delivery scan."
    )
    return ctx.alert(
        "delivered_suspicious", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=act_by
    )


class DeliveredRule:
    """Tracking says delivered: suspicious deliveries first, else ask the owner to confirm."""

    name = "delivered"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """'delivered_suspicious' when signs point to a false delivery, else 'delivered_unconfirmed'."""
        if is_quiet(ctx) or ctx.shipment.not_received_at is not None:
            return []
        origin = origin_delivery(ctx)
        if origin is not None:
            return [origin]
        signs = suspicious_signs(ctx)
        if signs:
            return [self._suspicious(ctx, signs)]
        since = self._since(ctx)
        if since is None or ctx.now - since < timedelta(
            days=ctx.profile.delivered_unconfirmed_days
        ):
            return []
        act_by = dispute_by(ctx)
        text = (
            f"Tracking says {order_ref(ctx.shipment)} was delivered on {ctx.date_of(since):%Y-%m-%d}. If you "
            f"have it, run `watcher received {ctx.shipment.tracking_number}`. If not, check the mailbox, "
            f"neighbours and pickup points, then run `watcher not-received {ctx.shipment.tracking_number}` "
            f"and open a dispute{by_when(act_by)}."
        )
        # Plenty of time left is a reminder; close to the deadline it is a warning.
        roomy = act_by is None or (act_by - ctx.today).days >= ctx.profile.contact_seller_lead_days
        severity = Severity.INFO if roomy else Severity.WARNING
        return [
            ctx.alert(
                "delivered_unconfirmed", Action.CONFIRM_RECEIPT, severity, text, act_by=act_by
            )
        ]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """When the confirmation period ends, and the ladder's dates."""
        if is_quiet(ctx) or ctx.shipment.not_received_at is not None:
            return None
        since = self._since(ctx)
        if since is None and delivery_event(ctx) is None:
            return None
        wait = since + timedelta(days=ctx.profile.delivered_unconfirmed_days) if since else None
        return earliest_after(ctx.now, [wait, *ladder_moments(ctx)])

    def _since(self, ctx: RuleContext) -> datetime | None:
        """When the current 'delivered' status began (None when not delivered now)."""
        if ctx.timeline.status != Status.DELIVERED:
            return None
        return ctx.timeline.milestones.last_delivered or ctx.timeline.last_event_at

    def _suspicious(self, ctx: RuleContext, signs: list[str]) -> Alert:
        """The delivery scan looks false: get proof of delivery, then dispute."""
        action, act_by = ladder(ctx, first=Action.CONTACT_COURIER)
        why = "; ".join(signs)
        head = f"Tracking says delivered, but {why}."
        if action == Action.CONTACT_COURIER:
            text = (
                f"{head} If you do not have the parcel, ask the local courier for proof of delivery (signature, "
                f"photo, GPS){by_when(act_by)}, then run `watcher not-received {ctx.shipment.tracking_number}` "
                f"and open a dispute{by_when(dispute_by(ctx))}. If you have it, run `watcher received`."
            )
            return ctx.alert("delivered_suspicious", action, Severity.WARNING, text, act_by=act_by)
        text = (
            f"{head} If you do not have the parcel, open a dispute ('not received'){by_when(act_by)} and say the "
            f"delivery scan is false; get a statement from your post office. If you have it, run `watcher received`."
        )
        return ctx.alert("delivered_suspicious", action, Severity.CRITICAL, text, act_by=act_by)


class NotReceivedRule:
    """The owner says a 'delivered' parcel never arrived: the dispute, before protection ends."""

    name = "not_received"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'not_received' alert from `watcher not-received` until `watcher received`."""
        reported = ctx.shipment.not_received_at
        if is_quiet(ctx) or reported is None:
            return []
        act_by = dispute_by(ctx)
        signs = suspicious_signs(ctx)
        why = f" Signs of a false delivery: {'; '.join(signs)}." if signs else ""
        number = ctx.shipment.tracking_number
        claim = (
            " It is insured: if the dispute fails, the insured party files the courier claim."
            if ctx.shipment.insured
            else ""
        )
        text = (
            f"You reported {order_ref(ctx.shipment)} as not received on {ctx.date_of(reported):%Y-%m-%d}.{why} "
            f"Next rung: open a dispute ('not received'){by_when(act_by)} (protection: {ctx.deadline_source}), "
            f"then `watcher case {number} dispute-opened`. Gather a post-office statement or police "
            f"report.{claim}"
        )
        return [
            ctx.alert("not_received", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=act_by)
        ]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The ladder's dates."""
        if is_quiet(ctx) or ctx.shipment.not_received_at is None:
            return None
        return earliest_after(ctx.now, ladder_moments(ctx))
