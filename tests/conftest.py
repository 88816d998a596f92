"""Fixtures shared by the cross-service tests: the identity key pair, and the platform as
processes (shared.testing.platform: gateway and inventory on free ports, real PostgreSQL and
Kafka)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform


@pytest.fixture(scope="session")
def identity_keys() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture(scope="module")
async def running_platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    """The platform as processes, for the tests of one module (a start costs seconds of every
    service's start-up; each test makes its own users, keys and sites on it)."""
    logs = tmp_path_factory.mktemp("platform")
    platform = await start_platform(postgres_server, kafka_server, identity_keys, logs)
    yield platform
    platform.stop()
