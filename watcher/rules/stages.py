"""Which leg of the journey a parcel was on after each event, and how long each leg may be silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from watcher.models import Milestones, Status, Timeline, TimelineEvent
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


@dataclass(frozen=True, slots=True)
class _Progress:
    """What the parcel has done so far: left the origin, reached the destination country."""

    departed: bool = False
    arrived: bool = False


def stages(timeline: Timeline, destination_country: str | None) -> list[Stage]:
    """The stage the parcel was in right after each event of the timeline."""
    result: list[Stage] = []
    progress = _Progress()
    for event in timeline.events:
        progress = _advance(progress, event, timeline.milestones, destination_country)
        result.append(_stage(event.status, event.substatus, progress))
    return result


def current_stage(timeline: Timeline, destination_country: str | None) -> Stage:
    """The stage after the latest event (pre-shipment when there is none)."""
    found = stages(timeline, destination_country)
    return found[-1] if found else Stage.PRE_SHIPMENT


def _advance(
    progress: _Progress, event: TimelineEvent, ms: Milestones, destination: str | None
) -> _Progress:
    """Update departed/arrived with one event.

    Arrival is only inferred from explicit signs (arrival/clearance sub-statuses and milestones, a
    scan in the destination country): an export-customs scan in China must not start the short
    last-mile clock.
    """
    sub = event.substatus or ""
    arrived = (
        progress.arrived
        or sub in ("in_transit.arrived_destination", "customs.cleared")
        or _reached(event.time, ms.arrived_destination, ms.customs_cleared, ms.out_for_delivery)
        or bool(
            destination and event.country and event.country.upper() == destination.upper() != "CN"
        )
    )
    departed = (
        arrived
        or progress.departed
        or sub == "in_transit.departed_origin"
        or _reached(event.time, ms.departed_origin)
    )
    return _Progress(departed=departed, arrived=arrived)


def _reached(at: datetime, *milestones: datetime | None) -> bool:
    """True when any milestone happened at or before `at`."""
    return any(m is not None and m <= at for m in milestones)


def _stage(status: Status, substatus: str | None, progress: _Progress) -> Stage:
    """Map a status plus progress to a stage."""
    if status == Status.IN_TRANSIT or (status == Status.CUSTOMS and substatus == "customs.cleared"):
        if progress.arrived:
            return Stage.LAST_MILE
        return Stage.INTERNATIONAL if progress.departed else Stage.ORIGIN
    return {
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
    }[status]


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
