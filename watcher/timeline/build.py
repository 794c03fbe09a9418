"""One true timeline per parcel: merge, de-duplicate and order provider events. Pure, no I/O.

Rules (documented for users in README.md, "Status vocabulary and the timeline"), each in the
module that applies it:

* **Time zones** (`zones`): a time without offset is placed in the provider's, the country's or
  the location's zone, else UTC; the assumption is stored.
* **Same moment** and **order** (`merge`, with `similarity`, `vocabulary` and `ranks`): events
  of the same status, place and wording within 2 minutes, or a whole number of hours apart
  from different sources, are one moment; moments are ordered by time, rank, then text.
* **Current status** (`milestones`): decided by rule, not by the last event; late reports are
  flagged and ignored, real scans after a delivery are flagged "after_delivery"; a provider's
  overall verdict (exception, return, delivery, expired) that the events do not show wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from watcher.domain.models import DeliveryEstimate, StoredEvent, Timeline, TimelineEvent
from watcher.timeline.estimates import latest_estimate
from watcher.timeline.merge import merge
from watcher.timeline.milestones import Facts, apply_verdicts

__all__ = ["build_timeline"]

_FLAG_SETS: dict[tuple[str, ...], frozenset[str]] = {}


def _flag_set(flags: list[str], extra: str | None) -> frozenset[str]:
    """A shared frozenset for a flag combination (there are only a few)."""
    key = (*flags, extra) if extra else tuple(flags)
    found = _FLAG_SETS.get(key)
    if found is None:
        found = _FLAG_SETS.setdefault(key, frozenset(key))
    return found


def build_timeline(
    events: Iterable[StoredEvent],
    *,
    destination_country: str | None = None,
    estimates: Sequence[DeliveryEstimate] = (),
    verdicts: Mapping[str, Mapping[str, Any]] | None = None,
) -> Timeline:
    """Merge every provider's and leg's events into one ordered, de-duplicated timeline.

    `destination_country` (ISO-2) lets in-transit scans inside that country count as arrival
    and as real news after a delivery. `estimates` are all delivery estimates recorded; the
    most recently reported one becomes `Timeline.estimated_delivery`. `verdicts` are the
    providers' overall verdicts as stored (`shipments.verdicts`): they inform the current status.
    """
    destination = destination_country.upper() if destination_country else None
    facts = Facts(destination)
    timeline_events = []
    for m in merge(events, destination):
        flag = facts.late_or_after(m)
        facts.observe(m, flag)
        timeline_events.append(
            TimelineEvent(
                m.time,
                m.status,
                m.description,
                m.location,
                m.country,
                m.substatus,
                m.sources,
                _flag_set(m.flags, flag),
            )
        )
    status, substatus = apply_verdicts(
        *facts.current_status(), verdicts, has_events=bool(timeline_events)
    )
    return Timeline(
        events=tuple(timeline_events),
        status=status,
        substatus=substatus,
        milestones=facts.build_milestones(),
        moved_after_delivery=facts.moved,
        estimated_delivery=latest_estimate(estimates),
    )
