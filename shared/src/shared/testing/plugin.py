"""The pytest plugin loaded by the root configuration (``-p shared.testing.plugin``).

Session fixtures hold one broker and one PostgreSQL server per test run (stopped at its end if
the run started them; the run's last lines say what became of them); function fixtures give each
test its own database and its own topics, so tests never see each other's data. A migrated
database is a copy of a template migrated once per run (``migrated_database``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from shared import log_redaction
from shared.events.topics import Topic
from shared.kafka_topics import create_topics
from shared.migrations import upgrade
from shared.testing import log_audit
from shared.testing.infra import KafkaServer, PostgresServer

TopicFactory = Callable[..., Awaitable[Topic]]
MigratedDatabase = Callable[[Path], Awaitable[str]]


def pytest_configure(config: pytest.Config) -> None:
    # As every service process does when it configures logging: the services the tests run
    # in-process log through the same redaction, at the same level (INFO), and every record
    # of the run is kept for the log audit at its end.
    log_redaction.install()
    root = logging.getLogger()
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    root.addHandler(log_audit.start().handler())


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any log line of it holds a secret or a statement parameter."""
    audit = log_audit.current()
    if audit is None:
        return
    _audit_findings[:] = audit.findings()
    if _audit_findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_stack_report: list[str] = []
_audit_findings: list[str] = []


@pytest.fixture(scope="session")
def kafka_server() -> Iterator[KafkaServer]:
    server = KafkaServer.acquire()
    yield server
    _stack_report.append(server.release())


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer.acquire()
    if (audit := log_audit.current()) is not None and (log := server.log_file()) is not None:
        audit.watch(log, from_end=True)
    yield server
    _stack_report.append(server.release())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say what the log audit found, and what became of the test stack, so nothing stays
    running unannounced."""
    audit = log_audit.current()
    if audit is not None:
        records, files = audit.scanned()
        terminalreporter.section("log audit")
        terminalreporter.write_line(
            f"{records} log records of the test process and {files} log files of processes"
            f" and PostgreSQL scanned for secrets and statement parameters:"
            f" {len(_audit_findings)} found"
        )
        for finding in _audit_findings[:50]:
            terminalreporter.write_line(finding, red=True)
    if _stack_report:
        terminalreporter.section("test stack")
        for line in _stack_report:
            terminalreporter.write_line(line)


@pytest.fixture
async def database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database for one test, as a SQLAlchemy asyncpg URL."""
    name = await postgres_server.create_database()
    yield postgres_server.url_for(name)
    await postgres_server.drop_database(name)


async def migrated_copy(server: PostgresServer, migrations: Path) -> str:
    """A new database at the head of a service's Alembic ``migrations``; returns its name.

    It is a copy of a template that Alembic migrated once per run (``CREATE DATABASE ...
    TEMPLATE`` takes a fraction of a second, a migration seconds); each service's migrations
    are tested on their own, from an empty database, by its migration tests."""

    async def build(name: str) -> None:
        await asyncio.to_thread(upgrade, migrations, server.url_for(name))

    return await server.copy_of_template(f"alembic:{migrations}", build, prefix="migrated")


@pytest.fixture
async def migrated_database(postgres_server: PostgresServer) -> AsyncIterator[MigratedDatabase]:
    """``await migrated_database(migrations_dir)``: a fresh database at the head of a service's
    Alembic migrations (:func:`migrated_copy`), for one test, as a SQLAlchemy asyncpg URL."""
    made: list[str] = []

    async def make(migrations: Path) -> str:
        made.append(await migrated_copy(postgres_server, migrations))
        return postgres_server.url_for(made[-1])

    yield make
    for name in made:
        await postgres_server.drop_database(name)


async def make_topic(bootstrap: str, prefix: str = "test", partitions: int = 3) -> Topic:
    """A uniquely named topic and its dead-letter topic, created on the broker."""
    topic = Topic(
        name=f"{prefix}.{uuid.uuid4().hex[:8]}",
        partitions=partitions,
        retention_ms=3_600_000,
        owner="tests",
        key="test key",
        description="created by a test",
    )
    await create_topics(bootstrap, [topic, topic.dead_letter])
    return topic


@pytest.fixture
def topic_factory(kafka_server: KafkaServer) -> TopicFactory:
    """Creates uniquely named topics (and their dead-letter topics) for one test."""

    async def make(prefix: str = "test", partitions: int = 3) -> Topic:
        return await make_topic(kafka_server.bootstrap, prefix, partitions)

    return make
