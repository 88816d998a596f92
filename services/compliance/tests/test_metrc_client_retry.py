"""Retry policy: GETs retried with backoff and Retry-After; writes never resent once sent."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcError,
    MetrcRateLimitedError,
    MetrcRejectedError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    RetryPolicy,
)
from compliance.adapters.metrc._retry import parse_retry_after
from compliance.adapters.metrc.testing import FakeClock
from compliance.adapters.metrc.testing.bodies import package_adjustment

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
FACILITIES = [{"Name": "F", "License": {"Number": LICENSE}}]
IDS = {"Ids": [42], "Warnings": None}


class Script:
    """Answers requests from a list of responses or exceptions, counting what was sent."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self._steps: Iterator[httpx.Response | Exception] = iter(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = next(self._steps)
        if isinstance(step, Exception):
            raise step
        return step


async def test_a_get_is_retried_with_exponential_backoff_until_it_succeeds(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    script = Script(httpx.Response(503), httpx.Response(500), httpx.Response(200, json=FACILITIES))
    client = make_client(script)

    facilities = await client.list_facilities()

    assert [f.license_number for f in facilities] == [LICENSE]
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_a_get_honours_retry_after_over_its_own_backoff(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json=FACILITIES),
    )
    client = make_client(script)

    await client.list_facilities()

    assert clock.sleeps == [2.0]


async def test_retry_after_is_never_shortened_by_jitter(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "0.2"}),
        httpx.Response(429, headers={"Retry-After": "0.2"}),
        httpx.Response(200, json=FACILITIES),
    )
    client = make_client(script, rng=random.Random(7))

    await client.list_facilities()

    assert len(clock.sleeps) == 2
    assert all(s >= 0.2 for s in clock.sleeps)


async def test_a_retry_after_longer_than_the_policy_allows_goes_to_the_caller(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "120"}))
    client = make_client(script)

    with pytest.raises(MetrcRateLimitedError) as caught:
        await client.list_facilities()

    assert caught.value.retry_after == 120.0
    assert clock.sleeps == []


async def test_a_get_gives_up_after_max_attempts(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    script = Script(*[httpx.Response(503) for _ in range(4)])
    client = make_client(script, retry=RetryPolicy(max_attempts=4, base_delay=1, max_delay=3))

    with pytest.raises(MetrcTransientError) as caught:
        await client.list_facilities()

    assert caught.value.attempts == 4
    assert clock.sleeps == [1.0, 2.0, 3.0]


async def test_full_jitter_stays_inside_the_backoff_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=10)
    rng = random.Random(1)
    for attempt in range(1, 8):
        ceiling = min(10, 0.5 * 2 ** (attempt - 1))
        samples = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2


async def test_a_get_retries_transport_failures_and_disguised_server_faults(
    make_client: ClientFactory,
) -> None:
    script = Script(
        httpx.ReadTimeout("slow"),
        httpx.Response(
            400, json={"Message": "Object reference not set to an instance of an object."}
        ),
        httpx.Response(200, json=FACILITIES),
    )
    client = make_client(script)

    await client.list_facilities()

    assert len(script.requests) == 3


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(401, json={"Message": "denied"}),
        httpx.Response(404),
        httpx.Response(400, json=[]),
    ],
)
async def test_client_errors_are_never_retried(
    make_client: ClientFactory, response: httpx.Response
) -> None:
    script = Script(response)
    client = make_client(script)

    with pytest.raises(MetrcError) as caught:
        await client.list_facilities()

    assert len(script.requests) == 1
    assert not isinstance(caught.value, MetrcTransientError)


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset"),
    ],
)
async def test_a_post_is_never_resent_after_it_may_have_reached_metrc(
    make_client: ClientFactory, clock: FakeClock, exc: Exception
) -> None:
    script = Script(exc, httpx.Response(200, json=IDS))
    client = make_client(script)

    with pytest.raises(MetrcUnknownOutcomeError):
        await client.adjust_packages(LICENSE, [package_adjustment()])

    assert len(script.requests) == 1
    assert clock.sleeps == []


async def test_a_post_that_never_left_is_retried(make_client: ClientFactory) -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json=IDS))
    client = make_client(script)

    result = await client.adjust_packages(LICENSE, [package_adjustment()])

    assert result.ids == [42]
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_post_answered_with_429_or_5xx_was_not_applied_and_is_retried(
    make_client: ClientFactory, status: int
) -> None:
    script = Script(httpx.Response(status), httpx.Response(200, json=IDS))
    client = make_client(script)

    result = await client.adjust_packages(LICENSE, [package_adjustment()])

    assert result.ids == [42]
    assert len(script.requests) == 2
    assert script.requests[0].content == script.requests[1].content


async def test_a_rejected_post_is_not_retried(make_client: ClientFactory) -> None:
    script = Script(httpx.Response(400, json=[{"row": 0, "message": "Tag is not valid."}]))
    client = make_client(script)

    with pytest.raises(MetrcRejectedError):
        await client.adjust_packages(LICENSE, [package_adjustment()])

    assert len(script.requests) == 1


async def test_write_retries_can_be_switched_off(make_client: ClientFactory) -> None:
    script = Script(httpx.Response(503))
    client = make_client(script, retry=RetryPolicy(retry_writes=False))

    with pytest.raises(MetrcTransientError):
        await client.adjust_packages(LICENSE, [package_adjustment()])

    assert len(script.requests) == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 2, 8, 12, 0, 0, tzinfo=UTC)
    later = now + timedelta(seconds=30)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"), now=now) == 30.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
