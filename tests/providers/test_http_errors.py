"""HTTP failure modes, the same table for every adapter (respx; nothing leaves the process)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

from tests.kits.providers import SECRET, load, make
from watcher.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderResponseError,
    ProviderUnavailable,
)
from watcher.providers.aftership import AfterShipProvider
from watcher.providers.base import HttpProvider
from watcher.providers.cainiao import CainiaoProvider
from watcher.providers.dhl import DhlProvider
from watcher.providers.retry import call_with_retry
from watcher.providers.seventeentrack import SeventeenTrackProvider

NUMBER = "LP00123456789012"


@dataclass(frozen=True)
class Case:
    cls: type[HttpProvider]
    method: str
    url: str
    good: Any
    #: What a 200 that is not JSON means: Cainiao's anti-bot page is "no data this time".
    not_json: type[Exception] = ProviderResponseError


CASES = {
    "17track": Case(
        SeventeenTrackProvider,
        "POST",
        "https://api.17track.net/track/v2.2/gettrackinfo",
        load("17track", "gettrackinfo"),
    ),
    "aftership": Case(
        AfterShipProvider,
        "GET",
        "https://api.aftership.com/tracking/2026-07/trackings",
        load("aftership", "trackings"),
    ),
    "cainiao": Case(
        CainiaoProvider,
        "GET",
        "https://global.cainiao.com/global/detail.json",
        load("cainiao", "detail"),
        ProviderUnavailable,
    ),
    "dhl": Case(
        DhlProvider, "GET", "https://api-eu.dhl.com/track/shipments", load("dhl", "shipment")
    ),
}


def provider_for(case: Case) -> Any:
    provider = make(case.cls, api_key=SECRET)
    if isinstance(provider, SeventeenTrackProvider):
        provider.registered.add(NUMBER)  # skip `register`: this table is about gettrackinfo
    return provider


def fetch(case: Case, *responses: Any) -> Any:
    """Run one fetch of NUMBER against the given responses (or exceptions)."""

    async def main() -> Any:
        provider = provider_for(case)
        try:
            with respx.mock(assert_all_called=False) as mock:
                mock.route(method=case.method, url__startswith=case.url).mock(
                    side_effect=list(responses)
                )
                return await provider.fetch([NUMBER])
        finally:
            await provider.aclose()

    return asyncio.run(main())


params = pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))


@params
def test_happy_path_returns_the_number(case: Case) -> None:
    results = fetch(case, httpx.Response(200, json=case.good))
    assert results[NUMBER].found
    assert results[NUMBER].events


@params
def test_401_is_auth_error_without_the_key(case: Case) -> None:
    with pytest.raises(ProviderAuthError) as info:
        fetch(case, httpx.Response(401, json={"message": f"bad key {SECRET}"}))
    assert SECRET not in str(info.value)


@params
def test_429_carries_retry_after(case: Case) -> None:
    with pytest.raises(ProviderRateLimited) as info:
        fetch(case, httpx.Response(429, headers={"Retry-After": "7"}))
    assert info.value.retry_after == 7


@params
def test_5xx_then_success_through_call_with_retry(case: Case) -> None:
    async def main() -> Any:
        provider = provider_for(case)
        sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)

        with respx.mock() as mock:
            mock.route(method=case.method, url__startswith=case.url).mock(
                side_effect=[
                    httpx.Response(502, text="Bad gateway"),
                    httpx.Response(200, json=case.good),
                ]
            )
            result = await call_with_retry(
                lambda: provider.fetch([NUMBER]), attempts=3, base=1, cap=10, sleep=sleep
            )
        await provider.aclose()
        return result, sleeps

    result, sleeps = asyncio.run(main())
    assert result[NUMBER].found
    assert len(sleeps) == 1


@params
def test_timeout_is_unavailable(case: Case) -> None:
    with pytest.raises(ProviderUnavailable, match="timed out"):
        fetch(case, httpx.ConnectTimeout("slow"))


@params
def test_malformed_json(case: Case) -> None:
    with pytest.raises(case.not_json):
        fetch(
            case,
            httpx.Response(
                200, text='{"code": 0, "data": {', headers={"Content-Type": "application/json"}
            ),
        )


@params
def test_html_page_with_200(case: Case) -> None:
    html = "<html><body><h1>Please slide to verify</h1></body></html>"
    with pytest.raises(case.not_json):
        fetch(case, httpx.Response(200, text=html, headers={"Content-Type": "text/html"}))


@params
def test_5xx_echoing_the_key_is_redacted(case: Case) -> None:
    with pytest.raises(ProviderUnavailable) as info:
        fetch(case, httpx.Response(500, text=f"internal error for key {SECRET}"))
    assert SECRET not in str(info.value)
    assert "***" in str(info.value)


@params
def test_key_is_never_in_reprs(case: Case) -> None:
    provider = provider_for(case)
    assert SECRET not in repr(provider)
    assert SECRET not in repr(provider.config)
    asyncio.run(provider.aclose())


@pytest.mark.parametrize(
    "case", [c for n, c in CASES.items() if n != "cainiao"], ids=["17track", "aftership", "dhl"]
)
def test_missing_key_is_auth_error_at_fetch_not_construction(case: Case) -> None:
    provider = make(case.cls)
    with pytest.raises(ProviderAuthError, match="no api_key"):
        asyncio.run(provider.fetch([NUMBER]))
    asyncio.run(provider.aclose())


def test_rate_limiter_is_applied_to_requests() -> None:
    """A real adapter books a slot per request from its limiter (fake clock, no waiting)."""
    case = CASES["dhl"]
    provider = DhlProvider(DhlProvider.config_model(api_key=SECRET))
    assert provider.limiter.per_second == 0.2 and provider.limiter.per_day == 250

    async def main() -> None:
        with respx.mock() as mock:
            mock.route(method="GET", url__startswith=case.url).mock(
                return_value=httpx.Response(200, json=case.good)
            )
            await provider.fetch([NUMBER])
        await provider.aclose()

    asyncio.run(main())
    assert provider.limiter.remaining_today() == 249
