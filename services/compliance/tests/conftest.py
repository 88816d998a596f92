"""Fixtures for the Metrc client's unit tests: a fake clock and a client over MockTransport."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcCredentials,
    MetrcRateLimiter,
    RateLimits,
    RetryPolicy,
)
from compliance.adapters.metrc.testing import FakeClock
from pydantic import SecretStr

# Tests repeat these literals (conftest is not importable under --import-mode=importlib).
VENDOR_KEY = "VENDOR-KEY-d41d8cd98f00b204"
USER_KEY = "USER-KEY-e9800998ecf8427e"

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class CeilingRandom(random.Random):
    """Full jitter that always picks the top of its range, so backoff is predictable."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_client(clock: FakeClock) -> AsyncIterator[Callable[..., MetrcClient]]:
    clients: list[MetrcClient] = []

    def factory(
        handler: Handler,
        *,
        retry: RetryPolicy | None = None,
        limits: RateLimits | None = None,
        **kwargs: Any,
    ) -> MetrcClient:
        client = MetrcClient(
            base_url="https://sandbox-api-co.metrc.com",
            credentials=MetrcCredentials(
                vendor_key=SecretStr(VENDOR_KEY), user_key=SecretStr(USER_KEY)
            ),
            transport=httpx.MockTransport(handler),
            limiter=MetrcRateLimiter(limits, clock=clock),
            retry=retry or RetryPolicy(),
            rng=kwargs.pop("rng", CeilingRandom()),
            **kwargs,
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()
