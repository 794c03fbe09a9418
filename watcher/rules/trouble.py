"""Alerts on where tracking says the parcel is: failed delivery or pickup, return, carrier exception."""

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
    order_ref,
    run_start,
)

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
        hold_ends = self._hold_ends(ctx, start)
        where = f" at {last.location}" if last.location else ""
        late = ctx.today > hold_ends
        if last.status == Status.AVAILABLE_FOR_PICKUP:
            action = Action.CONTACT_COURIER if late else Action.COLLECT_PARCEL
            text = (
                f"The parcel waits for you{where} since {ctx.date_of(start.time):%Y-%m-%d}. Collect it"
                f"{by_when(hold_ends)} with ID and the pickup notice; pickup points send parcels back after "
                f"about {ctx.profile.pickup_hold_days} days."
            )
        else:
            action = Action.CONTACT_COURIER
            text = (
                f"The courier could not deliver the parcel on {ctx.date_of(last.time):%Y-%m-%d}{where}. "
                f"Arrange a new delivery or pickup with the courier{by_when(hold_ends)}, and check the address "
                f"they have; unclaimed parcels go back to the seller."
            )
        if late:
            text += f" The usual hold period ended {hold_ends:%Y-%m-%d}: call the courier today."
        severity = Severity.CRITICAL if late else Severity.WARNING
        return [ctx.alert("delivery_failed", action, severity, text, act_by=hold_ends)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The day after the hold period ends."""
        start = self._start(ctx)
        if start is None:
            return None
        return earliest_after(
            ctx.now, [ctx.day_start(self._hold_ends(ctx, start) + timedelta(days=1))]
        )

    def _start(self, ctx: RuleContext) -> TimelineEvent | None:
        """The first event of the current attempt/pickup run."""
        if is_quiet(ctx) or ctx.timeline.status not in _AT_DOOR:
            return None
        return run_start(ctx.timeline, _AT_DOOR)

    def _hold_ends(self, ctx: RuleContext, start: TimelineEvent) -> date:
        """The last day the parcel is likely still held for the owner."""
        return ctx.date_of(start.time) + timedelta(days=ctx.profile.pickup_hold_days)


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
            act_by = day + timedelta(days=ctx.profile.pickup_hold_days)
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
            return [
                ctx.alert(
                    "exception", Action.CONTACT_COURIER, Severity.WARNING, text, act_by=act_by
                )
            ]
        action, act_by = ladder(ctx, first=Action.CONTACT_COURIER)
        if action == Action.CONTACT_COURIER:
            text = (
                f"{said} Ask the courier what is wrong and what they need{by_when(act_by)}; if they cannot "
                f"resolve it, open a dispute{by_when(ctx.deadline)}."
            )
            return [ctx.alert("exception", action, Severity.WARNING, text, act_by=act_by)]
        text = f"{said} Too little time is left to sort it out with the courier: open a dispute{by_when(act_by)}."
        return [ctx.alert("exception", action, Severity.CRITICAL, text, act_by=act_by)]

    def next_change(self, ctx: RuleContext) -> datetime | None:
        """The ladder's dates (reasons with fixed dates do not change without new events)."""
        if self._event(ctx) is None:
            return None
        return earliest_after(ctx.now, ladder_moments(ctx))

    def _event(self, ctx: RuleContext) -> TimelineEvent | None:
        """The latest event when it is a carrier exception (customs holds belong to the customs rule)."""
        last = ctx.timeline.last_event
        if is_quiet(ctx) or last is None or last.status != Status.EXCEPTION:
            return None
        return None if (last.substatus or "").startswith("customs.") else last

    def _loss(self, ctx: RuleContext, reason: str, day: date, said: str) -> Alert:
        """Lost or damaged: a courier claim when insured, a dispute otherwise."""
        deadline = dispute_by(ctx)
        if ctx.shipment.insured:
            claim_by = day + timedelta(days=ctx.profile.courier_claim_days)
            text = (
                f"{said} The shipment is insured: file a claim with the courier{by_when(claim_by)}"
                f"{' with photos of the parcel and packaging' if reason == 'damaged' else ''}, and open a "
                f"dispute with the seller{by_when(deadline)} as well."
            )
            return ctx.alert(
                "exception", Action.FILE_COURIER_CLAIM, Severity.CRITICAL, text, act_by=claim_by
            )
        if reason == "damaged":
            text = (
                f"{said} Keep the parcel and all packaging, take photos, and open a dispute ('damaged')"
                f"{by_when(deadline)}."
            )
        else:
            text = f"{said} The parcel is lost: open a dispute ('not received'){by_when(deadline)}."
        return ctx.alert("exception", Action.OPEN_DISPUTE, Severity.CRITICAL, text, act_by=deadline)
