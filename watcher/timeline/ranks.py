"""Progress ranks: how far along the journey a status is, as an int that orders events. Pure.

A rank is not a `rules.stages.Stage`: ranks order events and detect late reports, stages
name where the parcel is for the rules.
"""

from __future__ import annotations

from watcher.domain.models import Status

__all__ = [
    "ORIGIN_SUBSTATUSES",
    "RANK_ARRIVED",
    "RANK_DESTINATION_TRANSIT",
    "STATUS_RANK",
    "SUBSTATUS_RANK",
    "progress_rank",
]

#: How far along the journey each status is. Used for tie-breaking, late-report detection and
#: "does this scan undo a delivery". Gaps leave room for the sub-status refinements below.
STATUS_RANK: dict[Status, int] = {
    Status.PENDING: 0,
    Status.INFO_RECEIVED: 10,
    Status.IN_TRANSIT: 30,
    Status.CUSTOMS: 60,
    Status.OUT_FOR_DELIVERY: 80,
    Status.AVAILABLE_FOR_PICKUP: 82,
    Status.ATTEMPT_FAILED: 84,
    Status.EXCEPTION: 86,
    Status.DELIVERED: 90,
    Status.RETURNING: 95,
    Status.RETURNED: 100,
}
#: Sub-statuses that sit at a different rank than their status.
SUBSTATUS_RANK: dict[str, int] = {
    "in_transit.accepted": 20,
    "in_transit.export_customs": 35,
    "in_transit.departed_origin": 40,
    "in_transit.arrived_destination": 50,
    "customs.cleared": 70,
}
#: The rank of arriving in the destination country.
RANK_ARRIVED = SUBSTATUS_RANK["in_transit.arrived_destination"]
#: An in-transit scan inside the destination country: after customs, before the last mile.
RANK_DESTINATION_TRANSIT = 75
#: Sub-statuses that can only happen on the origin side of the journey.
ORIGIN_SUBSTATUSES = frozenset(
    {"in_transit.accepted", "in_transit.export_customs", "in_transit.departed_origin"}
)


def progress_rank(
    status: Status, substatus: str | None = None, *, in_destination: bool = False
) -> int:
    """The journey rank of a status (refined by sub-status and destination country)."""
    if substatus is not None and substatus in SUBSTATUS_RANK:
        return SUBSTATUS_RANK[substatus]
    if in_destination and status is Status.IN_TRANSIT:
        return RANK_DESTINATION_TRANSIT
    return STATUS_RANK[status]
