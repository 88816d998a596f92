"""Fixtures shared by the cross-service tests: the identity key pair, and the platform as
processes (shared.testing.platform: gateway and inventory on free ports, real PostgreSQL and
Kafka)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform


@pytest.fixture(scope="session")
def identity_keys() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture
async def running_platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path: Path,
) -> AsyncIterator[RunningPlatform]:
    """The platform as processes, for one test."""
    platform = await start_platform(postgres_server, kafka_server, identity_keys, tmp_path)
    yield platform
    platform.stop()
