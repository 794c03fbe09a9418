"""Alerts on where tracking says the parcel is: failed delivery or pickup, return, carrier exception."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from watcher.domain.models import Action, Alert, Severity, Status, TimelineEvent
from watcher.rules.base import (
    RuleContext,
    act_by_for,
    by_when,
    dispute_by,
    earliest_after,
    is_quiet,
    ladder,
    ladder_moments,
    order_ref,
    run_start,
)
from watcher.rules.profiles import parse_hold

_AT_DOOR = (Status.ATTEMPT_FAILED, Status.AVAILABLE_FOR_PICKUP)


class DeliveryFailedRule:
    """A failed delivery attempt or a parcel waiting at a pickup point: collect it in time."""

    name = "delivery_failed"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'delivery_failed' alert while the latest status is an attempt or pickup notice."""
        start = self._start(ctx)
        if start is None:
            return []
        last = ctx.timeline.last_event
        assert last is not None
        hold_ends = hold_end(ctx, start)
        where = f" at {last.location}" if last.location else ""
        late = ctx.today > hold_ends
        dispute = None if ctx.case.dispute_open else dispute_by(ctx)
        # A collect-by date after protection ends must not hide the nearer dispute date.
        first = dispute is not None and dispute < hold_ends
        act_by = dispute if first else (None if late else hold_ends)
        if last.status == Status.AVAILABLE_FOR_PICKUP:
            action = Action.CONTACT_COURIER if late else Action.COLLECT_PARCEL
            text = (
                f"The parcel waits for you{where} since {ctx.date_of(start.time):%Y-%m-%d}; the pickup "
                f"point keeps it until about {hold_ends:%Y-%m-%d}. Collect it{by_when(act_by)} with ID and "
                f"the pickup notice."
            )
        else:
            action = Action.CONTACT_COURIER
            text = (
                f"The courier could not deliver the parcel on {ctx.date_of(last.time):%Y-%m-%d}{where}. "
                f"Arrange a new delivery or pickup{by_when(act_by)} and check the address they have; "
                f"unclaimed parcels go back to the seller (held until about {hold_ends:%Y-%m-%d})."
            )
        if first:
            text += (
                f" Protection ends {ctx.deadline:%Y-%m-%d}, before that: if you cannot get it"
                f"{by_when(act_by)}, open a dispute by then."
            )
        elif late:
            text += " The hold period is over: call the courier today."
        severity = Severity.CRITICAL if late or first else Severity.WARNING
        return [ctx.alert("delivery_failed", action, severity, text, act_by=act_by)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The day after the hold period ends, and the ladder's dates."""
        start = self._start(ctx)
        if start is None:
            return None
        end = ctx.day_start(hold_end(ctx, start) + timedelta(days=1))
        return earliest_after(ctx.now, [end, *ladder_moments(ctx)])

    def _start(self, ctx: RuleContext) -> TimelineEvent | None:
        """The first event of the current attempt/pickup run."""
        if is_quiet(ctx) or ctx.timeline.status not in _AT_DOOR:
            return None
        return run_start(ctx.timeline, _AT_DOOR)


def hold_end(ctx: RuleContext, start: TimelineEvent) -> date:
    """The last day the parcel is likely still held: by pickup place, country, else the default."""
    days, working = hold_period(ctx)
    day = ctx.date_of(start.time)
    if not working:
        return day + timedelta(days=days)
    while days > 0:  # working days: Monday to Saturday
        day += timedelta(days=1)
        if day.weekday() != 6:
            days -= 1
    return day


def hold_period(ctx: RuleContext) -> tuple[int, bool]:
    """(days, working days?) from `pickup_holds`: place text first, then destination country."""
    holds = ctx.profile.pickup_holds
    last = ctx.timeline.last_event
    text = f"{last.location or ''} {last.description}".casefold() if last else ""
    for key, value in holds.items():
        if not key.isupper() and key.casefold() in text:
            return parse_hold(value) or (ctx.profile.pickup_hold_days, False)
    country = (ctx.shipment.destination.country or "").upper()
    if country in holds:
        return parse_hold(holds[country]) or (ctx.profile.pickup_hold_days, False)
    return ctx.profile.pickup_hold_days, False


class ReturningRule:
    """Returned or on its way back: it will not arrive, and a return does not refund by itself."""

    name = "returning"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'returning' alert while the parcel is going (or has gone) back to the seller."""
        if is_quiet(ctx) or ctx.timeline.status not in (Status.RETURNING, Status.RETURNED):
            return []
        act_by = dispute_by(ctx)
        gone = (
            "has been returned" if ctx.timeline.status == Status.RETURNED else "is being returned"
        )
        text = (
            f"The parcel ({order_ref(ctx.shipment)}) {gone} to the seller, so it will not reach you. Open a "
            f"dispute ('not received' / 'returned'){by_when(act_by)} for a refund — sellers often wait for the "
            f"parcel to come back, which can take months and run past your protection."
        )
        return [ctx.alert("returning", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=act_by)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The dispute date moves when the deadline passes."""
        if is_quiet(ctx) or ctx.timeline.status not in (Status.RETURNING, Status.RETURNED):
            return None
        return earliest_after(ctx.now, ladder_moments(ctx))


class ExceptionRule:
    """Lost, damaged, refused, address problem or another carrier exception."""

    name = "exception"

    def evaluate(self, ctx: RuleContext) -> list[Alert]:
        """One 'exception' alert while the latest status is an exception."""
        event = self._event(ctx)
        if event is None:
            return []
        reason = (event.substatus or "exception.other").removeprefix("exception.")
        day = ctx.date_of(event.time)
        said = f'On {day:%Y-%m-%d} the carrier reported: "{event.description}".'
        if reason in ("lost", "damaged"):
            return [self._loss(ctx, reason, day, said)]
        if reason in ("refused", "address"):
            held = day + timedelta(days=ctx.profile.pickup_hold_days)
            act_by = held if held >= ctx.today else None  # past: "now", said below
            if reason == "refused":
                text = (
                    f"{said} The parcel was marked as refused. If you did not refuse it, tell the courier"
                    f"{by_when(act_by)} before it goes back, and ask the seller to stop the return."
                )
            else:
                text = (
                    f"{said} The courier has an address problem. Give them the full address (name, street, "
                    f"number, postcode, phone){by_when(act_by)}, or the parcel goes back to the seller."
                )
            if act_by is None:
                text += f" The usual hold period ended {held:%Y-%m-%d}: call the courier today."
            return [
                ctx.alert(
                    "exception", Action.CONTACT_COURIER, Severity.WARNING, text, act_by=act_by
                )
            ]
        action, act_by = ladder(ctx, first=Action.CONTACT_COURIER)
        if action == Action.CONTACT_COURIER:
            text = (
                f"{said} Ask the courier what is wrong and what they need{by_when(act_by)}; if they cannot "
                f"resolve it, open a dispute{by_when(dispute_by(ctx))}."
            )
            return [ctx.alert("exception", action, Severity.WARNING, text, act_by=act_by)]
        text = f"{said} Too little time is left to sort it out with the courier: open a dispute{by_when(act_by)}."
        return [ctx.alert("exception", action, Severity.CRITICAL, text, act_by=act_by)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The ladder's dates (reasons with fixed dates do not change without new events)."""
        event = self._event(ctx)
        if event is None:
            return None
        held = ctx.date_of(event.time) + timedelta(days=ctx.profile.pickup_hold_days + 1)
        return earliest_after(ctx.now, [ctx.day_start(held), *ladder_moments(ctx)])

    def _event(self, ctx: RuleContext) -> TimelineEvent | None:
        """The latest event when it is a carrier exception (customs holds belong to the customs rule)."""
        last = ctx.timeline.last_event
        if is_quiet(ctx) or last is None or last.status != Status.EXCEPTION:
            return None
        return None if (last.substatus or "").startswith("customs.") else last

    def _loss(self, ctx: RuleContext, reason: str, day: date, said: str) -> Alert:
        """Lost: the buyer disputes (the seller, as the shipper, claims from the courier).

        Damaged and insured: a courier claim, unless the dispute date comes first.
        """
        dispute = dispute_by(ctx)
        if reason == "damaged" and ctx.shipment.insured:
            claim_by = act_by_for(ctx, day + timedelta(days=ctx.profile.courier_claim_days))
            if claim_by is not None and (dispute is None or claim_by < dispute):
                text = (
                    f"{said} It is insured: file a claim with the courier{by_when(claim_by)} with photos "
                    f"of the parcel and packaging, and open a dispute{by_when(dispute)}."
                )
                return ctx.alert(
                    "exception", Action.FILE_COURIER_CLAIM, Severity.CRITICAL, text, act_by=claim_by
                )
        if reason == "damaged":
            text = (
                f"{said} Keep the parcel and all packaging, take photos, and open a dispute ('damaged')"
                f"{by_when(dispute)}."
            )
        else:
            text = (
                f"{said} Next rung: open a dispute ('not received'){by_when(dispute)}, before protection "
                f"ends. The seller, as the shipper, files the courier claim; do not wait for it."
            )
        return ctx.alert("exception", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=dispute)
