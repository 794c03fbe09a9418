"""Delivery estimates: the one to show, and the history of changes per source. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from watcher.domain.models import DeliveryEstimate

__all__ = ["latest_estimate", "track_estimate"]

_EPOCH = datetime.min.replace(tzinfo=UTC)


def latest_estimate(estimates: Iterable[DeliveryEstimate]) -> DeliveryEstimate | None:
    """The most recently reported estimate (unknown report times count as oldest)."""
    return max(
        estimates,
        key=lambda e: (e.reported_at is not None, e.reported_at or _EPOCH, e.date, e.source),
        default=None,
    )


def track_estimate(
    previous: Sequence[DeliveryEstimate], new: DeliveryEstimate
) -> tuple[list[DeliveryEstimate], bool]:
    """Append a new estimate to the history; also say whether it moved later for its source.

    An estimate equal in date to the same source's last one is not recorded again. Sources
    are compared only with themselves: a seller's promise and a carrier's estimate differ
    without anything having moved.
    """
    history = list(previous)
    last = next((e for e in reversed(history) if e.source == new.source), None)
    if last is not None and last.date == new.date:
        return history, False
    history.append(new)
    return history, last is not None and new.date > last.date
