"""How parcels are ordered and summed up on the pages: most urgent first, one next action each. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from watcher.rules.advice import ACTION_WORDS

#: Open alerts first by severity; without one, statuses that need the owner soonest come first.
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
STATUS_RANK = {
    status: rank
    for rank, status in enumerate(
        (
            "available_for_pickup",
            "attempt_failed",
            "exception",
            "out_for_delivery",
            "returning",
            "customs",
            "in_transit",
            "info_received",
            "pending",
            "returned",
            "delivered",
        )
    )
}

#: Button and list words for each action (the CLI's, from `watcher.rules.advice`).
ACTION_TEXT: dict[str, str] = {str(action): words for action, words in ACTION_WORDS.items()}


@dataclass(frozen=True, slots=True)
class ParcelLine:
    """One parcel on the list page."""

    tracking_number: str
    label: str | None
    status: str
    substatus: str | None
    last_event_at: Any
    action: str | None  # the most urgent open alert's action, None without one
    act_by: date | None
    severity: str | None
    message: str | None
    alerts: int
    received: bool
    archived: bool

    @property
    def action_text(self) -> str:
        if self.received:
            return "Received"
        return ACTION_TEXT.get(self.action or "", self.action or "Nothing to do")


def most_urgent(alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The alert to act on first: highest severity, then the earliest act_by."""
    if not alerts:
        return None
    return min(alerts, key=lambda a: (SEVERITY_RANK.get(a["severity"], 3), _day_key(a["act_by"])))


def urgency_key(line: ParcelLine) -> tuple[Any, ...]:
    """Sort key: archived and received last; open alerts by severity and act_by; then status."""
    done = line.archived or line.received
    return (
        done,
        SEVERITY_RANK.get(line.severity or "", 3),
        _day_key(line.act_by),
        STATUS_RANK.get(line.status, len(STATUS_RANK)),
        line.tracking_number,
    )


def _day_key(day: date | str | None) -> str:
    """Dates sort as ISO text; no date sorts after every date."""
    if day is None:
        return "9999-12-31"
    return day if isinstance(day, str) else day.isoformat()


def sort_by_urgency(lines: list[ParcelLine]) -> list[ParcelLine]:
    return sorted(lines, key=urgency_key)
