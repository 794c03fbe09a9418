"""17TRACK Tracking API v2.x adapter: register numbers, then read every carrier leg's events."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from watcher.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
)
from watcher.domain.models import ProviderEvent, TrackingResult, Verdict
from watcher.domain.numbers import number_in_field
from watcher.providers.base import (
    HttpProvider,
    ProviderConfig,
    as_dict,
    as_list,
    parse_country,
    parse_date,
    parse_datetime,
    parse_offset,
    text,
)
from watcher.providers.seventeentrack.statuses import STAGE_MAP, STATUS_MAP, SUBSTATUS_MAP
from watcher.providers.statuses import Mapped, lookup
from watcher.timeline.zones import country_from_location

NAME = "17track"

# Request-level (envelope) codes that mean the key or account is unusable.
AUTH_CODES = frozenset({-18010001, -18010002, -18010004, -18010005})
INTERNAL_ERROR = -18010003  # "internal service error, retry later"
QUOTA_CODES = frozenset({-18019907, -18019908})  # daily limit / quota exhausted
# Per-number codes.
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902


class SeventeenTrackConfig(ProviderConfig):
    """`[providers.17track]` keys."""

    #: Optional 17TRACK carrier code sent with `register` (auto-detected when absent).
    carrier: int | None = Field(default=None, gt=0)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A 17TRACK response split into accepted items and rejections by number."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: dict[str, tuple[int | None, str]] = field(default_factory=dict)


def build_numbers_body(numbers: Sequence[str], carrier: int | None = None) -> list[dict[str, Any]]:
    """The JSON array body of `register` / `gettrackinfo`."""
    return [{"number": n, **({"carrier": carrier} if carrier else {})} for n in numbers]


def parse_envelope(data: Any, provider: str = NAME) -> Envelope:
    """Check the request-level `code` and split `data` into accepted and rejected items."""
    if not isinstance(data, dict) or "code" not in data:
        raise ProviderResponseError(provider, "response has no 17TRACK envelope")
    code = data.get("code")
    if code != 0:
        message = f"request failed with code {code}"
        if code in AUTH_CODES:
            raise ProviderAuthError(provider, message + " (key or account rejected)")
        if code == INTERNAL_ERROR:
            raise ProviderUnavailable(provider, message + " (internal error)")
        if code in QUOTA_CODES:
            raise ProviderRateLimited(provider, message + " (quota exhausted)")
        raise ProviderResponseError(provider, message)
    body = as_dict(data.get("data"))
    accepted = [item for item in as_list(body.get("accepted")) if isinstance(item, dict)]
    rejected: dict[str, tuple[int | None, str]] = {}
    for item in as_list(body.get("rejected")):
        if isinstance(item, dict) and text(item.get("number")):
            rejected[str(item["number"]).upper()] = _rejection(item)
    return Envelope(accepted, rejected)


def _rejection(item: dict[str, Any]) -> tuple[int | None, str]:
    """(code, message) of a rejected item; nested `error` or flat `error_code` both occur."""
    error = as_dict(item.get("error"))
    code = error.get("code", item.get("error_code"))
    message = error.get("message", item.get("error_message")) or ""
    return (code if isinstance(code, int) else None, str(message))


def parse_time_raw(raw: Any) -> datetime | None:
    """`time_raw` ({"date", "time", "timezone"}): aware with a timezone, else naive wall time."""
    raw = as_dict(raw)
    day = text(raw.get("date"))
    if day is None:
        return None
    clock = text(raw.get("time")) or "00:00"
    moment = parse_datetime(f"{day}T{clock}")
    if moment is None:
        return None
    zone = parse_offset(raw.get("timezone"))
    return moment.replace(tzinfo=zone) if zone is not None and moment.tzinfo is None else moment


def parse_event_time(event: dict[str, Any]) -> datetime | None:
    """`time_utc` (aware), else `time_iso` (naive without offset), else `time_raw`.

    Observed: an event may carry only `time_raw`; a delivered event arrived that way.
    """
    utc = parse_datetime(event.get("time_utc"))
    if utc is not None:
        return utc if utc.tzinfo else utc.replace(tzinfo=UTC)
    return parse_datetime(event.get("time_iso")) or parse_time_raw(event.get("time_raw"))


def map_event(sub_status: str | None, stage: str | None) -> Mapped:
    """An event's status: a specific sub-status, else the `stage`, else a generic sub-status.

    Events often carry `stage` and no `sub_status`; a generic "InTransit_Other" says less than a
    stage such as "InfoReceived" (a label, not yet in transit).
    """
    by_sub = SUBSTATUS_MAP.get(sub_status) if sub_status else None
    if by_sub is not None and by_sub[1] is not None:
        return by_sub
    by_stage = STAGE_MAP.get(stage) if stage else None
    if by_stage is not None:
        return by_stage
    if by_sub is not None:
        return by_sub
    if sub_status:
        return lookup(NAME, "sub_status", SUBSTATUS_MAP, sub_status)
    return lookup(NAME, "stage", STAGE_MAP, stage)


def parse_event(event: dict[str, Any], home_country: str | None = None) -> ProviderEvent | None:
    """One tracking event, or None when it has no usable time.

    Written for speed (~15 events per number, every poll): `text()` inlined for the usual
    string values; results are the same as through the helper.
    """
    when = parse_event_time(event)
    if when is None:
        return None
    sub_status = event.get("sub_status")
    sub_status = sub_status.strip() or None if type(sub_status) is str else text(sub_status)
    stage = event.get("stage")
    stage = stage.strip() or None if type(stage) is str else text(stage)
    status, substatus = map_event(sub_status, stage)
    address = event.get("address")
    if not isinstance(address, dict):
        address = {}
    description = event.get("description")
    description = description.strip() if type(description) is str else text(description)
    location = event.get("location")
    location = location.strip() or None if type(location) is str else text(location)
    country = address.get("country")
    return ProviderEvent(
        time=when,
        description=description or sub_status or stage or "",
        location=location or text(address.get("city")),
        # Observed: `address.country` null while `location` says "Germany".
        country=parse_country(country) or country_from_location(location),
        status=status,
        substatus=substatus,
        raw_status=sub_status or stage,
        region=text(address.get("state")),
        home_country=home_country,
    )


def _map(sub_status: str | None, main_status: str | None) -> Mapped:
    """Sub-status first (finer), the main status when the sub-status is unknown."""
    mapped = lookup(NAME, "sub_status", SUBSTATUS_MAP, sub_status)
    if mapped[0] is None and main_status:
        return lookup(NAME, "status", STATUS_MAP, main_status)
    return mapped


def parse_verdict(latest: dict[str, Any]) -> Verdict | None:
    """17TRACK's overall verdict (`latest_status`): information the events may not repeat."""
    status, sub_status = text(latest.get("status")), text(latest.get("sub_status"))
    if status is None and sub_status is None:
        return None
    mapped = _map(sub_status, status)
    if mapped[0] is None:
        return None
    return Verdict(mapped[0], mapped[1], "/".join(filter(None, (status, sub_status))))


def parse_track_item(item: dict[str, Any], *, skip: Any = None) -> TrackingResult:
    """One accepted `gettrackinfo` item: events from every carrier leg, the verdict kept."""
    number = str(item.get("number", "")).upper()
    info = as_dict(item.get("track_info"))
    legs = [as_dict(p) for p in as_list(as_dict(info.get("tracking")).get("providers"))]
    events: list[ProviderEvent] = []
    for leg in legs:
        home = parse_country(as_dict(leg.get("provider")).get("country"))
        for raw in as_list(leg.get("events")):
            event = parse_event(raw, home) if isinstance(raw, dict) else None
            if event is None:
                if skip:
                    skip(number, raw)
                continue
            events.append(event)
    latest = as_dict(info.get("latest_status"))
    carrier = next(
        (text(as_dict(leg.get("provider")).get("name")) for leg in legs if leg.get("provider")),
        None,
    )
    estimate = as_dict(as_dict(info.get("time_metrics")).get("estimated_delivery_date"))
    shipping = as_dict(info.get("shipping_info"))
    misc = as_dict(info.get("misc_info"))
    local = number_in_field(misc.get("local_number"))
    return TrackingResult(
        tracking_number=number,
        events=tuple(events),
        found=True,
        # The latest end of the window: the date after which "late" is fair to say.
        estimated_delivery=parse_date(estimate.get("to")) or parse_date(estimate.get("from")),
        carrier=carrier or (str(item["carrier"]) if item.get("carrier") else None),
        follow_on_numbers=(local,) if local and local != number else (),
        raw_status=text(latest.get("sub_status")) or text(latest.get("status")),
        verdict=parse_verdict(latest),
        origin_country=parse_country(as_dict(shipping.get("shipper_address")).get("country")),
        destination_country=parse_country(
            as_dict(shipping.get("recipient_address")).get("country")
        ),
    )


class SeventeenTrackProvider(HttpProvider):
    """17TRACK: paid, broad carrier coverage; numbers must be registered before reading."""

    name = NAME
    batch_size = 40
    default_base_url: ClassVar[str] = "https://api.17track.net/track/v2.2"
    config_model: ClassVar[type[ProviderConfig]] = SeventeenTrackConfig
    default_requests_per_second: ClassVar[float | None] = 3.0

    def __init__(
        self,
        config: ProviderConfig,
        *,
        name: str | None = None,
        config_dir: Path | None = None,
    ) -> None:
        super().__init__(config, name=name, config_dir=config_dir)
        # Numbers registered by this process, found already registered, or answered in an
        # earlier run (`remember_answered`): they are read without a `register` request.
        self.registered: set[str] = set()

    def auth_headers(self) -> dict[str, str]:
        return {"17token": self.api_key(), "Content-Type": "application/json"}

    def remember_answered(self, numbers: Collection[str]) -> None:
        """Numbers with stored events from 17TRACK were registered in an earlier run.

        A number 17TRACK deleted since is caught by the "not registered" rejection of
        `gettrackinfo` and registered again, as for any stale memory.
        """
        self.registered.update(numbers)

    @property
    def carrier(self) -> int | None:
        return getattr(self.config, "carrier", None)

    async def call(self, verb: str, body: Any) -> Envelope:
        """POST one verb and parse its envelope."""
        response = await self.request("POST", f"/{verb}", json=body)
        return parse_envelope(self.json(response), self.name)

    async def register(self, numbers: Sequence[str]) -> dict[str, TrackingResult]:
        """Register unknown numbers; returns not-found results for numbers 17TRACK refuses."""
        todo = [n for n in numbers if n not in self.registered]
        if not todo:
            return {}
        envelope = await self.call("register", build_numbers_body(todo, self.carrier))
        for item in envelope.accepted:
            self.registered.add(str(item.get("number", "")).upper())
        refused: dict[str, TrackingResult] = {}
        for number, (code, message) in envelope.rejected.items():
            if code == ALREADY_REGISTERED:
                self.registered.add(number)
            elif code in QUOTA_CODES:
                # Left out of the result (unknown this time), not marked not-found.
                self.log.warning("cannot register %s: quota exhausted (code %s)", number, code)
            else:
                self.log.info("17TRACK refused %s: code %s %s", number, code, message)
                refused[number] = TrackingResult(tracking_number=number, found=False)
        return refused

    async def fetch_batch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        results = await self.register(numbers)
        wanted = [n for n in numbers if n in self.registered]
        if not wanted:
            return results
        envelope = await self.call("gettrackinfo", build_numbers_body(wanted))
        retry = [n for n, (code, _) in envelope.rejected.items() if code == NOT_REGISTERED]
        results.update(self._read(envelope, skip_codes=frozenset({NOT_REGISTERED})))
        if retry:
            # Registered elsewhere and deleted since, or our memory is stale: register again once.
            self.registered.difference_update(retry)
            results.update(await self.register(retry))
            again = [n for n in retry if n in self.registered]
            if again:
                results.update(
                    self._read(await self.call("gettrackinfo", build_numbers_body(again)))
                )
        return results

    def _read(
        self, envelope: Envelope, skip_codes: frozenset[int] = frozenset()
    ) -> dict[str, TrackingResult]:
        """Results for accepted items, and not-found for rejected ones (except `skip_codes`)."""
        results: dict[str, TrackingResult] = {}
        for item in envelope.accepted:
            parsed = self.safe_parse(
                lambda item=item: parse_track_item(item, skip=self._skipped), "item"
            )
            if parsed is not None and parsed.tracking_number:
                results[parsed.tracking_number] = parsed
        for number, (code, message) in envelope.rejected.items():
            if code not in skip_codes:
                self.log.debug("no data for %s: code %s %s", number, code, message)
                results[number] = TrackingResult(tracking_number=number, found=False)
        return results

    def _skipped(self, number: str, raw: Any) -> None:
        self.log.warning("skipped an event of %s without a usable time", number)

    async def quota(self) -> dict[str, Any]:
        """The account's quota figures from `getquota` (for `status` display)."""
        response = await self.request("POST", "/getquota", json={})
        data = self.json(response)
        if not isinstance(data, dict) or data.get("code") != 0:
            parse_envelope(data, self.name)  # raises the matching error
        return {
            k: v for k, v in as_dict(data.get("data")).items() if isinstance(v, (int, float, str))
        }
