"""The pytest plugin loaded by the root configuration (``-p shared.testing.plugin``).

Session fixtures hold one broker and one PostgreSQL server per test run; function fixtures give
each test its own database and its own topics, so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from shared import log_redaction
from shared.events.topics import Topic
from shared.kafka_topics import create_topics
from shared.testing.infra import KafkaServer, PostgresServer

TopicFactory = Callable[..., Awaitable[Topic]]


def pytest_configure(config: pytest.Config) -> None:
    # As every service process does when it configures logging: the services the tests run
    # in-process log through the same redaction.
    log_redaction.install()


@pytest.fixture(scope="session")
def kafka_server() -> KafkaServer:
    return KafkaServer.acquire()


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    return PostgresServer.acquire()


@pytest.fixture
async def database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database for one test, as a SQLAlchemy asyncpg URL."""
    name = await postgres_server.create_database()
    yield postgres_server.url_for(name)
    await postgres_server.drop_database(name)


@pytest.fixture
def topic_factory(kafka_server: KafkaServer) -> TopicFactory:
    """Creates uniquely named topics (and their dead-letter topics) for one test."""

    async def make(prefix: str = "test", partitions: int = 3) -> Topic:
        topic = Topic(
            name=f"{prefix}.{uuid.uuid4().hex[:8]}",
            partitions=partitions,
            retention_ms=3_600_000,
            owner="tests",
            key="test key",
            description="created by a test",
        )
        await create_topics(kafka_server.bootstrap, [topic, topic.dead_letter])
        return topic

    return make
