"""Dead letters: what is given up on goes to ``<topic>.dlt`` with the error in its headers, the
consumer goes on, and a re-drive puts the letters back once the cause is fixed."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from shared.database import UnitOfWork
from shared.events import EventEnvelope
from shared.messaging import RetryPolicy, kafka_broker, redrive
from shared.testing.messaging import Harness, messages_on, running

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def dead_letters(
    bootstrap: str, topic: str, expected: int
) -> list[tuple[bytes | None, dict[str, str]]]:
    """The dead letters on ``topic``, waiting up to 30 s for ``expected`` of them."""
    deadline = asyncio.get_running_loop().time() + 30
    found = await messages_on(bootstrap, topic)
    while len(found) < expected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
        found = await messages_on(bootstrap, topic)
    return found


async def send_raw(harness: Harness, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(harness.topic.name, value, key=b"k")
    finally:
        await producer.stop()


async def test_a_poison_message_is_dead_lettered_after_bounded_attempts_and_the_consumer_goes_on(
    harness: Harness,
) -> None:
    attempts: dict[str, int] = {}

    async def fussy(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if envelope.payload["seq"] == 13:
            attempts["13"] = attempts.get("13", 0) + 1
            raise ValueError("seq 13 is unlucky")
        await harness.record_effect(uow, envelope)

    await send_raw(harness, b"{not json")
    for seq in (12, 13, 14):
        await harness.write("k", seq)

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(
        broker, handler=fussy, policy=RetryPolicy(max_attempts=3, backoff_initial=0.01)
    )
    async with broker, running(harness.relay()):
        await broker.start()
        await harness.wait_for(
            "SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects", "12,14"
        )

    assert attempts["13"] == 3
    letters = await dead_letters(harness.bootstrap, harness.topic.dead_letter.name, 2)
    assert len(letters) == 2
    garbage, unlucky = letters
    assert garbage[0] == b"{not json"
    assert garbage[1]["x-dlt-attempts"] == "1"  # undecodable: no point retrying
    assert "ValidationError" in garbage[1]["x-dlt-error-class"]
    assert unlucky[1]["x-dlt-attempts"] == "3"
    assert unlucky[1]["x-dlt-error-message"] == "seq 13 is unlucky"
    assert unlucky[1]["x-dlt-original-topic"] == harness.topic.name
    assert unlucky[1]["x-dlt-consumer"] == "effects"
    assert uuid.UUID(unlucky[1]["event-id"])


async def test_a_poison_message_in_a_batch_is_dead_lettered_alone_and_the_rest_applied_once(
    harness: Harness,
) -> None:
    async def fussy(uow: UnitOfWork, envelopes: list[EventEnvelope]) -> None:
        if any(e.payload["seq"] == 13 for e in envelopes):
            raise ValueError("seq 13 is unlucky")
        await harness.record_batch(uow, envelopes)

    await harness.write_many([("k", seq) for seq in range(10, 20)])
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(
        broker,
        max_batch=100,
        handler=fussy,
        policy=RetryPolicy(max_attempts=2, backoff_initial=0.01),
    )
    async with broker, running(harness.relay()):
        await broker.start()
        await harness.wait_for("SELECT count(*) FROM effects", 9)
        await asyncio.sleep(0.5)

    assert (
        await harness.scalar("SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects")
        == "10,11,12,14,15,16,17,18,19"
    )
    letters = await dead_letters(harness.bootstrap, harness.topic.dead_letter.name, 1)
    assert [h["x-dlt-attempts"] for _, h in letters] == ["2"]
    assert EventEnvelope.from_bytes(letters[0][0] or b"").payload["seq"] == 13


async def test_dead_letters_can_be_redriven_once_the_cause_is_fixed(harness: Harness) -> None:
    broken = True

    async def flaky(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if broken:
            raise RuntimeError("bug in the handler")
        await harness.record_effect(uow, envelope)

    await harness.write("k", 1)
    group = f"tests-{uuid.uuid4().hex[:8]}"
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(
        broker,
        handler=flaky,
        group_id=group,
        policy=RetryPolicy(max_attempts=2, backoff_initial=0.01),
    )
    async with broker, running(harness.relay()):
        await broker.start()
        assert len(await dead_letters(harness.bootstrap, harness.topic.dead_letter.name, 1)) == 1
        broken = False
        moved = await redrive(
            harness.bootstrap, harness.topic.dead_letter.name, group_id=f"redrive-{group}"
        )
        assert moved == 1
        await harness.wait_for("SELECT count(*) FROM effects", 1)


async def test_redriving_a_message_that_fails_again_moves_it_once_and_returns(
    harness: Harness,
) -> None:
    await send_raw(harness, b"{not json")
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker:
        await broker.start()
        dead = harness.topic.dead_letter.name
        while len(await messages_on(harness.bootstrap, dead)) < 1:
            await asyncio.sleep(0.2)
        # Another consumer's re-drive neither moves this letter nor marks it as done.
        assert await redrive(harness.bootstrap, dead, consumer="someone-else") == 0
        moved = await asyncio.wait_for(redrive(harness.bootstrap, dead, consumer="effects"), 30)
        assert moved == 1
        while len(await messages_on(harness.bootstrap, dead)) < 2:
            await asyncio.sleep(0.2)  # the poison failed again and was dead-lettered again
        assert await asyncio.wait_for(redrive(harness.bootstrap, dead, consumer="effects"), 30) == 1

    assert [v for v, _ in await messages_on(harness.bootstrap, harness.topic.name)] == [
        b"{not json"
    ] * 3
