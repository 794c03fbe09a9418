"""Cainiao: epoch times, action codes, follow-on numbers, "no data this time"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from tests.kits.providers import load, make
from watcher.domain.errors import ProviderUnavailable
from watcher.domain.models import Status
from watcher.providers.cainiao.adapter import CainiaoProvider, parse_module

URL = "https://global.cainiao.com/global/detail.json"
LP, UNKNOWN = "LP00123456789012", "LP99999999999999"


def run(numbers: list[str], *responses: Any) -> tuple[Any, list[httpx.Request]]:
    provider = make(CainiaoProvider)

    async def main() -> tuple[Any, list[httpx.Request]]:
        with respx.mock() as mock:
            route = mock.get(url__startswith=URL).mock(side_effect=list(responses))
            result = await provider.fetch(numbers)
            return result, [c.request for c in route.calls]

    return asyncio.run(main())


def test_happy_path() -> None:
    results, requests = run([LP, UNKNOWN], httpx.Response(200, json=load("cainiao", "detail")))
    assert requests[0].url.params["mailNos"] == f"{LP},{UNKNOWN}"
    assert requests[0].url.params["lang"] == "en-US"
    assert "17token" not in requests[0].headers and "Mozilla" in requests[0].headers["User-Agent"]
    lp = results[LP]
    arrived, accepted, ofd, depot = lp.events  # the detail without any time was skipped
    assert arrived.time == datetime(2025, 10, 20, 8, tzinfo=UTC)  # epoch ms wins over timeStr
    assert arrived.description == "Arrived at destination country / 到达目的国"  # both kept
    assert arrived.substatus == "in_transit.arrived_destination_country"
    # No zone given: China assumed only for origin-side codes.
    assert (accepted.time, accepted.tz_hint, accepted.status) == (
        datetime(2025, 10, 1, 9, 30),
        "Asia/Shanghai",
        Status.INFO_RECEIVED,
    )
    assert ofd.time == datetime(2025, 10, 22, 10, tzinfo=timezone(timedelta(hours=2)))
    assert ofd.status == Status.OUT_FOR_DELIVERY
    assert depot.tz_hint is None and depot.time.tzinfo is None
    assert lp.follow_on_numbers == ("RR123456785CN",)
    assert lp.raw_status == "DELIVERING"
    assert results[UNKNOWN].found is False


def test_batches_of_10() -> None:
    numbers = [f"LP{i:014d}" for i in range(11)]
    body = load("cainiao", "detail")
    _, requests = run(numbers, httpx.Response(200, json=body), httpx.Response(200, json=body))
    assert [len(r.url.params["mailNos"].split(",")) for r in requests] == [10, 1]


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "module": None},
        {"success": True, "module": []},
        {"success": True, "module": None},
        [],
    ],
    ids=["success-false", "empty-module", "null-module", "not-an-object"],
)
def test_no_data_this_time_is_unavailable_not_not_found(body: Any) -> None:
    with pytest.raises(ProviderUnavailable, match="no data this time"):
        run([LP], httpx.Response(200, json=body))


def test_null_detail_list_does_not_crash() -> None:
    result = parse_module({"mailNo": LP, "detailList": None, "realMailNo": LP})
    assert result.found is False and result.events == () and result.follow_on_numbers == ()


def test_junk_details_are_skipped() -> None:
    result = parse_module({"mailNo": LP, "detailList": [None, "x", {"time": "soon"}, {"time": 0}]})
    assert result.events == ()
