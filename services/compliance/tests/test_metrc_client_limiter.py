"""Client-side rate limiting and concurrency caps (GETs only)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import date

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcCredentials,
    MetrcRateLimiter,
    PackageFinish,
    RateLimits,
)
from compliance.adapters.metrc._limiter import SystemClock, TokenBucket
from compliance.adapters.metrc.testing import FakeClock
from pydantic import SecretStr

ClientFactory = Callable[..., MetrcClient]
EXACT = {"headroom": 0.0}


def test_a_bucket_with_burst_one_spaces_starts_evenly() -> None:
    bucket = TokenBucket(rate=50)
    starts = []
    for _ in range(5):
        start = bucket.earliest(0.0)
        bucket.commit(start)
        starts.append(start)
    assert starts == pytest.approx([0.0, 0.02, 0.04, 0.06, 0.08])


def test_a_bucket_with_a_burst_lets_that_many_through_at_once_then_spaces() -> None:
    bucket = TokenBucket(rate=10, burst=3)
    starts = []
    for _ in range(5):
        start = bucket.earliest(0.0)
        bucket.commit(start)
        starts.append(start)
    assert starts == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


def test_an_idle_bucket_does_not_bank_more_than_its_burst() -> None:
    bucket = TokenBucket(rate=10)
    bucket.commit(0.0)
    assert bucket.earliest(100.0) == 100.0
    bucket.commit(100.0)
    assert bucket.earliest(100.0) == pytest.approx(100.1)


def test_one_facility_is_held_to_its_own_rate() -> None:
    clock = FakeClock()
    limiter = MetrcRateLimiter(RateLimits(facility_rate=50, vendor_rate=150, **EXACT), clock=clock)
    delays = [limiter.reserve("A") for _ in range(6)]
    assert delays == pytest.approx([0.0, 0.02, 0.04, 0.06, 0.08, 0.1])


def test_many_facilities_are_held_to_the_vendor_rate_together() -> None:
    clock = FakeClock()
    limiter = MetrcRateLimiter(RateLimits(facility_rate=50, vendor_rate=150, **EXACT), clock=clock)
    delays = [limiter.reserve(f"F{i % 6}") for i in range(12)]
    assert delays == pytest.approx([i / 150 for i in range(12)])


def test_a_delay_from_the_vendor_bucket_is_recorded_in_the_facility_bucket() -> None:
    clock = FakeClock()
    limiter = MetrcRateLimiter(RateLimits(facility_rate=50, vendor_rate=10, **EXACT), clock=clock)
    assert limiter.reserve("A") == 0.0
    assert limiter.reserve("A") == pytest.approx(0.1)  # vendor-bound
    # The facility now knows its last start was at 0.1, so its next is no earlier than 0.12.
    limiter._vendor_bucket = TokenBucket(rate=1_000_000)
    assert limiter.reserve("A") == pytest.approx(0.12)


def test_headroom_aims_below_the_published_limit() -> None:
    limiter = MetrcRateLimiter(
        RateLimits(facility_rate=50, vendor_rate=150, headroom=0.1), clock=FakeClock()
    )
    delays = [limiter.reserve("A") for _ in range(3)]
    assert delays == pytest.approx([0.0, 1 / 45, 2 / 45])


def test_time_moving_on_frees_the_bucket() -> None:
    clock = FakeClock()
    limiter = MetrcRateLimiter(RateLimits(facility_rate=10, **EXACT), clock=clock)
    assert limiter.reserve("A") == 0.0
    clock.now = 5.0
    assert limiter.reserve("A") == 0.0
    assert limiter.reserve("A") == pytest.approx(0.1)


@pytest.mark.parametrize(
    "kwargs",
    [{"facility_rate": 0}, {"vendor_concurrency": 0}, {"burst": 0}, {"headroom": 1.0}],
)
def test_nonsense_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        RateLimits(**kwargs)  # type: ignore[arg-type]


async def test_gets_in_flight_never_exceed_the_facility_and_vendor_caps(
    make_client: ClientFactory,
) -> None:
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        license_number = request.url.params["licenseNumber"]
        in_flight[license_number] += 1
        in_flight["all"] += 1
        peak[license_number] = max(peak[license_number], in_flight[license_number])
        peak["all"] = max(peak["all"], in_flight["all"])
        await asyncio.sleep(0.005)
        in_flight[license_number] -= 1
        in_flight["all"] -= 1
        return httpx.Response(200, json=[])

    limits = RateLimits(
        facility_rate=1e6, vendor_rate=1e6, facility_concurrency=3, vendor_concurrency=5
    )
    client = make_client(handler, limits=limits)

    await asyncio.gather(*(client.list_available_tags(f"F{i % 2}") for i in range(30)))

    assert peak["all"] == 5
    assert max(peak["F0"], peak["F1"]) == 3


async def test_real_time_spacing_under_a_low_rate() -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(time.monotonic())
        return httpx.Response(200, json=[])

    limiter = MetrcRateLimiter(RateLimits(facility_rate=100, **EXACT), clock=SystemClock())
    client = MetrcClient(
        base_url="https://sandbox-api-co.metrc.com",
        credentials=MetrcCredentials(vendor_key=SecretStr("v"), user_key=SecretStr("u")),
        transport=httpx.MockTransport(handler),
        limiter=limiter,
    )
    async with client:
        await asyncio.gather(*(client.list_available_tags("A") for _ in range(30)))

    # Starts are never earlier than booked (only later, under load), so the span is a floor.
    assert len(starts) == 30
    assert starts[-1] - starts[0] >= 29 * 0.01 - 0.002


async def test_writes_are_not_held_back_by_the_get_limits(make_client: ClientFactory) -> None:
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            await release.wait()
            return httpx.Response(200, json=[])
        return httpx.Response(200)

    client = make_client(handler, limits=RateLimits(facility_concurrency=1, vendor_concurrency=1))
    blocked = asyncio.create_task(client.list_available_tags("A"))
    await asyncio.sleep(0.01)

    finish = PackageFinish(label="X", actual_date=date(2026, 2, 8))
    result = await asyncio.wait_for(client.finish_packages("A", [finish]), timeout=2)

    assert result.ids == []
    release.set()
    await blocked
