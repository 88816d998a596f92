"""A deadline for the calls of one piece of work (``calls_deadline``): no try of a call starts
after it and no wait between tries (a backoff, a ``Retry-After``) runs past it; the call gives
up with ``MetrcDeadlineError``, a transient error (nothing was applied). And every try is cut off
at the client's limit (connect + read timeouts), so the last try ends by the deadline plus that."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcDeadlineError,
    MetrcRateLimitedError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    RetryPolicy,
    calls_deadline,
    current_deadline,
)
from compliance.adapters.metrc.testing import FakeClock
from compliance.adapters.metrc.testing.bodies import package_adjustment

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
FACILITIES = [{"Name": "F", "License": {"Number": LICENSE}}]
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Answers:
    """Answers requests in order from a list, recording when (on the fake clock) each came."""

    def __init__(self, clock: FakeClock, *responses: httpx.Response) -> None:
        self._clock = clock
        self._responses = list(responses)
        self.sent_at: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent_at.append(self._clock.now)
        return self._responses.pop(0)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


@pytest.fixture
def client_on(make_client: ClientFactory, clock: FakeClock) -> Callable[..., MetrcClient]:
    """A client whose wall clock is the fake clock (``START`` plus its seconds)."""

    def build(handler: Answers, **kwargs: object) -> MetrcClient:
        return make_client(handler, now=lambda: at(clock.now), **kwargs)

    return build


class TestNoTryStartsAfterTheDeadline:
    async def test_a_write_whose_backoff_would_end_past_the_deadline_gives_up_without_waiting(
        self, client_on: Callable[..., MetrcClient], clock: FakeClock
    ) -> None:
        answers = Answers(clock, httpx.Response(503), httpx.Response(503), httpx.Response(200))
        client = client_on(answers, retry=RetryPolicy(max_attempts=4, base_delay=1, max_delay=8))

        with calls_deadline(at(2.5)), pytest.raises(MetrcDeadlineError) as caught:
            await client.adjust_packages(LICENSE, [package_adjustment()])

        # Tries at 0 and 1; the third would start at 1 + 2 = 3, after 2.5: not waited for.
        assert answers.sent_at == [0.0, 1.0]
        assert clock.sleeps == [1.0]
        assert caught.value.attempts == 2
        assert isinstance(caught.value, MetrcTransientError)  # nothing applied: retry later
        assert isinstance(caught.value.__cause__, MetrcTransientError)

    async def test_a_retry_after_that_would_end_past_the_deadline_is_not_waited(
        self, client_on: Callable[..., MetrcClient], clock: FakeClock
    ) -> None:
        answers = Answers(
            clock, httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200)
        )
        client = client_on(answers)

        with calls_deadline(at(20)), pytest.raises(MetrcDeadlineError) as caught:
            await client.adjust_packages(LICENSE, [package_adjustment()])

        assert answers.sent_at == [0.0]
        assert clock.sleeps == []
        assert isinstance(caught.value.__cause__, MetrcRateLimitedError)

    async def test_a_call_made_after_the_deadline_sends_nothing(
        self, client_on: Callable[..., MetrcClient], clock: FakeClock
    ) -> None:
        clock.now = 61.0
        answers = Answers(clock, httpx.Response(200, json=FACILITIES))
        client = client_on(answers)

        with calls_deadline(at(60)), pytest.raises(MetrcDeadlineError) as caught:
            await client.list_facilities()

        assert answers.sent_at == []
        assert caught.value.attempts == 0

    async def test_retries_that_end_before_the_deadline_are_made_as_without_one(
        self, client_on: Callable[..., MetrcClient], clock: FakeClock
    ) -> None:
        answers = Answers(
            clock,
            httpx.Response(429, headers={"Retry-After": "30"}),
            httpx.Response(200, json={"Ids": [7]}),
        )
        client = client_on(answers)

        with calls_deadline(at(30)):
            result = await client.adjust_packages(LICENSE, [package_adjustment()])

        assert result.ids == [7]
        assert answers.sent_at == [0.0, 30.0]


class TestTheDeadlineInForce:
    def test_an_inner_deadline_never_extends_an_outer_one_and_each_ends_with_its_block(
        self,
    ) -> None:
        assert current_deadline() is None
        with calls_deadline(at(10)):
            with calls_deadline(at(20)):
                assert current_deadline() == at(10)
            with calls_deadline(at(5)):
                assert current_deadline() == at(5)
            assert current_deadline() == at(10)
        assert current_deadline() is None


class TestEveryTryIsCutOffAtTheClientsLimit:
    async def test_a_write_whose_answer_outlasts_connect_plus_read_is_an_unknown_outcome(
        self, make_client: ClientFactory
    ) -> None:
        # The mock transport applies no httpx timeouts: only the client's own limit ends this.
        async def never_answers(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(30)
            return httpx.Response(200)

        client = make_client(never_answers, timeout=httpx.Timeout(0.1, connect=0.05))
        assert client.try_limit == pytest.approx(0.15)

        started = asyncio.get_running_loop().time()
        with pytest.raises(MetrcUnknownOutcomeError):
            await client.adjust_packages(LICENSE, [package_adjustment()])

        assert asyncio.get_running_loop().time() - started < 5
