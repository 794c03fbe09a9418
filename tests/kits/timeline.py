"""Shared helpers for the timeline tests: load JSON scenarios and run the adapter pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watcher.domain.models import ProviderEvent, Status, StoredEvent, Timeline, TimelineEvent
from watcher.timeline.classify import classify_text
from watcher.timeline.zones import resolve_time

DATA = Path(__file__).resolve().parents[1] / "timeline" / "data"


def load(name: str) -> Any:
    """One JSON file from tests/timeline/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def scenario_files() -> list[str]:
    """Every multi-provider scenario file."""
    return sorted(p.name for p in DATA.glob("scenario_*.json"))


def provider_event(raw: dict[str, Any]) -> ProviderEvent:
    """A ProviderEvent from a JSON object (naive times stay naive)."""
    return ProviderEvent(
        time=datetime.fromisoformat(raw["time"]),
        description=raw["description"],
        location=raw.get("location"),
        country=raw.get("country"),
        status=Status(raw["status"]) if raw.get("status") else None,
        substatus=raw.get("substatus"),
        raw_status=raw.get("raw_status"),
        tz_hint=raw.get("tz_hint"),
    )


def to_stored(provider: str, number: str, event: ProviderEvent) -> StoredEvent:
    """What the storage layer does with an adapter's event: resolve time, classify text."""
    when, assumption = resolve_time(event)
    status, substatus, unclassified = event.status, event.substatus, False
    found = classify_text(event.description)
    if status is None:
        status, unclassified = found.status, not found.matched
        substatus = substatus or found.substatus
    elif substatus is None and found.matched and found.status is status:
        substatus = found.substatus
    return StoredEvent(
        time=when,
        status=status,
        description=event.description,
        provider=provider,
        tracking_number=number,
        location=event.location,
        country=event.country,
        substatus=substatus,
        raw_status=event.raw_status,
        tz_assumption=assumption,
        unclassified=unclassified,
    )


def stored_events(scenario: dict[str, Any]) -> Iterator[StoredEvent]:
    """Every provider's and leg's events of a scenario, as stored events."""
    for feed in scenario["providers"]:
        for raw in feed["events"]:
            yield to_stored(feed["provider"], feed["tracking_number"], provider_event(raw))


def minute(moment: datetime | None) -> str | None:
    """UTC ISO time to the minute, as the scenario files write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ") if moment else None


def summary(event: TimelineEvent) -> dict[str, Any]:
    """The parts of a merged event the scenario files pin down."""
    return {
        "time": minute(event.time),
        "status": str(event.status),
        "substatus": event.substatus,
        "providers": list(event.providers),
        "flags": sorted(event.flags),
    }


def rebuild(timeline: Timeline) -> list[StoredEvent]:
    """Stored events rebuilt from a timeline: one per source, normalized fields from the merge."""
    return [
        StoredEvent(
            time=s.time or ev.time,
            status=ev.status,
            description=s.description,
            provider=s.provider,
            tracking_number=s.tracking_number,
            location=s.location,
            country=s.country,
            substatus=s.substatus,
            raw_status=s.raw_status,
            raw_description=s.raw_description,
            tz_assumption=s.tz_assumption,
            unclassified="unclassified" in ev.flags,
        )
        for ev in timeline.events
        for s in ev.sources
    ]
