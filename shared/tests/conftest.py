"""Fixtures for the messaging tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from shared.events import Topic
from shared.testing.infra import KafkaServer
from shared.testing.messaging import Harness, make_harness


@pytest.fixture
async def harness(
    database_url: str, kafka_server: KafkaServer, topic_factory: Callable[..., Awaitable[Topic]]
) -> AsyncIterator[Harness]:
    built = await make_harness(database_url, kafka_server.bootstrap, await topic_factory("ping"))
    yield built
    await built.database.close()
