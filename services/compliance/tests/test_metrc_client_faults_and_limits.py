"""The client against what only the Metrc sandbox can do: wrong keys, Metrc's limits, and faults.

Metrc's rules themselves (packages, cultivation, transfers, reads) are the contract suite's
(``test_metrc_packages.py`` and its siblings), which runs against the sandbox and the fake alike.
Here the sandbox (one process per session, reset with a seed before each test) answers 429 with
Retry-After, 5xx, slow and lost responses, and the tests check that the client retries what is
safe, reports an unknown outcome for a write that may have been applied, and that a caller who
reads back before deciding never applies one intent twice.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcAuthError,
    MetrcClient,
    MetrcCredentials,
    MetrcRateLimitedError,
    MetrcRateLimiter,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    PackageAdjust,
    PackageCreate,
    RateLimits,
    RetryPolicy,
)
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from compliance.adapters.metrc.testing.bodies import opening_package
from pydantic import SecretStr

LICENSE = "SF-SBX-CO-21-8002"
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.5)
# How long Metrc may still be working on a request after the client gave up on it. Reading back
# earlier can miss a write that lands a moment later, and then a resend applies it twice: an
# adjustment has no natural key to refuse the second one. It must exceed the longest time the state
# may take to apply an abandoned write (here the slowest injected fault, 800 ms, less the 400 ms
# client timeout; the compliance service waits minutes, not a second).
SETTLE = 1.0


@pytest.fixture
async def sandbox(sandbox: SandboxProcess) -> SandboxProcess:
    """The conftest's sandbox (no faults, Metrc's limits) holding one facility, one package."""
    await sandbox.reset(default_seed(LICENSE))
    return sandbox


def client_for(
    sandbox: SandboxProcess,
    *,
    vendor_key: str = "vendor-key",
    user_key: str = "user-key",
    **kwargs: Any,
) -> MetrcClient:
    options: dict[str, Any] = {"retry": FAST_RETRY, "timeout": httpx.Timeout(5.0, connect=2.0)}
    options.update(kwargs)
    return MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(vendor_key), user_key=SecretStr(user_key)
        ),
        **options,
    )


@pytest.fixture
async def metrc(sandbox: SandboxProcess) -> AsyncIterator[MetrcClient]:
    async with client_for(sandbox) as client:
        yield client


async def today(metrc: MetrcClient) -> date:
    # Metrc's "today" is the sandbox's; the test machine's clock may be set anywhere.
    return (await metrc.list_packages(LICENSE))[0].packaged_date or datetime.now(UTC).date()


async def tags(metrc: MetrcClient, count: int, kind: str = "package") -> list[str]:
    available = await metrc.list_available_tags(LICENSE, kind)  # type: ignore[arg-type]
    return [t.label for t in available[:count]]


def adjustment(label: str, day: date, quantity: str, note: str) -> PackageAdjust:
    return PackageAdjust(
        label=label,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=day,
        reason_note=note,
    )


# --- Metrc's limits ---------------------------------------------------------------------------------


async def test_a_backfill_longer_than_24_hours_is_read_in_accepted_windows(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    until = datetime.now(UTC) + timedelta(minutes=5)
    packages = await metrc.list_packages(LICENSE, since=until - timedelta(hours=50), until=until)

    assert len(packages) == 1
    counters = (await sandbox.state())["requests"]["GET /packages/v2/active"]
    assert counters["statuses"] == {"200": 3}


# --- failures ------------------------------------------------------------------------------------


async def test_unknown_keys_are_an_auth_error(sandbox: SandboxProcess) -> None:
    async with client_for(sandbox, user_key="not-a-key") as client:
        with pytest.raises(MetrcAuthError) as caught:
            await client.list_facilities()
    assert caught.value.status_code == 401
    assert "not-a-key" not in str(caught.value)


async def test_too_many_objects_get_413_from_metrc(sandbox: SandboxProcess) -> None:
    async with client_for(sandbox, max_write_objects=None) as client:
        day = await today(client)
        labels = await tags(client, 11)
        with pytest.raises(MetrcRequestTooLargeError) as caught:
            await client.create_packages(LICENSE, [opening_package(t, day) for t in labels])
    assert caught.value.status_code == 413


async def test_429_with_retry_after_is_waited_out(sandbox: SandboxProcess) -> None:
    await sandbox.configure(get_rate_per_facility=5, retry_after_seconds=1)
    greedy = MetrcRateLimiter(RateLimits(facility_rate=1000, vendor_rate=1000))
    async with client_for(sandbox, limiter=greedy) as client:
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(*(client.list_locations(LICENSE) for _ in range(12)))
        elapsed = asyncio.get_running_loop().time() - started
    assert all(len(r) == 1 for r in results)
    assert elapsed >= 1.0  # at least one Retry-After was honoured

    await sandbox.add_faults(
        {"method": "GET", "path": "/locations/v2/active", "kind": "rate_limit", "times": 1}
    )
    async with client_for(sandbox, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(MetrcRateLimitedError) as caught:
            await client.list_locations(LICENSE)
    assert caught.value.retry_after == 1.0


async def test_the_client_limiter_keeps_under_metrc_limits(sandbox: SandboxProcess) -> None:
    await sandbox.configure(get_rate_per_facility=20, concurrency_per_facility=3, latency_ms=20)
    polite = MetrcRateLimiter(RateLimits(facility_rate=20, facility_concurrency=3, headroom=0.1))
    async with client_for(sandbox, limiter=polite, retry=RetryPolicy(max_attempts=1)) as client:
        await asyncio.gather(*(client.list_locations(LICENSE) for _ in range(30)))
    counters = (await sandbox.state())["requests"]["GET /locations/v2/active"]
    assert counters["statuses"] == {"200": 30}


async def test_5xx_on_a_get_is_retried(metrc: MetrcClient, sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "GET",
            "path": "/packages/v2/active",
            "kind": "status",
            "status": 503,
            "times": 2,
        }
    )
    assert len(await metrc.list_packages(LICENSE)) == 1


async def test_5xx_on_a_write_was_not_applied_and_is_retried_once_applied(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    await sandbox.add_faults(
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "status",
            "status": 503,
            "times": 1,
        },
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "status",
            "status": 500,
            "times": 1,
        },
    )

    await metrc.adjust_packages(LICENSE, [adjustment(seeded.label, day, "-1", "canopy:5xx")])

    state = await sandbox.state()
    assert [a["AdjustmentNote"] for a in state["adjustments"]] == ["canopy:5xx"]
    assert (await metrc.get_package(LICENSE, seeded.label)).quantity == Decimal("99.0")


async def test_a_lost_create_response_is_an_unknown_outcome_resolved_by_tag(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [tag] = await tags(metrc, 1)
    await sandbox.add_faults(
        {"method": "POST", "path": "/packages/v2/", "kind": "lost_response", "times": 1}
    )

    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.create_packages(LICENSE, [opening_package(tag, day)])

    assert await metrc.find_package(LICENSE, tag) is not None
    labels = [p["Label"] for p in (await sandbox.state())["packages"]]
    assert labels.count(tag) == 1


async def test_a_lost_adjust_response_is_resolved_from_the_history(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    started = datetime.now(UTC)
    await sandbox.add_faults(
        {"method": "POST", "path": "/packages/v2/adjust", "kind": "lost_response", "times": 1}
    )

    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.adjust_packages(LICENSE, [adjustment(seeded.label, day, "-4", "canopy:lost")])

    history = await metrc.package_adjustments_since(LICENSE, seeded.label, started)
    assert [a.adjustment_note for a in history] == ["canopy:lost"]
    assert (await metrc.get_package(LICENSE, seeded.label)).quantity == Decimal("96.0")


async def test_a_slow_get_times_out_and_is_retried(sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "GET",
            "path": "/packages/v2/active",
            "kind": "slow",
            "delay_ms": 1500,
            "times": 1,
        }
    )
    async with client_for(sandbox, timeout=httpx.Timeout(0.5)) as client:
        assert len(await client.list_packages(LICENSE)) == 1


async def test_a_slow_write_that_times_out_is_an_unknown_outcome(sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "slow",
            "delay_ms": 1500,
            "times": 1,
        }
    )
    async with client_for(sandbox, timeout=httpx.Timeout(0.5)) as client:
        day = await today(client)
        [seeded] = await client.list_packages(LICENSE)
        with pytest.raises(MetrcUnknownOutcomeError):
            await client.adjust_packages(
                LICENSE, [adjustment(seeded.label, day, "-1", "canopy:slow")]
            )
    counters = (await sandbox.state())["requests"]["POST /packages/v2/adjust"]
    assert counters["requests"] == 1


# --- the key property ----------------------------------------------------------------------------


async def create_exactly_once(metrc: MetrcClient, package: PackageCreate) -> None:
    """The caller's rule: unknown outcome → read back before deciding; never resend blindly."""
    while True:
        try:
            await metrc.create_packages(LICENSE, [package])
            return
        except MetrcUnknownOutcomeError:
            await asyncio.sleep(SETTLE)
            if await metrc.find_package(LICENSE, package.tag) is not None:
                return
        except MetrcTransientError:
            continue


async def adjust_exactly_once(metrc: MetrcClient, adjust: PackageAdjust, since: datetime) -> None:
    while True:
        try:
            await metrc.adjust_packages(LICENSE, [adjust])
            return
        except MetrcUnknownOutcomeError:
            await asyncio.sleep(SETTLE)
            history = await metrc.package_adjustments_since(LICENSE, adjust.label, since)
            if any(a.adjustment_note == adjust.reason_note for a in history):
                return
        except MetrcTransientError:
            continue


FAULTS: list[dict[str, Any] | None] = [
    None,
    {"kind": "status", "status": 503},
    {"kind": "status", "status": 500},
    {"kind": "rate_limit"},
    {"kind": "lost_response"},
    {"kind": "slow", "delay_ms": 800},
]


@pytest.mark.slow
@pytest.mark.parametrize("seed_value", [1, 2, 3])
async def test_no_write_is_applied_twice_for_one_intent_under_any_fault_sequence(
    sandbox: SandboxProcess, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    async with client_for(sandbox, timeout=httpx.Timeout(0.4, connect=2.0)) as client:
        day = await today(client)
        labels = await tags(client, 6)
        since = datetime.now(UTC) - timedelta(minutes=1)
        expected: dict[str, Decimal] = {}
        notes: list[str] = []

        for index, tag in enumerate(labels):
            for path in ("/packages/v2/", "/packages/v2/adjust"):
                for _ in range(rng.randint(0, 2)):
                    fault = rng.choice(FAULTS)
                    if fault is not None:
                        await sandbox.add_faults(
                            {"method": "POST", "path": path, "times": 1, **fault}
                        )
            await create_exactly_once(client, opening_package(tag, day, "10"))
            note = f"canopy:{seed_value}:{index}"
            await adjust_exactly_once(client, adjustment(tag, day, "-1.5", note), since)
            expected[tag] = Decimal("8.5")
            notes.append(note)
            await sandbox.clear_faults()

        for tag, quantity in expected.items():
            assert (await client.get_package(LICENSE, tag)).quantity == quantity

    state = await sandbox.state()
    labels_in_state = [p["Label"] for p in state["packages"]]
    for tag in labels:
        assert labels_in_state.count(tag) == 1
    adjustment_notes = [a["AdjustmentNote"] for a in state["adjustments"]]
    for note in notes:
        assert adjustment_notes.count(note) == 1
    # The faults did fire: Metrc saw more write requests than there were intents.
    sent = sum(
        state["requests"][f"POST {p}"]["requests"] for p in ("/packages/v2/", "/packages/v2/adjust")
    )
    assert sent > 2 * len(labels)
