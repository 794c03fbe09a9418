"""Which leg of the journey a parcel was on after each event, and how long each leg may be silent."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from watcher.domain.models import Status, Timeline
from watcher.rules.profiles import Profile


class Stage(StrEnum):
    """A leg of the journey, as far as stall thresholds are concerned."""

    PRE_SHIPMENT = "pre_shipment"
    ORIGIN = "origin processing"
    INTERNATIONAL = "international transit"
    CUSTOMS = "customs"
    LAST_MILE = "last mile"
    OUT_FOR_DELIVERY = "out for delivery"
    AT_DOOR = "delivery attempt or pickup"
    EXCEPTION = "exception"
    RETURNING = "return"
    DELIVERED = "delivered"


#: Stages where silence longer than the profile's threshold is a stall.
TIMED_STAGES = (
    Stage.ORIGIN,
    Stage.INTERNATIONAL,
    Stage.CUSTOMS,
    Stage.LAST_MILE,
    Stage.OUT_FOR_DELIVERY,
)


def threshold(stage: Stage, profile: Profile) -> timedelta | None:
    """How long a stage may stay silent before it counts as a stall (None: not timed)."""
    days = {
        Stage.ORIGIN: profile.origin_processing_days,
        Stage.INTERNATIONAL: profile.international_transit_days,
        Stage.CUSTOMS: profile.customs_days,
        Stage.LAST_MILE: profile.last_mile_days,
        Stage.OUT_FOR_DELIVERY: profile.out_for_delivery_days,
    }.get(stage)
    return timedelta(days=days) if days is not None else None


def stages(timeline: Timeline, destination_country: str | None) -> tuple[Stage, ...]:
    """The stage the parcel was in right after each event of the timeline.

    Several rules ask for the same timeline's stages in one evaluation; the last answer is kept
    (the timeline is immutable), which halved the rules' cost (bench/RESULTS.md, evaluate).
    """
    global _last_stages
    last = _last_stages
    if last[0] is timeline and last[1] == destination_country:
        return last[2]
    found = _compute_stages(timeline, destination_country)
    _last_stages = (timeline, destination_country, found)
    return found


_last_stages: tuple[Timeline | None, str | None, tuple[Stage, ...]] = (None, None, ())


def current_stage(timeline: Timeline, destination_country: str | None) -> Stage:
    """The stage after the latest event (pre-shipment when there is none)."""
    found = stages(timeline, destination_country)
    return found[-1] if found else Stage.PRE_SHIPMENT


def _compute_stages(timeline: Timeline, destination_country: str | None) -> tuple[Stage, ...]:
    """Walk the events, tracking whether the parcel has left the origin and reached the destination.

    Arrival is only inferred from explicit signs (arrival/clearance sub-statuses and milestones, a
    scan in the destination country): an export-customs scan in China must not start the short
    last-mile clock.
    """
    ms = timeline.milestones
    arrived_at = _earliest(ms.arrived_destination, ms.customs_cleared, ms.out_for_delivery)
    departed_at = ms.departed_origin
    destination = destination_country.upper() if destination_country else None
    if destination == "CN":
        destination = None  # a scan in China never proves arrival (the origin of these parcels)
    arrived = departed = False
    result = []
    for event in timeline.events:
        sub = event.substatus
        if not arrived:
            arrived = (
                sub in _ARRIVAL_SUBSTATUSES
                or (arrived_at is not None and arrived_at <= event.time)
                or (
                    destination is not None
                    and event.country is not None
                    and event.country.upper() == destination
                )
            )
        if not departed:
            departed = (
                arrived
                or sub == "in_transit.departed_origin"
                or (departed_at is not None and departed_at <= event.time)
            )
        result.append(_stage(event.status, sub, departed, arrived))
    return tuple(result)


_ARRIVAL_SUBSTATUSES = frozenset({"in_transit.arrived_destination", "customs.cleared"})


def _earliest(*moments: datetime | None) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def _stage(status: Status, substatus: str | None, departed: bool, arrived: bool) -> Stage:
    """Map a status plus progress to a stage."""
    if status == Status.IN_TRANSIT or (status == Status.CUSTOMS and substatus == "customs.cleared"):
        if arrived:
            return Stage.LAST_MILE
        return Stage.INTERNATIONAL if departed else Stage.ORIGIN
    return _STATUS_STAGES[status]


_STATUS_STAGES = {
    Status.PENDING: Stage.PRE_SHIPMENT,
    Status.INFO_RECEIVED: Stage.PRE_SHIPMENT,
    Status.CUSTOMS: Stage.CUSTOMS,
    Status.OUT_FOR_DELIVERY: Stage.OUT_FOR_DELIVERY,
    Status.ATTEMPT_FAILED: Stage.AT_DOOR,
    Status.AVAILABLE_FOR_PICKUP: Stage.AT_DOOR,
    Status.EXCEPTION: Stage.EXCEPTION,
    Status.RETURNING: Stage.RETURNING,
    Status.RETURNED: Stage.RETURNING,
    Status.DELIVERED: Stage.DELIVERED,
}


def past_stalls(timeline: Timeline, destination_country: str | None, profile: Profile) -> int:
    """How many silences between consecutive events exceeded their stage's threshold."""
    found = stages(timeline, destination_country)
    count = 0
    for index in range(len(timeline.events) - 1):
        limit = _gap_threshold(found[index], found[index + 1], profile)
        gap = timeline.events[index + 1].time - timeline.events[index].time
        if limit is not None and gap >= limit:
            count += 1
    return count


#: The forward order of the journey, used to see which legs a silence may have spanned.
_JOURNEY = (
    Stage.ORIGIN,
    Stage.INTERNATIONAL,
    Stage.CUSTOMS,
    Stage.LAST_MILE,
    Stage.OUT_FOR_DELIVERY,
    Stage.AT_DOOR,
    Stage.DELIVERED,
)


def _gap_threshold(before: Stage, after: Stage, profile: Profile) -> timedelta | None:
    """The threshold for a past silence: the most lenient leg it may have covered.

    A silence that ends further along the journey covered the legs in between (a parcel seen in
    China, next in Germany, flew in between), so it is judged by the longest of their thresholds.
    """
    if before in _JOURNEY and after in _JOURNEY and _JOURNEY.index(after) > _JOURNEY.index(before):
        span = _JOURNEY[_JOURNEY.index(before) : _JOURNEY.index(after) + 1]
        limits = [limit for stage in span if (limit := threshold(stage, profile)) is not None]
        return max(limits) if limits else None
    return threshold(before, profile)
