"""Derived facts over the ordered moments: current status, milestones, late and after-delivery flags.

**Current status** is decided by rule, not by the last event: origin-side scans that arrive
after the parcel reached the destination, and earlier-rank scans timestamped after a delivery,
are kept but flagged "late_report" and ignored; real scans after a delivery (last-mile,
exception, return, a new destination-country scan) are flagged "after_delivery" and set
`Timeline.moved_after_delivery`. The providers' overall verdicts (`apply_verdicts`) then have
their say. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watcher.domain.models import TERMINAL_STATUSES, Milestones, Status
from watcher.timeline.merge import Cluster
from watcher.timeline.ranks import (
    ORIGIN_SUBSTATUSES,
    RANK_ARRIVED,
    RANK_DESTINATION_TRANSIT,
    STATUS_RANK,
)

__all__ = ["Facts", "apply_verdicts"]

#: Scans that are part of a return journey and do not change a returning/returned status.
_RETURN_JOURNEY = frozenset({Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.CUSTOMS})
_RETURN_STATUSES = frozenset({Status.RETURNING, Status.RETURNED})
#: After a delivery, these statuses are real news (not a lagging provider's replay).
_REAL_AFTER_DELIVERY = frozenset(
    {
        Status.OUT_FOR_DELIVERY,
        Status.AVAILABLE_FOR_PICKUP,
        Status.ATTEMPT_FAILED,
        Status.EXCEPTION,
        Status.RETURNING,
        Status.RETURNED,
    }
)


def _real_after_delivery(m: Cluster, destination: str | None) -> bool:
    """Whether a non-delivery scan after a delivery is news rather than a lagging replay."""
    if m.status in _REAL_AFTER_DELIVERY:
        return True
    return (
        m.status is Status.IN_TRANSIT
        and destination is not None
        and m.country == destination
        and m.rank >= RANK_DESTINATION_TRANSIT
    )


def _is_origin_side(m: Cluster) -> bool:
    """Scans that can only come before the parcel reaches the destination country."""
    return m.status in (Status.PENDING, Status.INFO_RECEIVED) or m.substatus in ORIGIN_SUBSTATUSES


class Facts:
    """Accumulates status, milestones and flags over the ordered merged events."""

    def __init__(self, destination: str | None) -> None:
        self.destination = destination
        self.first_delivered: datetime | None = None
        self.furthest = -1  # furthest forward rank reached (not counting exceptions/returns)
        self.returning = False
        self.current: Cluster | None = None
        self.moved = False
        self.milestones: dict[str, datetime] = {}
        self.abroad = False  # a scan outside the destination country has been seen
        self.acceptance_unknown = False  # the destination took over before any origin scan

    def _destination_acceptance(self, m: Cluster) -> bool:
        """An "accepted" scan in the destination country after scans abroad: the destination
        post taking the parcel over, not the origin's acceptance (the text cannot tell)."""
        return (
            self.abroad
            and m.substatus == "in_transit.accepted"
            and self.destination is not None
            and m.country == self.destination
        )

    def late_or_after(self, m: Cluster) -> str | None:
        """The delivery flag this event earns: "late_report", "after_delivery" or None."""
        if self.first_delivered is not None and m.time > self.first_delivered:
            if m.status is Status.DELIVERED:
                return None
            return "after_delivery" if _real_after_delivery(m, self.destination) else "late_report"
        if (
            not self.returning
            and self.furthest >= RANK_ARRIVED
            and _is_origin_side(m)
            and not self._destination_acceptance(m)
        ):
            return "late_report"
        return None

    def observe(self, m: Cluster, flag: str | None) -> None:
        """Fold one event (in timeline order) into the derived facts."""
        if flag != "late_report":  # a lagging provider's time says nothing about the parcel
            self._milestones(m)
        if m.country is not None and self.destination is not None and m.country != self.destination:
            self.abroad = True
        if flag == "after_delivery":
            self.moved = True
        if m.status is Status.DELIVERED and self.first_delivered is None:
            self.first_delivered = m.time
        if m.status in _RETURN_STATUSES:
            self.returning = True
        elif m.status is not Status.EXCEPTION and flag != "late_report":
            self.furthest = max(self.furthest, m.rank)
        if flag == "late_report":
            return
        # The way back to the sender passes through transit and customs scans again.
        if (
            self.current is not None
            and self.current.status in _RETURN_STATUSES
            and m.status in _RETURN_JOURNEY
        ):
            return
        self.current = m

    def _milestones(self, m: Cluster) -> None:
        """Record the first time each milestone is reached (last for last_delivered)."""
        marks = self.milestones
        status, sub = m.status, m.substatus
        handover = self._destination_acceptance(m)
        # Any carrier scan proves acceptance, even when the acceptance scan itself is missing.
        # The destination post's acceptance is an arrival: when it comes first, the origin's
        # acceptance date is unknown, and no later scan may stand in for it.
        if handover and "accepted" not in marks:
            self.acceptance_unknown = True
        if (
            status not in (Status.PENDING, Status.INFO_RECEIVED, Status.EXCEPTION)
            and not handover
            and not self.acceptance_unknown
        ):
            marks.setdefault("accepted", m.time)
        if sub == "in_transit.departed_origin":
            marks.setdefault("departed_origin", m.time)
        elif sub == "in_transit.arrived_destination":
            marks.setdefault("arrived_destination", m.time)
        if status is Status.CUSTOMS:
            marks.setdefault("arrived_destination", m.time)
            if sub == "customs.cleared":
                marks.setdefault("customs_cleared", m.time)
        elif (
            self.destination is not None
            and m.country == self.destination
            and status not in (Status.PENDING, Status.INFO_RECEIVED)
            and (sub not in ORIGIN_SUBSTATUSES or handover)
        ):
            marks.setdefault("arrived_destination", m.time)
        if status is Status.OUT_FOR_DELIVERY:
            marks.setdefault("out_for_delivery", m.time)
        elif status is Status.DELIVERED:
            marks.setdefault("first_delivered", m.time)
            marks["last_delivered"] = m.time
        elif status is Status.RETURNED:
            marks.setdefault("returned", m.time)

    def current_status(self) -> tuple[Status, str | None]:
        """The timeline status for the deciding event; cleared customs means moving on."""
        current = self.current
        if current is None:
            return Status.PENDING, None
        if current.substatus == "customs.cleared":
            return Status.IN_TRANSIT, current.substatus
        return current.status, current.substatus

    def build_milestones(self) -> Milestones:
        """The milestones reached so far."""
        marks = self.milestones
        return Milestones(
            accepted=marks.get("accepted"),
            departed_origin=marks.get("departed_origin"),
            arrived_destination=marks.get("arrived_destination"),
            customs_cleared=marks.get("customs_cleared"),
            out_for_delivery=marks.get("out_for_delivery"),
            first_delivered=marks.get("first_delivered"),
            last_delivered=marks.get("last_delivered"),
            returned=marks.get("returned"),
        )


#: Provider verdicts that override the events' status (the events may not repeat them).
_VERDICT_OVERRIDES = frozenset(
    {Status.EXCEPTION, Status.RETURNING, Status.RETURNED, Status.DELIVERED}
)


def _verdicts(verdicts: Mapping[str, Mapping[str, Any]] | None) -> list[tuple[Status, str | None]]:
    """The readable (status, substatus) pairs of stored verdicts (`shipments.verdicts`)."""
    found = []
    for value in (verdicts or {}).values():
        try:
            found.append((Status(value["status"]), value.get("substatus")))
        except (KeyError, TypeError, ValueError):
            continue  # written by a newer version or damaged: the events decide
    return found


def apply_verdicts(
    status: Status,
    substatus: str | None,
    verdicts: Mapping[str, Mapping[str, Any]] | None,
    *,
    has_events: bool,
) -> tuple[Status, str | None]:
    """The current status once the providers' overall verdicts are heard.

    Without events the furthest verdict is the status ("expired with nothing" is the provider
    giving up, not pending). With events, a verdict of exception, return or delivery that the
    events do not show wins unless the events already ended (delivered, returned); an
    "expired" verdict marks a parcel still in transit as such (a strong stall signal).
    """
    found = _verdicts(verdicts)
    if not found:
        return status, substatus
    if not has_events:
        return max(found, key=lambda v: (STATUS_RANK[v[0]], v[1] is not None))
    if status in TERMINAL_STATUSES:
        return status, substatus
    overriding = [v for v in found if v[0] in _VERDICT_OVERRIDES and v[0] is not status]
    if overriding:
        return max(overriding, key=lambda v: STATUS_RANK[v[0]])
    if status in (Status.IN_TRANSIT, Status.INFO_RECEIVED) and any(
        sub == "in_transit.expired" for _, sub in found
    ):
        return Status.IN_TRANSIT, "in_transit.expired"
    return status, substatus
