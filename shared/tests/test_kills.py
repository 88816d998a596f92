"""Killing a consumer or the database in the middle of work loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from shared.messaging import kafka_broker
from shared.testing.infra import PostgresServer, repo_root
from shared.testing.messaging import Harness, assert_order_per_key, make_harness, running

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


async def start_consumer(harness: Harness, group: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.testing.consumer_process",
        "--db",
        harness.database_url,
        "--bootstrap",
        harness.bootstrap,
        "--topic",
        harness.topic.name,
        "--group",
        group,
        cwd=repo_root(),
    )


async def test_a_consumer_killed_mid_stream_is_replaced_and_nothing_is_lost_or_doubled(
    harness: Harness,
) -> None:
    await harness.write_many([(f"batch-{i % 10}", i) for i in range(600)])
    group = f"tests-{uuid.uuid4().hex[:8]}"
    async with running(harness.relay()):
        victim = await start_consumer(harness, group)
        await harness.wait_for("SELECT count(*) >= 150 FROM effects", True, timeout=90)
        victim.send_signal(signal.SIGKILL)  # no shutdown, no offset commit, mid-transaction
        await victim.wait()
        killed_at = await harness.scalar("SELECT count(*) FROM effects")
        successor = await start_consumer(harness, group)
        try:
            await harness.wait_for("SELECT count(*) FROM effects", 600, timeout=120)
            await asyncio.sleep(1.0)
        finally:
            successor.terminate()
            await successor.wait()

    assert killed_at < 600, "the kill must land while events are still being consumed"
    assert await harness.scalar("SELECT count(*) FROM effects") == 600
    assert await harness.scalar("SELECT count(DISTINCT event_id) FROM effects") == 600
    await assert_order_per_key(harness)


@pytest.fixture
async def own_postgres() -> AsyncIterator[PostgresServer]:
    """A PostgreSQL server of this test's own: killing it must not disturb other test runs.

    Durable settings (fsync, synchronous_commit): with them off, a crash may forget commits it has
    already acknowledged, which no application can survive; the test runs what production runs.
    """
    # Next to the run's own cluster by default, so that two checkouts' runs do not share it.
    default = int(os.environ.get("CANOPY_TEST_PG_PORT", "55433")) + 1
    port = os.environ.get("CANOPY_TEST_KILLABLE_PG_PORT", str(default))
    server = PostgresServer(
        admin_url=f"postgresql://postgres:postgres@127.0.0.1:{port}/postgres",
        controllable=True,
        _env={
            "PG_PORT": port,
            "PG_FAST": "0",
            "CANOPY_STACK_DIR": str(repo_root() / ".stack" / "test"),
        },
    )
    await asyncio.to_thread(server.stop)  # so that it starts with the durable settings
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)  # this test's own: nothing of it outlives the test


async def test_the_database_killed_mid_stream_loses_and_doubles_nothing(
    own_postgres: PostgresServer, kafka_server: object, topic_factory: object
) -> None:
    database = await own_postgres.create_database()
    topic = await topic_factory("db-kill")  # type: ignore[operator]
    harness = await make_harness(
        own_postgres.url_for(database),
        kafka_server.bootstrap,
        topic,  # type: ignore[attr-defined]
    )

    async def produce() -> None:
        written = 0
        while written < 500:
            try:
                await harness.write_many([(f"batch-{i % 10}", written + i) for i in range(10)])
            except Exception:  # the database is down: a client would retry its command
                await asyncio.sleep(0.2)
                continue
            written += 10
            await asyncio.sleep(0.02)

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    try:
        async with broker, running(harness.relay()):
            await broker.start()
            writer = asyncio.create_task(produce())
            await harness.wait_for("SELECT count(*) >= 100 FROM effects", True)
            await asyncio.to_thread(own_postgres.kill)  # SIGKILL the postmaster
            await asyncio.sleep(2)
            await asyncio.to_thread(own_postgres.start)  # crash recovery, then back
            await writer
            await harness.wait_for("SELECT count(*) FROM effects", 500, timeout=120)
            await asyncio.sleep(1.0)
        assert await harness.scalar("SELECT count(*) FROM effects") == 500
        assert await harness.scalar("SELECT count(DISTINCT event_id) FROM effects") == 500
        await assert_order_per_key(harness)
        assert await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await harness.engine.dispose()
        await own_postgres.drop_database(database)
