"""Client-side rate limiting: never send a provider more than its documented budget.

One `RateLimiter` per provider (or per provider endpoint) is shared by every concurrent task.
It enforces two budgets at once:

* a per-second rate, as evenly spaced slots (GCRA with a burst of one): request k is sent no
  earlier than `start + k / rate`, so no window of `1 / rate * n` seconds ever holds more than
  `n` requests, not even right after start-up or after an idle period;
* a per-day count, as a sliding 24-hour window (stricter than any calendar-day reset).

Slots are booked when `reserve()` runs, but a task that sleeps towards its slot can wake late
when the event loop was blocked (a long synchronous store), together with the tasks whose slots
passed meanwhile. `acquire()` therefore also keeps `interval` between *actual* sends, so late
wake-ups go out one by one instead of back to back (they produced 429s, bench/RESULTS.md).

A 429 with Retry-After is about the key, not the one request: `penalize()` holds the whole
limiter until it has passed, including requests that already booked a slot and are sleeping
towards it (they check the hold again when they wake). `HttpProvider.hold` applies it to every
limiter of the provider's key.

aiolimiter (a leaky bucket) was considered: it starts full and lets `max_rate` requests through at
once, which a strict server counts as a burst above the rate, and it has no daily budget and no
injectable clock. This module is ~100 lines with neither problem.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from watcher.domain.errors import ProviderRateLimited

DAY = 86_400.0
#: Clock arithmetic rounds: a send this close to its earliest time counts as on time.
_TOLERANCE = 1e-6

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class RateLimiter:
    """Evenly spaced request slots under a per-second rate and a rolling per-day count."""

    def __init__(
        self,
        *,
        per_second: float | None = None,
        per_day: int | None = None,
        name: str = "provider",
        max_wait: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_second is not None and per_second <= 0:
            raise ValueError("per_second must be positive")
        if per_day is not None and per_day <= 0:
            raise ValueError("per_day must be positive")
        self.name = name
        self.per_second = per_second
        self.per_day = per_day
        #: Longest wait `acquire()` accepts; a longer one raises ProviderRateLimited instead.
        self.max_wait = max_wait
        self._interval = 1.0 / per_second if per_second else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_slot: float | None = None  # earliest time the next request may start
        self._last_sent: float | None = None  # when the last `acquire()` returned
        self._hold_until: float | None = None  # no request leaves before this (Retry-After)
        self._day_log: deque[float] = deque()  # start times of reserved slots, last 24 h

    def reserve(self) -> float:
        """Book the next free slot and return how many seconds to wait for it.

        Synchronous on purpose: with no `await` between reading and booking, concurrent
        tasks on one event loop can never book the same slot.
        """
        now = self._clock()
        slot = now if self._next_slot is None else max(now, self._next_slot)
        if self._hold_until is not None:
            slot = max(slot, self._hold_until)
        if self.per_day is not None:
            while self._day_log and self._day_log[0] <= now - DAY:
                self._day_log.popleft()
            if len(self._day_log) >= self.per_day:
                slot = max(slot, self._day_log[-self.per_day] + DAY)
        wait = slot - now
        if self.max_wait is not None and wait > self.max_wait:
            # Nothing booked: the caller backs off and the slot stays free for others.
            raise ProviderRateLimited(
                self.name, "client-side request budget exhausted", retry_after=wait
            )
        self._next_slot = slot + self._interval
        if self.per_day is not None:
            self._day_log.append(slot)
        return wait

    async def acquire(self) -> None:
        """Wait for a booked slot (raises ProviderRateLimited if it is beyond `max_wait`).

        After the sleep, also wait for any hold set meanwhile (a 429 while this task slept) and
        until `interval` has passed since the previous actual send: a task that overslept its
        slot must not go out right behind another late one.
        """
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)
        while True:
            ready = self._hold_until if self._hold_until is not None else float("-inf")
            if self._interval and self._last_sent is not None:
                ready = max(ready, self._last_sent + self._interval)
            gap = ready - self._clock()
            if gap <= _TOLERANCE:
                break
            await self._sleep(gap)
        # No await between the check above and this line: two tasks cannot both pass it.
        self._last_sent = self._clock()

    def penalize(self, seconds: float) -> None:
        """Hold every request, booked or not, until `seconds` from now (a 429's Retry-After)."""
        until = self._clock() + max(0.0, seconds)
        self._hold_until = until if self._hold_until is None else max(self._hold_until, until)
        self._next_slot = until if self._next_slot is None else max(self._next_slot, until)

    def held_for(self) -> float:
        """Seconds until the current hold ends (0 when there is none)."""
        if self._hold_until is None:
            return 0.0
        return max(0.0, self._hold_until - self._clock())

    def used_today(self) -> int:
        """Slots booked in the last 24 hours (only tracked when a daily budget is set)."""
        now = self._clock()
        return sum(1 for t in self._day_log if t > now - DAY)

    def remaining_today(self) -> int | None:
        """Requests left in the rolling 24-hour budget, or None without a daily budget."""
        return None if self.per_day is None else max(0, self.per_day - self.used_today())

    def __repr__(self) -> str:
        return (
            f"RateLimiter(name={self.name!r}, per_second={self.per_second}, per_day={self.per_day})"
        )
