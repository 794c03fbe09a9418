"""Provider events made ready to store: time resolved to UTC, status classified from the text."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from watcher.domain.models import NormalizedEvent, ProviderEvent, Status
from watcher.timeline.classify import Classification, classify_text
from watcher.timeline.ranks import ORIGIN_SUBSTATUSES
from watcher.timeline.vocabulary import SUBSTATUS_ALIASES
from watcher.timeline.zones import Side, resolve_time

_ORIGIN_STATUSES = frozenset({Status.PENDING, Status.INFO_RECEIVED})
_DESTINATION_STATUSES = frozenset(
    {
        Status.CUSTOMS,
        Status.OUT_FOR_DELIVERY,
        Status.AVAILABLE_FOR_PICKUP,
        Status.ATTEMPT_FAILED,
        Status.DELIVERED,
    }
)


@lru_cache(maxsize=512)
def _side(status: Status, substatus: str | None) -> Side | None:
    """Which end of the journey a status happens at (for events without a place)."""
    if status in _ORIGIN_STATUSES:
        return "origin"
    if substatus is not None and SUBSTATUS_ALIASES.get(substatus, substatus) in ORIGIN_SUBSTATUSES:
        return "origin"
    if status in _DESTINATION_STATUSES:
        return "destination"
    return None


def normalize_event(
    event: ProviderEvent, *, origin: str | None = None, destination: str | None = None
) -> NormalizedEvent:
    """The event with its time in UTC and, when the provider gave no status, one from its text.

    `origin`/`destination` are the shipment's countries: they place wall times of events that
    name no place (see `zones.resolve_time`).
    """
    status, substatus, unclassified = event.status, event.substatus, False
    if status is None:
        found = _classified(event.description)
        status, unclassified = found.status, not found.matched
        substatus = substatus or found.substatus
    if event.time.tzinfo is not None or not (origin or destination):
        time, assumption = resolve_time(event)
    else:
        side = _side(status, substatus)
        time, assumption = resolve_time(event, origin=origin, destination=destination, side=side)
    return NormalizedEvent(
        time,
        status,
        substatus,
        event.description,
        event.location,
        event.country,
        event.raw_status,
        assumption,
        unclassified,
    )


def normalize_events(
    events: Iterable[ProviderEvent], *, origin: str | None = None, destination: str | None = None
) -> list[NormalizedEvent]:
    """`normalize_event` of each event, in order, with the shipment's countries."""
    return [normalize_event(e, origin=origin, destination=destination) for e in events]


@lru_cache(maxsize=8192)
def _classified(description: str) -> Classification:
    """`classify_text`, once per distinct description: every poll normalizes known events too,
    and carriers repeat their texts."""
    return classify_text(description)
