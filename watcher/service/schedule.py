"""When to poll a shipment next. Pure: every function is given "now"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from watcher.config import PollingConfig
from watcher.domain.models import PRE_SHIPMENT_STATUSES, Status

#: Statuses where the parcel is about to reach the owner: worth looking often.
LAST_MILE = frozenset({Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.ATTEMPT_FAILED})
#: Days without news that mean the parcel is on a long international leg (nothing to see for a while).
LONG_LEG_QUIET_DAYS = 3
NEAR_DEADLINE_DAYS = 7


def next_poll_at(
    now: datetime,
    *,
    status: Status,
    polling: PollingConfig,
    last_event_at: datetime | None = None,
    received_at: datetime | None = None,
    deadline: date | None = None,
) -> datetime | None:
    """Next poll after a successful one; None once the owner has the parcel and the grace is over."""
    if received_at is not None:
        grace_end = received_at + timedelta(days=polling.delivered_grace_days)
        return None if now >= grace_end else min(grace_end, now + hours(polling.interval_hours))
    return now + hours(poll_interval_hours(now, status=status, polling=polling, last_event_at=last_event_at, deadline=deadline))


def poll_interval_hours(
    now: datetime, *, status: Status, polling: PollingConfig, last_event_at: datetime | None, deadline: date | None
) -> float:
    """The adaptive interval: often near delivery or a deadline, rarely on long quiet legs."""
    if status in LAST_MILE:
        return polling.out_for_delivery_interval_hours
    if deadline is not None and (deadline - now.date()).days <= NEAR_DEADLINE_DAYS:
        return polling.near_deadline_interval_hours
    if status in PRE_SHIPMENT_STATUSES:
        return polling.pre_shipment_interval_hours
    if status == Status.IN_TRANSIT and last_event_at and now - last_event_at > timedelta(days=LONG_LEG_QUIET_DAYS):
        return polling.long_leg_interval_hours
    return polling.interval_hours


def hours(value: float) -> timedelta:
    return timedelta(hours=value)
