"""Fixtures for the Metrc adapter's tests: a fake clock and a client over MockTransport (unit
tests of the client), the sandbox process, and ``backend``: the in-memory fake or the sandbox over
real HTTP through the real client, loaded with the contract world (the contract suite)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcClient,
    MetrcCredentials,
    MetrcRateLimiter,
    RateLimits,
    RetryPolicy,
)
from compliance.adapters.metrc.testing import (
    FakeClock,
    MetrcBackend,
    SandboxProcess,
    contract_world,
)
from pydantic import SecretStr

# Tests repeat these literals (conftest is not importable under --import-mode=importlib).
VENDOR_KEY = "VENDOR-KEY-d41d8cd98f00b204"
USER_KEY = "USER-KEY-e9800998ecf8427e"
# Metrc's documented limits; tests that change one put them back through this.
SANDBOX_CONFIG = {
    "latency_ms": 0,
    "jitter_ms": 0,
    "get_rate_per_facility": 50,
    "get_rate_per_vendor": 150,
    "concurrency_per_facility": 10,
    "concurrency_per_vendor": 30,
    "max_page_size": 20,
    "max_write_objects": 10,
    "last_modified_max_hours": 24,
    "retry_after_seconds": 1,
    "rate_limits_enabled": True,
}

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


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    """One sandbox process for the session; each test resets it."""
    with SandboxProcess() as process:
        yield process


@pytest.fixture
async def sandbox(sandbox_process: SandboxProcess) -> SandboxProcess:
    """The sandbox with no faults and Metrc's limits (its state is the test's to load)."""
    await sandbox_process.clear_faults()
    await sandbox_process.configure(**SANDBOX_CONFIG)
    return sandbox_process


@pytest.fixture(params=["fake", "sandbox"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[MetrcBackend]:
    """The contract suite's Metrc: ``FakeMetrc`` in memory, or the sandbox over real HTTP through
    ``MetrcClient``, both loaded with ``contract_world()``."""
    world = contract_world()
    if request.param == "fake":
        fake = FakeMetrc.from_world(world)
        yield MetrcBackend("fake", fake, fake, world)
        return
    sandbox: SandboxProcess = request.getfixturevalue("sandbox_process")
    await sandbox.clear_faults()
    await sandbox.configure(**SANDBOX_CONFIG)
    await sandbox.load(world)
    async with MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(world.vendor_key), user_key=SecretStr(world.user_key)
        ),
        retry=RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.5),
        timeout=httpx.Timeout(5.0, connect=2.0),
    ) as client:
        yield MetrcBackend("sandbox", client, sandbox, world)


class ComplianceApi:
    """The compliance HTTP API over the service layer on the in-memory unit of work and
    ``FakeMetrc`` (``ComplianceHarness``), called with the gateway's identity tokens."""

    def __init__(
        self, harness: Any, client: httpx.AsyncClient, private_key: str, spans: Any
    ) -> None:
        self.h = harness
        self.client = client
        self._private_key = private_key
        self.spans = spans
        """The API's finished spans (an ``InMemorySpanExporter``)."""

    def caller(
        self, *permissions: str, sites: tuple[str, ...] = ("*",), subject: str = "qa-1"
    ) -> dict[str, str]:
        from shared.identity import IDENTITY_HEADER, Identity, issue_identity_token

        identity = Identity(subject=subject, permissions=permissions, sites=sites)
        return {IDENTITY_HEADER: issue_identity_token(identity, self._private_key)}

    @property
    def officer(self) -> dict[str, str]:
        """A compliance officer: both compliance permissions and inventory reads, every site."""
        return self.caller("compliance:sync", "compliance:manage", "inventory:read")


@pytest.fixture
async def compliance_api() -> AsyncIterator[ComplianceApi]:
    from compliance.config import ComplianceSettings
    from compliance.entrypoints.api import create_app
    from compliance.entrypoints.container import Container, Handlers
    from compliance.service_layer import CredentialsService, Queries, RulesService
    from compliance.testing import ComplianceHarness
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from shared.identity import generate_keypair
    from shared.testing.log_audit import register_secret

    private, public = generate_keypair()
    harness = ComplianceHarness()
    for secret in (VENDOR_KEY, USER_KEY):
        register_secret(secret)

    def no_keyed_store() -> Any:
        raise AssertionError("Idempotency-Key runs are tested on PostgreSQL")

    async def nothing() -> None:
        return None

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))

    container = Container(
        settings=ComplianceSettings(
            CANOPY_IDENTITY_PUBLIC_KEY=public, KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9"
        ),
        uow=no_keyed_store,
        database_check=nothing,
        close=nothing,
        tracer_provider=tracer_provider,
        context=harness.ctx,
        handlers=Handlers(
            credentials=CredentialsService(harness.ctx),
            rules=RulesService(harness.ctx),
            manual=harness.manual,
            queries=Queries(harness.ctx),
        ),
    )
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://compliance") as client:
        yield ComplianceApi(harness, client, private, spans)
