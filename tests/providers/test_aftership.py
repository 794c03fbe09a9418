"""AfterShip: list known trackings, create unknown ones, per-endpoint limits."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import respx

from tests.kits.providers import SECRET, load, make
from watcher.domain.models import Status
from watcher.providers.aftership.adapter import AfterShipProvider, endpoint_key, parse_tracking

BASE = "https://api.aftership.com/tracking/2026-07"
LP, RR = "LP00123456789012", "RR123456785CN"


def run(numbers: list[str], listing: list[Any], create: list[Any]) -> tuple[Any, Any]:
    provider = make(AfterShipProvider, api_key=SECRET)

    async def main() -> tuple[Any, Any]:
        with respx.mock(base_url=BASE, assert_all_called=False) as mock:
            routes = {
                "list": mock.get("/trackings").mock(side_effect=listing),
                "create": mock.post("/trackings").mock(side_effect=create),
            }
            result = await provider.fetch(numbers)
            # The router resets on exit: keep the requests each route received.
            return result, {name: [c.request for c in r.calls] for name, r in routes.items()}

    return asyncio.run(main())


def test_happy_path_lists_and_parses_checkpoints() -> None:
    results, mock = run([LP], [httpx.Response(200, json=load("aftership", "trackings"))], [])
    request = mock["list"][0]
    assert request.url.params["tracking_numbers"] == LP
    assert request.headers["as-api-key"] == SECRET
    assert not mock["create"]
    lp = results[LP]
    departed, customs = lp.events  # the checkpoint with a bad time was skipped
    assert departed.time == datetime(2026, 10, 3, 10, tzinfo=timezone(timedelta(hours=8)))
    assert (
        departed.substatus == "in_transit.departed" and departed.country == "CN"
    )  # alpha-3 "CHN" mapped to alpha-2
    assert (customs.status, customs.country, customs.location) == (
        Status.CUSTOMS,
        "DE",
        "Frankfurt",
    )
    assert lp.estimated_delivery == date(2026, 11, 2)
    assert lp.carrier == "cainiao" and lp.raw_status == "InTransit_006"


def test_unknown_numbers_are_created() -> None:
    results, mock = run(
        [LP, RR],
        [httpx.Response(200, json=load("aftership", "trackings"))],
        [httpx.Response(201, json=load("aftership", "created"))],
    )
    assert json.loads(mock["create"][0].content) == {"tracking_number": RR}
    assert (
        results[RR].found and results[RR].events == () and results[RR].raw_status == "Pending_001"
    )


def test_already_exists_is_fine_and_invalid_is_not_found() -> None:
    results, _ = run(
        [LP, RR],
        [httpx.Response(200, json=load("aftership", "empty"))],
        [
            httpx.Response(400, json=load("aftership", "exists")),
            httpx.Response(400, json=load("aftership", "invalid")),
        ],
    )
    assert LP not in results  # exists: listed next time
    assert results[RR].found is False


def test_batches_of_50() -> None:
    numbers = [f"LP{i:014d}" for i in range(51)]
    empty = httpx.Response(200, json=load("aftership", "empty"))
    _, mock = run(
        numbers, [empty, empty], [httpx.Response(400, json=load("aftership", "exists"))] * 51
    )
    sizes = [len(r.url.params["tracking_numbers"].split(",")) for r in mock["list"]]
    assert sizes == [50, 1]


def test_nulls_do_not_crash() -> None:
    assert parse_tracking({"tracking_number": LP, "checkpoints": None}).events == ()
    result = parse_tracking(
        {"tracking_number": LP, "checkpoints": [None, 3, {"checkpoint_time": None}]}
    )
    assert result.events == () and result.estimated_delivery is None


def test_list_with_null_trackings() -> None:
    results, _ = run(
        [LP],
        [httpx.Response(200, json={"meta": {"code": 200}, "data": {"trackings": None}})],
        [httpx.Response(400, json=load("aftership", "exists"))],
    )
    assert results == {}


def test_each_endpoint_has_its_own_limiter() -> None:
    provider = AfterShipProvider(AfterShipProvider.config_model(api_key=SECRET))
    get_list = provider.limiter_for("GET", "/trackings")
    create = provider.limiter_for("POST", "/trackings")
    one = provider.limiter_for("GET", "/trackings/abc123")
    assert (get_list.per_second, create.per_second, one.per_second) == (6.0, 20.0, 5.0)
    assert endpoint_key("GET", "/trackings/abc?x=1") == "GET /trackings/{id}"
    asyncio.run(provider.aclose())
