"""DHL unified tracking: one number per request, problem+json 404, daily budget."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import httpx
import pytest
import respx

from tests.kits.providers import SECRET, load, make
from watcher.domain.errors import ProviderResponseError
from watcher.domain.models import Status
from watcher.providers.dhl.adapter import DhlProvider, build_params, parse_shipments

URL = "https://api-eu.dhl.com/track/shipments"
N1, N2 = "00340434292135100186", "JJD000390007882178"


def run(numbers: list[str], *responses: Any, **config: Any) -> tuple[Any, list[httpx.Request]]:
    provider = make(DhlProvider, api_key=SECRET, **config)

    async def main() -> tuple[Any, list[httpx.Request]]:
        with respx.mock() as mock:
            route = mock.get(url__startswith=URL).mock(side_effect=list(responses))
            result = await provider.fetch(numbers)
            return result, [c.request for c in route.calls]

    return asyncio.run(main())


def test_happy_path_and_one_request_per_number() -> None:
    results, requests = run(
        [N1, N2],
        httpx.Response(200, json=load("dhl", "shipment")),
        httpx.Response(
            404, json=load("dhl", "not_found"), headers={"Content-Type": "application/problem+json"}
        ),
        service="parcel-de",
    )
    assert [r.url.params["trackingNumber"] for r in requests] == [N1, N2]
    assert requests[0].url.params["service"] == "parcel-de"
    assert requests[0].headers["DHL-API-Key"] == SECRET
    shipment = results[N1]
    vehicle, data = shipment.events  # the event without a timestamp was skipped
    # "transit" is too vague: left to the text classifier; the local time stays naive.
    assert (vehicle.status, vehicle.raw_status, vehicle.time) == (
        None,
        "transit",
        datetime(2026, 10, 21, 8),
    )
    assert (vehicle.location, vehicle.country) == ("Berlin", "DE")
    assert data.status == Status.INFO_RECEIVED and data.time.tzinfo is not None
    assert shipment.estimated_delivery == date(2026, 10, 21)
    assert shipment.carrier == "dhl-parcel-de"
    assert results[N2].found is False


def test_404_that_is_not_a_problem_document_is_an_error() -> None:
    with pytest.raises(ProviderResponseError):
        run([N1], httpx.Response(404, text="<html>Not Found</html>"))


def test_empty_shipments_is_not_found() -> None:
    results, _ = run([N1], httpx.Response(200, json={"shipments": []}))
    assert results[N1].found is False


def test_nulls_do_not_crash() -> None:
    assert parse_shipments({"shipments": None}, N1).found is False
    result = parse_shipments({"shipments": [{"events": None, "status": None}]}, N1)
    assert result.found and result.events == ()


def test_optional_params_are_sent_only_when_configured() -> None:
    config = DhlProvider.config_model(
        api_key=SECRET, requester_country_code="DE", recipient_postal_code="10115"
    )
    assert build_params(N1, config) == {
        "trackingNumber": N1,
        "requesterCountryCode": "DE",
        "recipientPostalCode": "10115",
    }
