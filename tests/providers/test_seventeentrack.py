"""17TRACK: register-then-read flow, every leg's events, quota."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
import respx

from tests.kits.providers import SECRET, load, make
from watcher.domain.errors import ProviderAuthError, ProviderResponseError, ProviderUnavailable
from watcher.domain.models import Status
from watcher.providers.seventeentrack.adapter import (
    SeventeenTrackProvider,
    parse_envelope,
    parse_track_item,
)

BASE = "https://api.17track.net/track/v2.2"
LP, RR = "LP00123456789012", "RR123456785CN"


def envelope(accepted: list[Any] = (), rejected: list[Any] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"code": 0, "data": {"accepted": list(accepted), "rejected": list(rejected)}}


def rejected(number: str, code: int) -> dict[str, Any]:
    return {"number": number, "error": {"code": code, "message": "..."}}


def run(
    provider: SeventeenTrackProvider, numbers: list[str], routes: dict[str, Any]
) -> tuple[Any, Any]:
    async def main() -> tuple[Any, Any]:
        with respx.mock(base_url=BASE, assert_all_called=False) as mock:
            effects = {"register": [], **routes}
            routes_ = {
                verb: mock.post(f"/{verb}").mock(side_effect=e) for verb, e in effects.items()
            }
            result = await provider.fetch(numbers)
            # The router resets on exit: keep the requests each verb received.
            return result, {verb: [c.request for c in r.calls] for verb, r in routes_.items()}

    return asyncio.run(main())


def test_happy_path_registers_then_reads_all_legs() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    results, mock = run(
        provider,
        [LP, RR],
        {
            "register": [httpx.Response(200, json=load("17track", "register"))],
            "gettrackinfo": [httpx.Response(200, json=load("17track", "gettrackinfo"))],
        },
    )
    assert json.loads(mock["register"][0].content) == [{"number": LP}, {"number": RR}]
    assert mock["register"][0].headers["17token"] == SECRET
    assert provider.registered == {LP, RR}  # accepted and "already registered" alike

    lp = results[LP]
    assert [e.description for e in lp.events] == [
        "Accepted by carrier",
        "Arrived at customs",
        "Zustellung erfolgt heute",
    ]  # both legs; the event without a time was skipped
    picked, customs, ofd = lp.events
    assert picked.time == datetime(2026, 10, 3, 2, 0, tzinfo=UTC)  # time_utc preferred
    assert picked.country == "CN"
    assert (customs.status, customs.substatus, customs.raw_status) == (
        Status.CUSTOMS,
        "customs.processing",
        "InTransit_CustomsProcessing",
    )
    assert ofd.time == datetime(2026, 10, 21, 8, 0) and ofd.tz_hint is None  # naive local time
    assert ofd.status == Status.OUT_FOR_DELIVERY
    assert lp.estimated_delivery == date(2026, 11, 4)
    assert lp.carrier == "Cainiao"
    assert lp.raw_status == "InTransit_CustomsProcessing"

    assert results[RR].found is False  # rejected "no tracking information"


def test_registered_numbers_are_not_registered_again() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    provider.registered.add(LP)
    results, mock = run(
        provider,
        [LP],
        {
            "register": [],
            "gettrackinfo": [httpx.Response(200, json=load("17track", "gettrackinfo"))],
        },
    )
    assert not mock["register"]
    assert results[LP].found


def test_not_registered_rejection_re_registers_once() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    provider.registered.add(LP)  # stale memory: 17TRACK deleted it
    item = load("17track", "gettrackinfo")["data"]["accepted"][0]
    results, mock = run(
        provider,
        [LP],
        {
            "gettrackinfo": [
                httpx.Response(200, json=envelope(rejected=[rejected(LP, -18019902)])),
                httpx.Response(200, json=envelope(accepted=[item])),
            ],
            "register": [httpx.Response(200, json=envelope(accepted=[{"number": LP}]))],
        },
    )
    assert len(mock["register"]) == 1
    assert len(mock["gettrackinfo"]) == 2
    assert results[LP].found and results[LP].events


def test_register_refusal_is_not_found_and_quota_exhaustion_is_left_out() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    results, mock = run(
        provider,
        [LP, RR],
        {
            "register": [
                httpx.Response(
                    200, json=envelope(rejected=[rejected(LP, -18019903), rejected(RR, -18019908)])
                )
            ],
            "gettrackinfo": [],
        },
    )
    assert results == {LP: results[LP]} and results[LP].found is False
    assert not mock["gettrackinfo"]


def test_batches_of_40() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    numbers = [f"LP{i:014d}" for i in range(45)]
    provider.registered.update(numbers)
    _, mock = run(provider, numbers, {"gettrackinfo": [httpx.Response(200, json=envelope())] * 2})
    sizes = [len(json.loads(r.content)) for r in mock["gettrackinfo"]]
    assert sizes == [40, 5]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (-18010002, ProviderAuthError),
        (-18010001, ProviderAuthError),
        (-18010003, ProviderUnavailable),
        (-18010010, ProviderResponseError),
    ],
)
def test_envelope_code_errors(code: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_envelope({"code": code, "data": {}})


def test_envelope_without_code_is_response_error() -> None:
    with pytest.raises(ProviderResponseError):
        parse_envelope({"data": []})


@pytest.mark.parametrize(
    "item",
    [
        {"number": LP, "track_info": None},
        {"number": LP, "track_info": {"tracking": {"providers": None}}},
        {
            "number": LP,
            "track_info": {"tracking": {"providers": [{"provider": None, "events": None}]}},
        },
        {
            "number": LP,
            "track_info": {
                "tracking": {"providers": [{"events": [None, "junk", {"time_iso": "bad"}]}]}
            },
        },
    ],
)
def test_nulls_and_junk_do_not_crash(item: dict[str, Any]) -> None:
    result = parse_track_item(item)
    assert result.tracking_number == LP and result.events == ()


def test_envelope_with_null_lists() -> None:
    parsed = parse_envelope({"code": 0, "data": {"accepted": None, "rejected": None}})
    assert parsed.accepted == [] and parsed.rejected == {}


def test_flat_rejection_fields_are_understood() -> None:
    parsed = parse_envelope(
        {
            "code": 0,
            "data": {
                "rejected": [{"number": LP, "error_code": -18019901, "error_message": "registered"}]
            },
        }
    )
    assert parsed.rejected[LP] == (-18019901, "registered")


def test_quota() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)

    async def main() -> dict[str, Any]:
        with respx.mock(base_url=BASE) as mock:
            mock.post("/getquota").mock(
                return_value=httpx.Response(200, json=load("17track", "getquota"))
            )
            return await provider.quota()

    quota = asyncio.run(main())
    assert quota["quota_remain"] == 88 and quota["quota_total"] == 100


def test_numbers_answered_in_an_earlier_run_are_read_without_registering() -> None:
    provider = make(SeventeenTrackProvider, api_key=SECRET)
    provider.remember_answered([LP])  # the poller found events 17TRACK reported for LP before
    results, mock = run(
        provider,
        [LP],
        {
            "register": [],
            "gettrackinfo": [httpx.Response(200, json=load("17track", "gettrackinfo"))],
        },
    )
    assert not mock["register"]
    assert results[LP].found
