"""The inbox consumer on the unit of work: effects, inbox rows and outgoing events commit
together; duplicates are skipped; failures are sorted into poison, transient and other; a batch
that fails is taken one event at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from shared.database import UnitOfWork
from shared.events import EventEnvelope
from shared.messaging import (
    BatchInboxConsumer,
    InboxConsumer,
    Outcome,
    PoisonMessageError,
    RetryPolicy,
    kafka_broker,
)
from shared.outbox import write_outbox
from shared.testing.messaging import Harness, envelopes_of

pytestmark = [pytest.mark.postgres]

QUICK = RetryPolicy(max_attempts=3, backoff_initial=0.001, backoff_max=0.002)


@dataclass
class FakeRecord:
    value: bytes | None
    offset: int = 7
    topic: str = "t"
    partition: int = 0
    key: bytes | None = b"k"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class RecordingSink:
    failures_left: int = 0
    calls: int = 0
    letters: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)

    async def __call__(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None:
        self.calls += 1
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("broker away")
        self.letters.append((value, headers))


def record_of(harness: Harness, seq: int, offset: int | None = None) -> FakeRecord:
    envelope = harness.message("k", seq).envelope.encode()
    return FakeRecord(value=envelope, offset=seq if offset is None else offset)


def build(
    harness: Harness, handler: object, sink: RecordingSink, *, max_batch: int = 1, **policy: float
) -> Any:
    """An inbox consumer of fake records (no broker): one event per transaction, or batches."""
    common: dict[str, Any] = {
        "name": "c",
        "group_id": "g",
        "unit_of_work": harness.unit_of_work,
        "handler": handler,
        "dead_letters": sink,
        "policy": RetryPolicy(**policy) if policy else QUICK,  # type: ignore[arg-type]
    }
    if max_batch > 1:
        common["handler"] = envelopes_of(handler)  # type: ignore[arg-type]
        return BatchInboxConsumer(max_batch=max_batch, **common)
    return InboxConsumer(**common)


async def until_settled(consumer: InboxConsumer[UnitOfWork], record: FakeRecord) -> list[Outcome]:
    outcomes = [await consumer.process(record)]
    while outcomes[-1] is Outcome.RETRY and len(outcomes) < 50:
        outcomes.append(await consumer.process(record))
    return outcomes


async def test_an_event_seen_before_is_not_handled_again(harness: Harness) -> None:
    consumer = build(harness, harness.record_effect, RecordingSink())
    record = record_of(harness, 1)
    assert await consumer.process(record) is Outcome.APPLIED
    assert await consumer.process(record) is Outcome.DUPLICATE
    assert await harness.scalar("SELECT count(*) FROM effects") == 1
    assert await harness.scalar("SELECT count(*) FROM inbox WHERE consumer = 'c'") == 1


async def test_effects_inbox_and_outgoing_events_commit_together_or_not_at_all(
    harness: Harness,
) -> None:
    fail = True

    async def forward(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        await harness.record_effect(uow, envelope)
        await write_outbox(uow.conn, [harness.message("next", envelope.payload["seq"])])
        if fail:
            raise ValueError("after writing everything")

    consumer = build(harness, forward, RecordingSink(), max_attempts=5)
    record = record_of(harness, 1)
    assert await consumer.process(record) is Outcome.RETRY
    counts = "SELECT (SELECT count(*) FROM effects) + (SELECT count(*) FROM inbox) + (SELECT count(*) FROM outbox)"
    assert await harness.scalar(counts) == 0
    fail = False
    assert await consumer.process(record) is Outcome.APPLIED
    assert await harness.scalar(counts) == 3


async def test_outages_do_not_count_towards_dead_lettering(harness: Harness) -> None:
    calls = 0

    async def handler(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        if calls <= 6:
            raise ConnectionRefusedError(111, "database away")
        raise ValueError("a bug")

    sink = RecordingSink()
    consumer = build(harness, handler, sink)
    outcomes = await until_settled(consumer, record_of(harness, 1))
    assert outcomes[-1] is Outcome.DEAD_LETTERED
    assert calls == 6 + 3
    assert sink.letters[0][1]["x-dlt-attempts"] == "3"


async def test_a_dead_letter_that_cannot_be_published_is_retried_without_rerunning_the_handler(
    harness: Harness,
) -> None:
    calls = 0

    async def handler(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("a bug")

    sink = RecordingSink(failures_left=3)
    consumer = build(
        harness, handler, sink, max_attempts=2, backoff_initial=0.001, backoff_max=0.002
    )
    outcomes = await until_settled(consumer, record_of(harness, 1))
    assert outcomes == [Outcome.RETRY] * 4 + [Outcome.DEAD_LETTERED]  # 1 retry, 3 sink failures
    assert calls == 2
    assert sink.calls == 4
    assert len(sink.letters) == 1


async def test_a_handler_that_says_poison_is_dead_lettered_at_once(harness: Harness) -> None:
    async def refuse(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        raise PoisonMessageError("never")

    sink = RecordingSink()
    assert (
        await build(harness, refuse, sink).process(record_of(harness, 1)) is Outcome.DEAD_LETTERED
    )
    assert sink.letters[0][1]["x-dlt-attempts"] == "1"


async def test_a_batch_is_one_transaction_and_skips_duplicates_within_it_and_events_seen_before(
    harness: Harness,
) -> None:
    calls: list[list[int]] = []

    async def handler(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        calls.append([e.payload["seq"] for e in envelopes])
        await harness.record_batch(uow, envelopes)

    consumer = build(harness, handler, RecordingSink(), max_batch=50)
    seen = record_of(harness, 1, offset=1)
    assert await consumer.process_batch([seen]) == [Outcome.APPLIED]
    two, three = record_of(harness, 2, offset=2), record_of(harness, 3, offset=3)
    again = FakeRecord(value=two.value, offset=4)  # the same event delivered twice
    outcomes = await consumer.process_batch([seen, two, again, three])
    assert outcomes == [Outcome.DUPLICATE, Outcome.APPLIED, Outcome.DUPLICATE, Outcome.APPLIED]
    assert calls == [[1], [2, 3]]
    assert (
        await harness.scalar("SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects")
        == "1,2,3"
    )


async def test_a_poison_message_in_a_batch_does_not_hold_back_the_others(harness: Harness) -> None:
    async def handler(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        await harness.record_batch(uow, envelopes)

    sink = RecordingSink()
    consumer = build(harness, handler, sink, max_batch=50)
    records = [
        record_of(harness, 1, 1),
        FakeRecord(value=b"{not json", offset=2),
        record_of(harness, 3, 3),
    ]
    assert await consumer.process_batch(records) == [
        Outcome.APPLIED,
        Outcome.DEAD_LETTERED,
        Outcome.APPLIED,
    ]
    assert (
        await harness.scalar("SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects")
        == "1,3"
    )
    assert [value for value, _ in sink.letters] == [b"{not json"]


async def test_a_failing_event_in_a_batch_is_retried_alone_and_those_after_it_wait(
    harness: Harness,
) -> None:
    attempts = 0

    async def handler(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        nonlocal attempts
        if any(e.payload["seq"] == 2 for e in envelopes):
            attempts += 1
            raise ValueError("seq 2 is unlucky")
        await harness.record_batch(uow, envelopes)

    sink = RecordingSink()
    consumer = build(harness, handler, sink, max_batch=50)
    records = [record_of(harness, seq, seq) for seq in (1, 2, 3)]
    first = await consumer.process_batch(records)
    # The batch failed, then one by one: 1 applied, 2 failed once (retry), 3 waits behind it.
    assert first == [Outcome.APPLIED, Outcome.RETRY, Outcome.RETRY]
    outcomes = first
    while Outcome.RETRY in outcomes:
        outcomes = await consumer.process_batch(records)  # redelivered, as after a nack
    assert outcomes == [Outcome.DUPLICATE, Outcome.DEAD_LETTERED, Outcome.APPLIED]
    assert attempts == 1 + QUICK.max_attempts  # the whole batch once, then 2 alone
    assert (
        await harness.scalar("SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects")
        == "1,3"
    )


async def test_an_outage_during_a_batch_retries_the_whole_batch_without_counting_attempts(
    harness: Harness,
) -> None:
    outages = 4

    async def handler(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        nonlocal outages
        if outages:
            outages -= 1
            raise ConnectionResetError("database away")
        await harness.record_batch(uow, envelopes)

    consumer = build(harness, handler, RecordingSink(), max_batch=50)
    records = [record_of(harness, seq, seq) for seq in (1, 2)]
    for _ in range(4):
        assert await consumer.process_batch(records) == [Outcome.RETRY, Outcome.RETRY]
    assert await consumer.process_batch(records) == [Outcome.APPLIED, Outcome.APPLIED]


@pytest.mark.kafka
async def test_a_message_whose_headers_are_not_utf8_is_still_handled(harness: Harness) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    for seq, headers in ((1, []), (2, [("x-note", b"\xff\xfe")]), (3, [("x-none", None)])):
        await producer.send_and_wait(
            harness.topic.name,
            harness.message("k", seq).envelope.encode(),
            key=b"k",
            headers=headers,  # type: ignore[arg-type]
        )
    await producer.stop()

    for max_batch in (1, 100):
        await harness.scalar("DELETE FROM effects")
        await harness.scalar("DELETE FROM inbox")
        broker = kafka_broker(harness.bootstrap)
        harness.consumer(broker, max_batch=max_batch)
        async with broker:
            await broker.start()
            await harness.wait_for(
                "SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects", "1,2,3"
            )
