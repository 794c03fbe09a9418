"""Sub-status vocabulary: canonical spellings and which sub-status refines which. Pure."""

from __future__ import annotations

from watcher.domain.models import Status

__all__ = ["SUBSTATUS_ALIASES", "canonical", "compatible", "more_specific"]

#: Provider adapters' sub-status spellings mapped to the documented vocabulary, so equal
#: meanings merge and rules see one name. The per-source original is kept on `EventSource`.
SUBSTATUS_ALIASES: dict[str, str] = {
    "in_transit.picked_up": "in_transit.accepted",
    "in_transit.arrived_destination_country": "in_transit.arrived_destination",
    "in_transit.handed_to_last_mile": "in_transit.handover",
    "customs.export": "in_transit.export_customs",
    "customs.processing": "customs.started",
    "customs.released": "customs.cleared",
    "customs.payment_required": "customs.duties_due",
    "exception.bad_address": "exception.address",
    "delivered.picked_up": "delivered.collected",
}
#: Canonical sub-statuses that fix the status, whatever the adapter chose.
_SUBSTATUS_STATUS: dict[str, Status] = {
    "customs.cleared": Status.CUSTOMS,
    "customs.started": Status.CUSTOMS,
    "in_transit.export_customs": Status.IN_TRANSIT,
}


def canonical(status: Status, substatus: str | None) -> tuple[Status, str | None]:
    """The documented status and sub-status for an adapter's or the classifier's pair."""
    if substatus is None:
        return status, None
    if substatus.startswith("attempt."):
        substatus = "attempt_failed." + substatus.removeprefix("attempt.")
    substatus = SUBSTATUS_ALIASES.get(substatus, substatus)
    fixed = _SUBSTATUS_STATUS.get(substatus)
    if fixed is not None and status in (Status.IN_TRANSIT, Status.CUSTOMS):
        status = fixed
    return status, substatus


#: Generic sub-statuses that a more specific one refines ("departed" vs "departed origin").
_GENERIC_PARENT: dict[str, str] = {
    "in_transit.departed_origin": "in_transit.departed",
    "in_transit.arrived_destination": "in_transit.arrived",
}


def _parent(substatus: str) -> str | None:
    """The generic form a sub-status refines: explicit, or "<status>.other"."""
    if substatus in _GENERIC_PARENT:
        return _GENERIC_PARENT[substatus]
    area = substatus.split(".", 1)[0]
    return None if substatus == f"{area}.other" else f"{area}.other"


def compatible(a: str | None, b: str | None) -> bool:
    """Equal, one missing, or one a refinement of the other."""
    return a is None or b is None or a == b or _parent(a) == b or _parent(b) == a


def more_specific(a: str | None, b: str | None) -> str | None:
    """The more specific of two compatible sub-statuses."""
    if a is None or _parent(b or "") == a:
        return b
    return a
