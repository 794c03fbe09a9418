"""A 429's Retry-After holds the whole key: booked, waiting and future requests alike (fake clock)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx

from tests.kits.providers import SECRET
from watcher.domain.errors import ProviderRateLimited
from watcher.providers.aftership.adapter import AfterShipProvider
from watcher.providers.ratelimit import RateLimiter

START = 1000.0


class VirtualTime:
    """A clock that jumps to the next sleeper's wake-up once every task is blocked."""

    def __init__(self) -> None:
        self.now = START
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, *jobs: Callable[[], Awaitable[None]]) -> None:
        """Run `jobs` to completion, advancing the clock only when all of them wait."""
        tasks = [asyncio.ensure_future(job()) for job in jobs]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                when, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                future.set_result(None)
        for task in tasks:
            task.result()


def test_hold_stops_requests_that_already_booked_their_slot() -> None:
    time = VirtualTime()
    limiter = RateLimiter(per_second=3, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []

    async def request() -> None:
        await limiter.acquire()
        sent.append(time.now)

    async def rate_limited_answer() -> None:
        await time.sleep(0.1)  # the first request's 429 arrives while the others wait
        limiter.penalize(10.0)

    asyncio.run(time.run(rate_limited_answer, *(request for _ in range(5))))
    first, *others = sorted(sent)
    assert first == START
    # Four requests had booked slots at +0.33 .. +1.33 s: none leaves before the hold ends.
    assert len(others) == 4
    assert min(others) >= START + 0.1 + 10.0
    # ...and after it they still keep the rate.
    assert all(b - a >= 1 / 3 - 1e-9 for a, b in itertools.pairwise(others))


def test_requests_booked_after_the_hold_wait_for_it_too() -> None:
    time = VirtualTime()
    limiter = RateLimiter(per_second=100, clock=time.clock, sleep=time.sleep)
    limiter.penalize(30.0)
    assert limiter.held_for() == 30.0
    sent: list[float] = []

    async def request() -> None:
        await limiter.acquire()
        sent.append(time.now)

    asyncio.run(time.run(*(request for _ in range(3))))
    assert min(sent) >= START + 30.0
    assert limiter.held_for() == 0.0


def test_a_hold_longer_than_max_wait_is_refused_not_slept() -> None:
    time = VirtualTime()
    limiter = RateLimiter(per_second=3, max_wait=60, clock=time.clock, sleep=time.sleep)
    limiter.penalize(600.0)
    with pytest.raises(ProviderRateLimited) as info:
        limiter.reserve()
    assert info.value.retry_after == pytest.approx(600.0)


@respx.mock(base_url="https://api.aftership.com/tracking/2026-07")
def test_a_429_on_one_endpoint_holds_every_endpoint_of_the_key(respx_mock) -> None:
    respx_mock.get("/trackings").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "42"}, json={"meta": {}})
    )
    provider = AfterShipProvider(AfterShipProvider.config_model(api_key=SECRET))

    async def main() -> None:
        with pytest.raises(ProviderRateLimited):
            await provider.fetch(["LP00123456789012"])
        await provider.aclose()

    asyncio.run(main())
    held = {key: round(limiter.held_for()) for key, limiter in provider.limiters.items()}
    assert held == {"GET /trackings": 42, "POST /trackings": 42, "GET /trackings/{id}": 42}
    assert round(provider.limiter.held_for()) == 42


@respx.mock(base_url="https://api.17track.net/track/v2.2")
def test_a_17track_429_holds_the_key_for_retry_after(respx_mock) -> None:
    from watcher.providers.seventeentrack.adapter import SeventeenTrackProvider

    respx_mock.post("/register").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "120"}, json={"code": 429})
    )
    provider = SeventeenTrackProvider(SeventeenTrackProvider.config_model(api_key=SECRET))

    async def main() -> None:
        with pytest.raises(ProviderRateLimited) as info:
            await provider.fetch(["LP00123456789012"])
        assert info.value.retry_after == 120
        await provider.aclose()

    asyncio.run(main())
    assert round(provider.limiter.held_for()) == 120
