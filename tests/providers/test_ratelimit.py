"""The rate limiter with a fake clock: exact spacing, daily budget, shared by tasks."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from watcher.domain.errors import ProviderRateLimited
from watcher.providers.ratelimit import DAY, RateLimiter


class FakeTime:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(time: FakeTime, **kwargs: object) -> RateLimiter:
    return RateLimiter(clock=time.clock, sleep=time.sleep, **kwargs)  # type: ignore[arg-type]


def test_first_request_is_immediate_then_evenly_spaced() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=3)
    assert [round(lim.reserve(), 9) for _ in range(4)] == [0, round(1 / 3, 9), round(2 / 3, 9), 1.0]


def test_no_burst_after_idle() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=2)
    lim.reserve()
    time.now += 60  # idle: no credit accumulates
    assert lim.reserve() == 0
    assert lim.reserve() == pytest.approx(0.5)


def max_in_window(times: list[float], window: float) -> int:
    """Most requests in any half-open window [t, t + window)."""
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


def test_concurrent_tasks_share_budget_with_full_utilisation() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=3)
    sent: list[float] = []

    async def worker() -> None:
        while True:
            await lim.acquire()
            if time.now >= 1000.0 + 10:
                return
            sent.append(time.now)

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(8)))

    asyncio.run(main())
    assert max_in_window(sent, 1.0) <= 3  # never above the rate, not even at start
    assert len(sent) >= 0.95 * 3 * 10  # and uses the budget


def test_daily_budget_defers_then_refuses_beyond_max_wait() -> None:
    time = FakeTime()
    lim = limiter(time, per_day=3, max_wait=60)
    assert [lim.reserve() for _ in range(3)] == [0, 0, 0]
    assert lim.remaining_today() == 0
    with pytest.raises(ProviderRateLimited) as info:
        lim.reserve()
    assert info.value.retry_after == pytest.approx(DAY)
    time.now += DAY
    assert lim.reserve() == 0
    assert lim.remaining_today() == 2


def test_refused_reservation_books_nothing() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=1, max_wait=1.5)
    lim.reserve()
    lim.reserve()  # waits 1 s
    with pytest.raises(ProviderRateLimited):
        lim.reserve()  # would wait 2 s
    time.now += 1
    assert lim.reserve() == pytest.approx(1.0)


def test_penalize_pushes_next_slot() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=10)
    lim.penalize(7)
    assert lim.reserve() == pytest.approx(7)


def test_unlimited_never_waits() -> None:
    time = FakeTime()
    lim = limiter(time)
    assert {lim.reserve() for _ in range(100)} == {0}
    assert lim.remaining_today() is None


@pytest.mark.parametrize("kwargs", [{"per_second": 0}, {"per_day": 0}, {"per_second": -1}])
def test_rejects_nonsense_budgets(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimiter(**kwargs)  # type: ignore[arg-type]


class LateTime(FakeTime):
    """Sleeps that yield to other tasks and wake no earlier than `blocked_until` (a busy loop)."""

    def __init__(self, blocked_until: float) -> None:
        super().__init__()
        self.blocked_until = blocked_until

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake = self.now + seconds
        await asyncio.sleep(0)  # the other tasks book their slots meanwhile
        self.now = max(self.now, wake, self.blocked_until)


def test_late_wake_ups_keep_the_interval_between_actual_sends() -> None:
    # Four tasks book slots 0, 1/3, 2/3, 1 s; the event loop is then blocked until +5 s, so the
    # three sleepers all wake at +5 s. Without the check they would send back to back.
    time = LateTime(blocked_until=1005.0)
    lim = limiter(time, per_second=3)
    sent: list[float] = []

    async def task() -> None:
        await lim.acquire()
        sent.append(time.now)

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(4)))

    asyncio.run(main())
    assert sent[0] == 1000.0
    assert sent[1] == 1005.0
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) == pytest.approx(1 / 3)
    assert max_in_window(sent, 1.0) <= 3


def test_on_time_sends_are_not_delayed_further() -> None:
    time = FakeTime()
    lim = limiter(time, per_second=4)

    async def main() -> None:
        for _ in range(5):
            await lim.acquire()

    asyncio.run(main())
    assert time.sleeps == pytest.approx([0.25] * 4)  # one sleep per slot, no extra ones
