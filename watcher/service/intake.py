"""What the poller accepts from a provider: event times and estimates inside the sane window.

A provider answering year 9999 (or year 1 with an offset) for one event would overflow the
timeline's arithmetic; that event is skipped and logged, and the rest of the answer is stored.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from watcher.domain.bounds import date_in_window, instant_in_window, window_text
from watcher.domain.models import TrackingResult

_LOGGER = logging.getLogger(__name__)


def sane_result(provider: str, result: TrackingResult, now: datetime) -> TrackingResult:
    """`result` without events or an estimate outside 2000-01-01 .. now + 2 years."""
    events = tuple(event for event in result.events if instant_in_window(event.time, now))
    estimate = result.estimated_delivery
    if estimate is not None and not date_in_window(estimate, now):
        _LOGGER.warning(
            "%s: %s gave a delivery estimate %s, not %s; ignored",
            result.tracking_number,
            provider,
            estimate.isoformat(),
            window_text(now),
        )
        estimate = None
    skipped = len(result.events) - len(events)
    if skipped:
        first = next(e.time for e in result.events if not instant_in_window(e.time, now))
        _LOGGER.warning(
            "%s: skipped %d event(s) from %s dated outside the sane window (e.g. %s); "
            "stored the other %d",
            result.tracking_number,
            skipped,
            provider,
            first.isoformat(),
            len(events),
        )
    if not skipped and estimate == result.estimated_delivery:
        return result
    return dataclasses.replace(result, events=events, estimated_delivery=estimate)
