"""Domain types shared by every layer. Frozen dataclasses, no ORM, no I/O.

The status vocabulary, alert kinds, actions and severities are promises to users and their
scripts (they appear in `--json` output): extend them, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    """watcher's normalized tracking status vocabulary (documented in the README)."""

    PENDING = "pending"  # no tracking information yet
    INFO_RECEIVED = "info_received"  # label created / seller announced the parcel, not handed over
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    ATTEMPT_FAILED = "attempt_failed"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"


#: Statuses after which the parcel will not move forward by itself.
TERMINAL_STATUSES = frozenset({Status.DELIVERED, Status.RETURNED})
#: Statuses that mean the parcel has not been handed to a carrier yet.
PRE_SHIPMENT_STATUSES = frozenset({Status.PENDING, Status.INFO_RECEIVED})


class Severity(StrEnum):
    """How urgent an alert is. Ordered: info < warning < critical."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Action(StrEnum):
    """The one primary thing an alert asks the owner to do."""

    WAIT = "wait"
    CONTACT_SELLER = "contact_seller"
    OPEN_DISPUTE = "open_dispute"
    ESCALATE_DISPUTE = "escalate_dispute"
    CONTACT_COURIER = "contact_courier"
    FILE_COURIER_CLAIM = "file_courier_claim"
    COLLECT_PARCEL = "collect_parcel"
    CONFIRM_RECEIPT = "confirm_receipt"
    CHECK_PROVIDER = "check_provider"  # watcher's own blind spot: a provider keeps failing
    CONTACT_SUPPORT = "contact_support"  # the dispute window closed: only platform support is left
    REQUEST_CHARGEBACK = "request_chargeback"  # card chargeback or PayPal claim, the last resort


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """One tracking event exactly as an adapter understood it.

    `time` is aware when the provider gave an offset; naive when it gave local time only. Then
    `timeline.zones.resolve_time` places it from `tz_hint` (a zone the provider states or
    documents, an IANA name), the place (`country`, `region`, `location`), `home_country` (the
    provider's or service's home) and the shipment's countries. Adapters never pick zones.
    `status` is None when the provider gave no usable code: the timeline classifies the text.
    """

    time: datetime
    description: str
    location: str | None = None
    country: str | None = None  # ISO 3166 alpha-2 where known
    status: Status | None = None
    substatus: str | None = None
    raw_status: str | None = None  # the provider's own code(s), kept for `show --raw`
    tz_hint: str | None = None
    region: str | None = None  # state, province or city, when the provider gives it apart
    home_country: str | None = None  # ISO alpha-2 of the provider's or service's home


@dataclass(frozen=True, slots=True)
class Verdict:
    """A provider's overall verdict on a number, which its events may not repeat.

    17TRACK's `latest_status` (e.g. Exception), AfterShip's tag of a tracking without
    checkpoints (Expired: the provider gave up), Cainiao's status-less module (unknown number).
    Stored per number in `shipments.verdicts`; the timeline lets it inform the current status.
    """

    status: Status
    substatus: str | None = None
    raw: str | None = None  # the provider's own words, e.g. "Exception/Exception_Other"


@dataclass(frozen=True, slots=True)
class TrackingResult:
    """What one provider knows about one tracking number right now."""

    tracking_number: str
    events: tuple[ProviderEvent, ...] = ()
    found: bool = True
    estimated_delivery: date | None = None
    carrier: str | None = None
    #: Follow-on numbers (destination post) reported by the provider: polled as further legs.
    follow_on_numbers: tuple[str, ...] = ()
    raw_status: str | None = None
    #: The provider's overall verdict, when it gives one apart from the events.
    verdict: Verdict | None = None
    #: Countries the provider states for the shipment (ISO alpha-2): context for event times.
    origin_country: str | None = None
    destination_country: str | None = None


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the parcel should arrive."""

    country: str | None = None
    city: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A provider event as stored: time resolved to UTC, provider and leg known."""

    time: datetime  # aware, UTC
    status: Status
    description: str
    provider: str
    tracking_number: str
    location: str | None = None
    country: str | None = None
    substatus: str | None = None
    raw_status: str | None = None
    raw_description: str | None = None
    tz_assumption: str | None = None  # set when the offset was not given by the provider
    unclassified: bool = False  # status fell back because the text was not recognised


class NormalizedEvent(NamedTuple):
    """A provider event ready to store: time resolved to UTC, status known (classified if need be).

    A NamedTuple rather than a frozen dataclass: one is built for every polled event, known ones
    included, and its constructor costs half as much (bench/RESULTS.md, throughput).
    """

    time: datetime  # aware, UTC
    status: Status
    substatus: str | None
    description: str
    location: str | None
    country: str | None
    raw_status: str | None
    tz_assumption: str | None  # set when the offset was not given by the provider
    unclassified: bool  # status fell back because the text was not recognised


@dataclass(frozen=True, slots=True)
class EventSource:
    """One provider's report of a merged timeline event."""

    provider: str
    tracking_number: str
    description: str
    raw_status: str | None = None
    time: datetime | None = None
    #: The provider's untranslated text, when it differs from `description`.
    raw_description: str | None = None
    location: str | None = None
    country: str | None = None
    #: The zone assumed to place `time` in UTC (None when the provider gave an offset).
    tz_assumption: str | None = None
    #: This provider's own sub-status reading (the merged event keeps the most specific one).
    substatus: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One moment in a parcel's merged timeline."""

    time: datetime  # aware, UTC
    status: Status
    description: str
    location: str | None = None
    country: str | None = None
    substatus: str | None = None
    sources: tuple[EventSource, ...] = ()
    flags: frozenset[str] = frozenset()  # e.g. "unclassified", "tz_assumed", "after_delivery"

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.provider for s in self.sources))


@dataclass(frozen=True, slots=True)
class Milestones:
    """Key moments derived from a timeline (None when not reached)."""

    accepted: datetime | None = None
    departed_origin: datetime | None = None
    arrived_destination: datetime | None = None
    customs_cleared: datetime | None = None
    out_for_delivery: datetime | None = None
    first_delivered: datetime | None = None
    last_delivered: datetime | None = None
    returned: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryEstimate:
    """A delivery date promised or estimated by one source, and when it was reported."""

    date: date
    source: str  # e.g. a provider name or "seller"
    reported_at: datetime | None = None  # aware, UTC


@dataclass(frozen=True, slots=True)
class Timeline:
    """A parcel's one true timeline: merged, de-duplicated, ordered, with derived facts."""

    events: tuple[TimelineEvent, ...] = ()
    status: Status = Status.PENDING
    substatus: str | None = None
    milestones: Milestones = field(default_factory=Milestones)
    #: True when real scans arrived after a delivery event (a delivery anomaly).
    moved_after_delivery: bool = False
    #: The most recently reported delivery estimate, if any source gave one.
    estimated_delivery: DeliveryEstimate | None = None

    @property
    def last_event(self) -> TimelineEvent | None:
        return self.events[-1] if self.events else None

    @property
    def last_event_at(self) -> datetime | None:
        return self.events[-1].time if self.events else None


@dataclass(frozen=True, slots=True)
class Leg:
    """A follow-on tracking number of a shipment (destination post after a hand-over)."""

    tracking_number: str
    added_at: datetime  # aware, UTC: when watcher learnt the number


@dataclass(frozen=True, slots=True)
class ShipmentView:
    """What rules need to know about a shipment (a read-only snapshot of the stored row)."""

    tracking_number: str
    label: str | None = None
    marketplace: str = "aliexpress"
    order_id: str | None = None
    ordered_at: date | None = None
    protection_ends: date | None = None
    max_delivery_days: int | None = None
    destination: Destination = field(default_factory=Destination)
    created_at: datetime | None = None
    received_at: datetime | None = None
    not_received_at: datetime | None = None
    archived: bool = False
    insured: bool = False
    #: Follow-on numbers; rules see from the timeline's sources whether a leg has reported yet.
    legs: tuple[Leg, ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.label} ({self.tracking_number})" if self.label else self.tracking_number


@dataclass(frozen=True, slots=True)
class Alert:
    """A problem a rule found, with the one thing to do about it and by when.

    `key` identifies the problem on this shipment: the same key across cycles is the same alert
    (updated, not re-sent); a changed `state_key` is an escalation worth a new message.
    """

    tracking_number: str
    kind: str
    action: Action
    severity: Severity
    message: str
    act_by: date | None = None
    key: str = ""
    evidence: tuple[str, ...] = ()

    @property
    def alert_key(self) -> str:
        return self.key or self.kind

    @property
    def state_key(self) -> str:
        """What must change for the owner to hear about this alert again."""
        act_by = self.act_by.isoformat() if self.act_by else "-"
        return f"{self.severity}|{self.action}|{act_by}"
