"""Provider events made ready to store: time resolved to UTC, status classified from the text."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from watcher.domain.models import NormalizedEvent, ProviderEvent
from watcher.timeline.classify import Classification, classify_text
from watcher.timeline.zones import resolve_time


def normalize_event(event: ProviderEvent) -> NormalizedEvent:
    """The event with its time in UTC and, when the provider gave no status, one from its text."""
    time, assumption = resolve_time(event)
    status, substatus, unclassified = event.status, event.substatus, False
    if status is None:
        found = _classified(event.description)
        status, unclassified = found.status, not found.matched
        substatus = substatus or found.substatus
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


def normalize_events(events: Iterable[ProviderEvent]) -> list[NormalizedEvent]:
    """`normalize_event` of each event, in order."""
    return [normalize_event(event) for event in events]


@lru_cache(maxsize=8192)
def _classified(description: str) -> Classification:
    """`classify_text`, once per distinct description: every poll normalizes known events too,
    and carriers repeat their texts."""
    return classify_text(description)
