"""When to poll a shipment next, and how long to leave a failing provider alone.

Pure: every function is given "now", and any jitter is drawn by the caller. Parcels whose
providers push their news (webhooks) are polled only as a safety net (`push_safety_net`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from watcher.config import PollingConfig, PushConfig, Settings
from watcher.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from watcher.domain.models import PRE_SHIPMENT_STATUSES, Status
from watcher.rules.providers import AUTH_REASON_PREFIX
from watcher.service.routing import providers_for

#: Statuses where the parcel is about to reach the owner: worth looking often.
LAST_MILE = frozenset({Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.ATTEMPT_FAILED})
#: Days without news that mean the parcel is on a long international leg (nothing to see for a while).
LONG_LEG_QUIET_DAYS = 3
NEAR_DEADLINE_DAYS = 7
#: A shipment's first retry after a failed poll; each further failure doubles it.
FAILED_POLL_BASE = timedelta(minutes=1)
#: How long a provider whose key was rejected is left alone before one more try.
AUTH_PAUSE = timedelta(hours=6)
#: Longest pause of a provider that keeps failing for other reasons.
PROVIDER_BACKOFF_CAP = timedelta(hours=1)


def next_poll_at(
    now: datetime,
    *,
    status: Status,
    polling: PollingConfig,
    last_event_at: datetime | None = None,
    received_at: datetime | None = None,
    deadline: date | None = None,
    pushed_at: datetime | None = None,
    push: PushConfig | None = None,
) -> datetime | None:
    """Next poll after a successful one; None once the owner has the parcel and the grace is over.

    `pushed_at`: the last push for a parcel whose providers all push (see `push_safety_net`).
    """
    if received_at is not None:
        grace_end = received_at + timedelta(days=polling.delivered_grace_days)
        return None if now >= grace_end else min(grace_end, now + hours(polling.interval_hours))
    interval = poll_interval_hours(
        now, status=status, polling=polling, last_event_at=last_event_at, deadline=deadline
    )
    return push_safety_net(now, now + hours(interval), pushed_at=pushed_at, push=push)


def push_safety_net(
    now: datetime,
    next_poll: datetime | None,
    *,
    pushed_at: datetime | None,
    push: PushConfig | None,
) -> datetime | None:
    """A parcel pushed recently is polled only as a safety net: never before `safety_net_hours`.

    Pushes come only when there is news, so a parcel counts as pushed for `trust_days` after
    its last push; after that (pushes stopped or never came again) the adaptive schedule is back.
    A `next_poll` of None (polling over) stays None.
    """
    if next_poll is None or pushed_at is None or push is None:
        return next_poll
    if now - pushed_at > timedelta(days=push.trust_days):
        return next_poll
    return max(next_poll, now + hours(push.safety_net_hours))


def push_providers(settings: Settings) -> frozenset[str]:
    """Providers whose webhooks are set up: 17TRACK signs with its API key, AfterShip with a secret."""
    names = set()
    if (settings.providers.get("17track") or {}).get("api_key"):
        names.add("17track")
    if settings.push.aftership_secret is not None:
        names.add("aftership")
    return frozenset(names)


def pushed_at(row: Any, settings: Settings) -> datetime | None:
    """The row's last push, when every provider asked about it pushes (else polling stays as is).

    A parcel also asked of a provider that cannot push (Cainiao, DHL) keeps its adaptive polling:
    that provider's news would otherwise wait for the safety net.
    """
    if row.last_push_at is None:
        return None
    names = providers_for(row, settings)
    covered = push_providers(settings)
    return row.last_push_at if names and all(name in covered for name in names) else None


def poll_interval_hours(
    now: datetime,
    *,
    status: Status,
    polling: PollingConfig,
    last_event_at: datetime | None,
    deadline: date | None,
) -> float:
    """The adaptive interval: often near delivery or a deadline, rarely on long quiet legs."""
    if status in LAST_MILE:
        return polling.out_for_delivery_interval_hours
    if deadline is not None and (deadline - now.date()).days <= NEAR_DEADLINE_DAYS:
        return polling.near_deadline_interval_hours
    if status in PRE_SHIPMENT_STATUSES:
        return polling.pre_shipment_interval_hours
    if (
        status == Status.IN_TRANSIT
        and last_event_at
        and now - last_event_at > timedelta(days=LONG_LEG_QUIET_DAYS)
    ):
        return polling.long_leg_interval_hours
    return polling.interval_hours


def next_poll_after_failure(
    now: datetime,
    failures: int,
    *,
    polling: PollingConfig,
    retry_after: float | None,
    jitter: float,
) -> datetime:
    """Next poll of a shipment after `failures` failed polls in a row (see `failed_poll_delay`)."""
    seconds = failed_poll_delay(
        failures,
        base=FAILED_POLL_BASE.total_seconds(),
        cap=hours(polling.max_backoff_hours).total_seconds(),
        retry_after=retry_after,
        jitter=jitter,
    )
    return now + timedelta(seconds=seconds)


def next_look_after_failure(now: datetime, failures: int, *, polling: PollingConfig) -> datetime:
    """When to evaluate again a parcel whose evaluation failed `failures` times in a row.

    The same doubling as a failed poll, from FAILED_POLL_BASE up to `max_backoff_hours`: a
    passing glitch is retried soon, a parcel that always fails costs little.
    """
    seconds = failed_poll_delay(
        failures,
        base=FAILED_POLL_BASE.total_seconds(),
        cap=hours(polling.max_backoff_hours).total_seconds(),
    )
    return now + timedelta(seconds=seconds)


def failed_poll_delay(
    failures: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    jitter: float = 0.0,
) -> float:
    """Seconds until a shipment is polled again after `failures` consecutive failures.

    `base` is the normal interval (failures=0); each failure doubles it up to `cap`. `jitter`
    is a caller-drawn fraction added on top (e.g. `random.uniform(0, 0.1)`), still within `cap`.
    A provider's `retry_after` is a floor: we never ask earlier than it said, even above `cap`.
    """
    delay = min(cap, base * 2 ** min(max(0, failures), 64))  # 2**failures overflows a float
    delay = min(cap, delay * (1 + max(0.0, jitter)))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def provider_pause(
    error: ProviderError | None, failures: int, now: datetime
) -> tuple[datetime | None, str | None]:
    """Until when to leave a failing provider alone, and why.

    A rejected key waits hours (the owner must act); a rate limit waits what the provider asked;
    an outage backs off exponentially (1 min, 2, 4, ... capped at PROVIDER_BACKOFF_CAP). A bad
    answer about one batch pauses nothing: that batch is skipped and its shipments back off.
    """
    if isinstance(error, ProviderAuthError):
        return now + AUTH_PAUSE, AUTH_REASON_PREFIX + error.detail
    if isinstance(error, ProviderRateLimited) and error.retry_after:
        return now + timedelta(seconds=error.retry_after), "rate limited"
    if not isinstance(error, ProviderUnavailable):
        return None, None
    cap = PROVIDER_BACKOFF_CAP.total_seconds()
    delay = failed_poll_delay(max(0, failures - 1), base=60, cap=cap)
    return now + timedelta(seconds=delay), f"backing off after {failures} failures"


def hours(value: float) -> timedelta:
    """`value` hours as a timedelta."""
    return timedelta(hours=value)
