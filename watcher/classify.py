"""Classify tracking-event text into the status vocabulary (minimal first cut)."""

from __future__ import annotations

from dataclasses import dataclass

from watcher.models import Status


@dataclass(frozen=True, slots=True)
class Classification:
    status: Status
    substatus: str | None = None
    matched: bool = True


_PHRASES: tuple[tuple[str, Status, str | None], ...] = (
    ("returned to sender", Status.RETURNED, None),
    ("return to sender", Status.RETURNING, None),
    ("out for delivery", Status.OUT_FOR_DELIVERY, None),
    ("delivery attempt", Status.ATTEMPT_FAILED, None),
    ("available for pickup", Status.AVAILABLE_FOR_PICKUP, None),
    ("held by customs", Status.CUSTOMS, "customs.held"),
    ("customs", Status.CUSTOMS, None),
    ("delivered", Status.DELIVERED, None),
    ("label created", Status.INFO_RECEIVED, None),
    ("information received", Status.INFO_RECEIVED, None),
)


def classify_text(text: str) -> Classification:
    lowered = text.casefold()
    for phrase, status, sub in _PHRASES:
        if phrase in lowered:
            return Classification(status, sub)
    return Classification(Status.IN_TRANSIT, None, matched=False)
