"""Killing a consumer (one event or a batch per transaction) or the database in the middle of
work loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
from shared.events import EventEnvelope
from shared.messaging import kafka_broker
from shared.outbox import outbox_message
from shared.testing.infra import PostgresServer, repo_root
from shared.testing.messaging import (
    Harness,
    assert_order_per_key,
    make_harness,
    messages_on,
    running,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


async def start_consumer(harness: Harness, group: str, *options: str) -> asyncio.subprocess.Process:
    """The test consumer (``shared.testing.consumer_process``: built only from ``shared``)."""
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
        *options,
        cwd=repo_root(),
    )


IN_TRANSACTION = (
    "SELECT count(*) > 0 FROM pg_stat_activity"
    " WHERE application_name = 'test-consumer' AND state = 'idle in transaction'"
)


async def kill_and_replace(harness: Harness, *options: str) -> int:
    """Start the test consumer, SIGKILL it once 150 effects are in and it is inside a
    transaction (effects and inbox rows written, nothing committed; no shutdown, no offset
    commit), start another in its group, and wait for all 600 effects. Returns how many effects
    there were at the kill."""
    group = f"tests-{uuid.uuid4().hex[:8]}"
    async with running(harness.relay()):
        victim = await start_consumer(harness, group, *options)
        await harness.wait_for("SELECT count(*) >= 150 FROM effects", True, timeout=90)
        await harness.wait_for(IN_TRANSACTION, True, timeout=30)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        killed_at = int(await harness.scalar("SELECT count(*) FROM effects"))
        successor = await start_consumer(harness, group, *options)
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
    return killed_at


async def test_a_consumer_killed_mid_stream_is_replaced_and_nothing_is_lost_or_doubled(
    harness: Harness,
) -> None:
    await harness.write_many([(f"batch-{i % 10}", i) for i in range(600)])
    await kill_and_replace(harness)


async def test_a_batch_consumer_killed_mid_batch_applies_every_effect_once_and_dead_letters_poison(
    harness: Harness,
) -> None:
    poison = outbox_message(
        {"key": "batch-0", "seq": 10_000, "poison": True},
        event=harness.ping,
        producer="tests",
        aggregate_id="batch-0",
    )
    events = [harness.message(f"batch-{i % 10}", i) for i in range(600)]
    await harness.write_messages([*events[:400], poison, *events[400:]])
    await kill_and_replace(harness, "--batch", "50", "--delay", "0.01")
    assert await harness.scalar("SELECT count(*) FROM effects WHERE seq = 10000") == 0
    letters = await messages_on(harness.bootstrap, harness.topic.dead_letter.name)
    # Only the poison event is dead-lettered. Dead-lettering is at least once: a consumer killed
    # after sending it and before committing the offset past it sends it again (a re-drive goes
    # through the inbox, which takes an event id once).
    assert {EventEnvelope.from_bytes(v).event_id for v, _ in letters} == {poison.event_id}


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
        await harness.database.close()
        await own_postgres.drop_database(database)
