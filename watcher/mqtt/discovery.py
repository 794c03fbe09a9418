"""Home Assistant MQTT discovery messages: pure functions of the parcels, "now" and the settings.

Every message is retained, so Home Assistant finds the sensors and their last states after its
own restart. A parcel's sensor is removed by an empty retained config (and its states cleared).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from watcher.domain.timefmt import jsonable
from watcher.mqtt.snapshot import ARRIVING, ParcelState

#: The summary sensors: key, name, icon.
SUMMARIES = (
    ("needing_action", "Parcels needing action", "mdi:alert-circle-outline"),
    ("arriving_today", "Parcels arriving today", "mdi:truck-delivery-outline"),
    ("delivered_today", "Parcels delivered today", "mdi:package-variant-closed-check"),
)
#: Alert actions that ask nothing of the owner yet.
NO_ACTION = frozenset({"wait"})
#: Severities that count as "needing action".
ACTION_SEVERITIES = frozenset({"warning", "critical"})


@dataclass(frozen=True, slots=True)
class Topics:
    """Where things are published: discovery under `prefix`, states under `base`."""

    prefix: str = "homeassistant"
    base: str = "watcher"

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    def parcel_config(self, number: str) -> str:
        return f"{self.prefix}/sensor/{self.base}/{object_id(number)}/config"

    def parcel_state(self, number: str) -> str:
        return f"{self.base}/parcel/{object_id(number)}/state"

    def parcel_attributes(self, number: str) -> str:
        return f"{self.base}/parcel/{object_id(number)}/attributes"

    def summary_config(self, key: str) -> str:
        return f"{self.prefix}/sensor/{self.base}/{key}/config"

    def summary_state(self, key: str) -> str:
        return f"{self.base}/summary/{key}"

    @property
    def config_filter(self) -> str:
        """Every parcel config of ours (to find the ones left from an earlier run)."""
        return f"{self.prefix}/sensor/{self.base}/+/config"


def object_id(number: str) -> str:
    """A topic- and entity-safe id for a tracking number: `parcel_lp00123456789012`."""
    return "parcel_" + re.sub(r"[^a-z0-9_]", "_", number.lower())


def device(base: str) -> dict[str, object]:
    return {"identifiers": [base], "name": "Parcel watcher", "manufacturer": "watcher"}


def parcel_messages(parcel: ParcelState, topics: Topics) -> dict[str, str]:
    """The config, state and attributes of one parcel's sensor."""
    number = parcel.tracking_number
    config = {
        "name": parcel.label or number,
        "unique_id": f"{topics.base}_{object_id(number)}",
        "object_id": f"{topics.base}_{object_id(number)}",
        "state_topic": topics.parcel_state(number),
        "json_attributes_topic": topics.parcel_attributes(number),
        "availability_topic": topics.availability,
        "icon": "mdi:package-variant",
        "device": device(topics.base),
    }
    return {
        topics.parcel_config(number): _json(config),
        topics.parcel_state(number): parcel.status,
        topics.parcel_attributes(number): _json(parcel_attributes(parcel)),
    }


def parcel_attributes(parcel: ParcelState) -> dict[str, object]:
    """The attributes a dashboard shows next to the status."""
    return {
        "tracking_number": parcel.tracking_number,
        "label": parcel.label,
        "substatus": parcel.substatus,
        "next_action": parcel.next_action,
        "severity": parcel.severity,
        "problem": parcel.problem,
        "act_by": _iso(parcel.act_by),
        "estimate": _iso(parcel.estimate),
        "last_event": parcel.last_event,
        "last_event_at": _iso(parcel.last_event_at),
        "last_event_location": parcel.last_event_location,
    }


def summary_counts(parcels: Iterable[ParcelState], now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Parcels needing action, arriving today and delivered today (in the owner's time zone)."""
    today = now.astimezone(tz).date()
    counts = dict.fromkeys((key for key, _, _ in SUMMARIES), 0)
    for parcel in parcels:
        if parcel.severity in ACTION_SEVERITIES and parcel.next_action not in NO_ACTION:
            counts["needing_action"] += 1
        delivered_day = _local_day(parcel.received_at, tz) or (
            _local_day(parcel.last_event_at, tz) if parcel.status == "delivered" else None
        )
        if delivered_day == today:
            counts["delivered_today"] += 1
        elif parcel.received_at is None and (
            parcel.status in ARRIVING or (parcel.estimate == today and parcel.status != "delivered")
        ):
            counts["arriving_today"] += 1
    return counts


def summary_messages(counts: dict[str, int], topics: Topics) -> dict[str, str]:
    """The summary sensors' configs and states."""
    messages: dict[str, str] = {}
    for key, name, icon in SUMMARIES:
        config = {
            "name": name,
            "unique_id": f"{topics.base}_{key}",
            "object_id": f"{topics.base}_{key}",
            "state_topic": topics.summary_state(key),
            "availability_topic": topics.availability,
            "unit_of_measurement": "parcels",
            "state_class": "measurement",
            "icon": icon,
            "device": device(topics.base),
        }
        messages[topics.summary_config(key)] = _json(config)
        messages[topics.summary_state(key)] = str(counts[key])
    return messages


def all_messages(
    parcels: Sequence[ParcelState], now: datetime, tz: ZoneInfo, topics: Topics
) -> dict[str, str]:
    """Every retained message that describes the current state (topic -> payload)."""
    messages: dict[str, str] = {}
    for parcel in parcels:
        messages.update(parcel_messages(parcel, topics))
    messages.update(summary_messages(summary_counts(parcels, now, tz), topics))
    return messages


def removals(published: Iterable[str], current: dict[str, str], topics: Topics) -> dict[str, str]:
    """Empty retained payloads for parcels no longer shown (archived): Home Assistant drops them.

    `published` holds the parcel config topics seen on the broker or sent earlier.
    """
    gone: dict[str, str] = {}
    for topic in published:
        if topic in current or not topic.endswith("/config"):
            continue
        oid = topic.rsplit("/", 2)[-2]
        if not oid.startswith("parcel_"):
            continue
        gone[topic] = ""
        gone[f"{topics.base}/parcel/{oid}/state"] = ""
        gone[f"{topics.base}/parcel/{oid}/attributes"] = ""
    return gone


def _local_day(value: datetime | None, tz: ZoneInfo) -> date | None:
    return value.astimezone(tz).date() if value is not None else None


def _iso(value: date | datetime | None) -> str | None:
    """Dates as YYYY-MM-DD, instants in the one `--json` form (whole seconds, "Z")."""
    return jsonable(value)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
