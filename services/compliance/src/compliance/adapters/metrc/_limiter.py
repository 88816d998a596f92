"""Client-side limits that keep Canopy under Metrc's GET limits instead of discovering them by 429.

Metrc counts GETs only, along four dimensions: requests per second per facility and per vendor
(integrator) key, and concurrent requests per facility and per vendor key. One
``MetrcRateLimiter`` stands for one vendor key: share it between every client that uses that key.

The rate buckets are GCRA token buckets (a "theoretical arrival time" per bucket). With the default
burst of 1 they space request starts evenly, ``1 / rate`` apart: that stays under the limit
whether the server counts in fixed windows, sliding windows or its own token bucket, and costs
nothing at steady state. ``headroom`` shaves a few percent off the published numbers so network
jitter in arrival times cannot push a burst over the line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Clock", "MetrcRateLimiter", "RateLimits", "SystemClock", "TokenBucket"]


class Clock(Protocol):
    """Time as the client sees it; tests inject a fake one."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RateLimits:
    """Metrc's published GET limits (Rate Limiting PDF, Oct 2021) and how close to get to them.

    Attributes:
        facility_rate: GETs per second per facility.
        vendor_rate: GETs per second per vendor key, across all facilities.
        facility_concurrency: GETs in flight per facility.
        vendor_concurrency: GETs in flight per vendor key.
        burst: requests a bucket may send back to back before spacing applies.
        headroom: fraction below the rates to aim at (0.03 ⇒ 97 % of the limit).
    """

    facility_rate: float = 50.0
    vendor_rate: float = 150.0
    facility_concurrency: int = 10
    vendor_concurrency: int = 30
    burst: int = 1
    headroom: float = 0.03

    def __post_init__(self) -> None:
        if self.facility_rate <= 0 or self.vendor_rate <= 0:
            raise ValueError("rates must be positive")
        if self.facility_concurrency < 1 or self.vendor_concurrency < 1 or self.burst < 1:
            raise ValueError("concurrency and burst must be at least 1")
        if not 0 <= self.headroom < 1:
            raise ValueError("headroom must be in [0, 1)")


class TokenBucket:
    """GCRA: a request may start at ``tat - tolerance``; each start pushes ``tat`` one interval on.

    ``reserve`` hands out start times in the future instead of failing, so a caller can sleep
    exactly as long as needed and concurrent callers are served in arrival order.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self._tat: float | None = None

    def earliest(self, now: float) -> float:
        if self._tat is None:
            return now
        return max(now, self._tat - self.tolerance)

    def commit(self, start: float) -> None:
        base = start if self._tat is None else max(self._tat, start)
        self._tat = base + self.interval


class MetrcRateLimiter:
    """Concurrency caps and rate buckets for the GETs of one vendor key."""

    def __init__(self, limits: RateLimits | None = None, *, clock: Clock | None = None) -> None:
        self.limits = limits or RateLimits()
        self.clock: Clock = clock or SystemClock()
        factor = 1.0 - self.limits.headroom
        self._vendor_bucket = TokenBucket(self.limits.vendor_rate * factor, self.limits.burst)
        self._vendor_slots = asyncio.Semaphore(self.limits.vendor_concurrency)
        self._facility_buckets: dict[str, TokenBucket] = {}
        self._facility_slots: dict[str, asyncio.Semaphore] = {}

    def _facility(self, license_number: str) -> tuple[TokenBucket, asyncio.Semaphore]:
        bucket = self._facility_buckets.get(license_number)
        if bucket is None:
            factor = 1.0 - self.limits.headroom
            bucket = TokenBucket(self.limits.facility_rate * factor, self.limits.burst)
            self._facility_buckets[license_number] = bucket
            self._facility_slots[license_number] = asyncio.Semaphore(
                self.limits.facility_concurrency
            )
        return bucket, self._facility_slots[license_number]

    def reserve(self, license_number: str | None) -> float:
        """Book the next start time in every bucket that applies; returns seconds to wait.

        Both buckets are moved to the same start time: booking each at its own earliest time
        would let the slower bucket's delay go unrecorded in the faster one.
        """
        now = self.clock.monotonic()
        buckets = [self._vendor_bucket]
        if license_number is not None:
            buckets.append(self._facility(license_number)[0])
        start = max(bucket.earliest(now) for bucket in buckets)
        for bucket in buckets:
            bucket.commit(start)
        return start - now

    @asynccontextmanager
    async def slot(self, license_number: str | None) -> AsyncIterator[None]:
        """Hold a concurrency slot and wait for a rate token; the GET is sent inside the block.

        The facility slot is taken before the vendor slot (always in that order, so no two
        callers can each hold what the other waits for), and the rate token last, so the booked
        start time is when the request really goes out.
        """
        async with AsyncExitStack() as stack:
            if license_number is not None:
                await stack.enter_async_context(self._facility(license_number)[1])
            await stack.enter_async_context(self._vendor_slots)
            delay = self.reserve(license_number)
            if delay > 0:
                await self.clock.sleep(delay)
            yield
