"""Inbox consumers: exactly-once effects on top of at-least-once delivery.

A consumer is a plain async function and the unit of work it runs in::

    async def on_event(uow: UnitOfWork, envelope: EventEnvelope) -> None: ...
    consumer = InboxConsumer(name="reporting", group_id="reporting", unit_of_work=factory,
                             handler=on_event, dead_letters=broker_dead_letter_sink(broker))

or, for throughput, up to ``max_batch`` events per transaction, each with where it was read
(``delivery.envelope``; its topic, partition and offset tell a read model how far behind its
topic it is)::

    async def on_deliveries(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None: ...
    consumer = BatchInboxConsumer(..., handler=on_deliveries, max_batch=500)

Each transaction records ``(consumer, event_id)`` in the inbox first; an event already there (a
redelivery, a re-drive, a duplicate within the batch) is not handed to the handler again. The
handler's effects, the inbox rows and any outbox rows the handler writes
(``shared.outbox.write_outbox(uow.conn, ...)``) commit together; the binding commits the Kafka
offsets only after that (``shared.messaging.faststream_binding``).

Failures are sorted into three kinds (after arroyo):

* poison (the message itself is bad: undecodable, unknown type, invalid payload,
  :class:`PoisonMessageError`): dead-lettered at once;
* transient (the database or the network is away: see :func:`is_transient`): retried with capped
  backoff for as long as it takes, never dead-lettered, so an outage does not empty a topic into
  the dead-letter queue;
* anything else (a bug, a constraint violation): retried ``max_attempts`` times, then
  dead-lettered with the error in headers, and the consumer moves on.

A batch whose transaction fails for any reason but an outage is taken again one event per
transaction, so a poison message is dead-lettered alone and the rest of its batch is applied.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from prometheus_client import Counter
from pydantic import ValidationError

from shared.database import Connection, UnitOfWork
from shared.events.envelope import EventEnvelope
from shared.events.registry import UnknownEventTypeError
from shared.events.topics import dead_letter_topic
from shared.messaging.failures import PoisonMessageError, RetryPolicy, is_transient

__all__ = [
    "BatchHandler",
    "BatchInboxConsumer",
    "DeadLetterSink",
    "Delivery",
    "Handler",
    "InboxConsumer",
    "Outcome",
    "Record",
]

log = logging.getLogger(__name__)

CONSUMED = Counter(
    "consumer_messages_total",
    "Messages handled, by outcome: applied, duplicate (seen before), retry, dead_lettered",
    ["consumer", "outcome"],
)

U = TypeVar("U", bound=UnitOfWork)
Handler = Callable[[U, EventEnvelope], Awaitable[None]]
"""One event, in its own transaction."""
Position = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event and where it was read."""

    envelope: EventEnvelope
    topic: str
    partition: int
    offset: int
    appended_ms: int | None = None
    """The record's Kafka timestamp (ms since the epoch: when its producer sent it, or the
    broker appended it, as the topic says), if known."""


BatchHandler = Callable[[U, Sequence[Delivery]], Awaitable[None]]
"""Up to ``max_batch`` events with their positions (never seen before, in partition order)."""


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    RETRY = "retry"
    DEAD_LETTERED = "dead_lettered"


class Record(Protocol):
    """The fields of an aiokafka ConsumerRecord that the consumer reads."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


class DeadLetterSink(Protocol):
    async def __call__(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None: ...


_CLAIM = """
    INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])
    ON CONFLICT DO NOTHING RETURNING event_id
"""


async def _claim(conn: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """Record ``event_ids`` in the inbox; returns those that were not there yet. A concurrent
    transaction claiming the same id waits here until the first one ends."""
    rows = await conn.fetch(_CLAIM, consumer, list(dict.fromkeys(event_ids)))
    return {row["event_id"] for row in rows}


def _position(record: Record) -> Position:
    return (record.topic, record.partition, record.offset)


def _delivery(record: Record) -> Delivery:
    return Delivery(
        EventEnvelope.from_bytes(record.value or b""),
        record.topic,
        record.partition,
        record.offset,
        getattr(record, "timestamp", None),
    )


class _Inbox(Generic[U]):
    """What both consumers share: the inbox, the failure classification and dead letters."""

    max_batch = 1

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        unit_of_work: Callable[[], U],
        dead_letters: DeadLetterSink,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.group_id = group_id
        self._unit_of_work = unit_of_work
        self._dead_letters = dead_letters
        self._policy = policy or RetryPolicy()
        # Per (topic, partition, offset): failures that count towards dead-lettering, outages that
        # only pace retries, and dead letters owed because publishing them failed.
        self._failures: dict[Position, int] = {}
        self._outages: dict[Position, int] = {}
        self._owed: dict[Position, tuple[BaseException, int]] = {}
        # One series per outcome from the start (0 until it happens), so a scrape finds them.
        self._outcomes = {outcome: CONSUMED.labels(name, outcome.value) for outcome in Outcome}

    async def _run(self, uow: U, deliveries: Sequence[Delivery]) -> None:
        raise NotImplementedError

    async def _apply(self, deliveries: Sequence[Delivery]) -> set[UUID]:
        """One transaction: claim the ids, run the handler on the new ones, commit. Returns the
        ids applied now (the others were seen before)."""
        async with self._unit_of_work() as uow:
            fresh = await _claim(uow.conn, self.name, [d.envelope.event_id for d in deliveries])
            if fresh:
                first = {
                    d.envelope.event_id: d
                    for d in reversed(deliveries)
                    if d.envelope.event_id in fresh
                }
                await self._run(uow, [d for d in deliveries if first.get(d.envelope.event_id) is d])
            await uow.commit()
        return fresh

    def _count(self, outcome: Outcome) -> Outcome:
        self._outcomes[outcome].inc()
        return outcome

    async def _one(self, record: Record) -> Outcome:
        """One record in its own transaction, with the three-way failure classification."""
        position = _position(record)
        if position in self._owed:
            # The handler already gave up on this record; only its dead letter is still owed.
            error, attempts = self._owed[position]
            return await self._dead_letter_or_retry(record, error, attempts)
        try:
            delivery = _delivery(record)
        except ValidationError as error:
            return await self._dead_letter_or_retry(record, error, 1)
        try:
            applied = await self._apply([delivery])
        except (PoisonMessageError, UnknownEventTypeError, ValidationError) as error:
            return await self._dead_letter_or_retry(record, error, 1)
        except Exception as error:
            if is_transient(error):
                await self._pace_outage(position, error)
                return Outcome.RETRY
            failures = self._failures[position] = self._failures.get(position, 0) + 1
            if failures < self._policy.max_attempts:
                log.warning(
                    "%s: attempt %d/%d failed at %s: %r",
                    self.name,
                    failures,
                    self._policy.max_attempts,
                    position,
                    error,
                )
                await asyncio.sleep(self._policy.delay(failures))
                return Outcome.RETRY
            return await self._dead_letter_or_retry(record, error, failures)
        self._forget(position)
        return Outcome.APPLIED if applied else Outcome.DUPLICATE

    async def _pace_outage(self, position: Position, error: BaseException) -> None:
        outages = self._outages[position] = self._outages.get(position, 0) + 1
        log.warning("%s: transient failure at %s, retrying: %r", self.name, position, error)
        await asyncio.sleep(self._policy.delay(min(outages, 8)))

    async def _dead_letter_or_retry(
        self, record: Record, error: BaseException, attempts: int
    ) -> Outcome:
        position = _position(record)
        try:
            await self._dead_letter(record, error, attempts=attempts)
        except Exception as sink_error:
            # Without its dead letter the record must not be committed past; try the publish
            # again later (never the handler again), pacing the retries.
            self._owed[position] = (error, attempts)
            outages = self._outages[position] = self._outages.get(position, 0) + 1
            log.error("%s: could not dead-letter %s: %r; retrying", self.name, position, sink_error)
            await asyncio.sleep(self._policy.delay(min(outages, 8)))
            return Outcome.RETRY
        self._forget(position)
        return Outcome.DEAD_LETTERED

    def _forget(self, position: Position) -> None:
        self._failures.pop(position, None)
        self._outages.pop(position, None)
        self._owed.pop(position, None)

    def _troubled(self, position: Position) -> bool:
        return position in self._failures or position in self._owed

    async def _dead_letter(self, record: Record, error: BaseException, *, attempts: int) -> None:
        headers = {name: value.decode(errors="replace") for name, value in record.headers}
        headers.update(
            {
                "x-dlt-original-topic": record.topic,
                "x-dlt-original-partition": str(record.partition),
                "x-dlt-original-offset": str(record.offset),
                "x-dlt-consumer": self.name,
                "x-dlt-consumer-group": self.group_id,
                "x-dlt-error-class": f"{type(error).__module__}.{type(error).__qualname__}",
                "x-dlt-error-message": str(error)[:2000],
                "x-dlt-attempts": str(attempts),
                "x-dlt-failed-at": datetime.now(UTC).isoformat(),
            }
        )
        log.error(
            "%s: dead-lettering %s/%d@%d after %d attempt(s): %r",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            attempts,
            error,
        )
        await self._dead_letters(
            dead_letter_topic(record.topic), record.key, record.value or b"", headers
        )


class InboxConsumer(_Inbox[U]):
    """One event per transaction; the binding commits the offset unless the outcome is RETRY."""

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        unit_of_work: Callable[[], U],
        handler: Handler[U],
        dead_letters: DeadLetterSink,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            name=name,
            group_id=group_id,
            unit_of_work=unit_of_work,
            dead_letters=dead_letters,
            policy=policy,
        )
        self._handler = handler

    async def _run(self, uow: U, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            await self._handler(uow, delivery.envelope)

    async def process(self, record: Record) -> Outcome:
        return self._count(await self._one(record))


class BatchInboxConsumer(_Inbox[U]):
    """Up to ``max_batch`` events per transaction (what one poll returned), each with where it
    was read. The binding commits the batch's offsets only if no record's outcome is RETRY;
    otherwise the whole batch comes back, and the records already applied are skipped by the
    inbox."""

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        unit_of_work: Callable[[], U],
        handler: BatchHandler[U],
        dead_letters: DeadLetterSink,
        policy: RetryPolicy | None = None,
        max_batch: int = 500,
        max_wait_ms: int = 100,
        fetch_min_bytes: int = 1,
        fetch_max_wait_ms: int = 500,
    ) -> None:
        super().__init__(
            name=name,
            group_id=group_id,
            unit_of_work=unit_of_work,
            dead_letters=dead_letters,
            policy=policy,
        )
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._handler = handler
        self.max_batch = max_batch
        self.max_wait_ms = max_wait_ms
        # Kafka's own batching (the broker answers a fetch once it holds fetch_min_bytes, or
        # after fetch_max_wait_ms): a consumer whose per-transaction cost dominates at low
        # rates trades a few ms of waiting for far fewer transactions. Defaults: aiokafka's.
        self.fetch_min_bytes = fetch_min_bytes
        self.fetch_max_wait_ms = fetch_max_wait_ms

    async def _run(self, uow: U, deliveries: Sequence[Delivery]) -> None:
        await self._handler(uow, deliveries)

    async def process_batch(self, records: Sequence[Record]) -> list[Outcome]:
        """The outcome of each record, in order."""
        outcomes = [self._count(o) for o in await self._batch(records)]
        return outcomes

    async def _batch(self, records: Sequence[Record]) -> list[Outcome]:
        if not records:
            return []
        # A record that failed before, or whose dead letter is owed, goes the careful way: one
        # transaction per record, so it cannot hold the others back again.
        if not any(self._troubled(_position(r)) for r in records):
            deliveries: list[Delivery] = []
            try:
                deliveries = [_delivery(r) for r in records]
                applied = await self._apply(deliveries)
            except Exception as error:
                if is_transient(error):
                    await self._pace_outage(_position(records[0]), error)
                    return [Outcome.RETRY] * len(records)
                log.warning(
                    "%s: a batch of %d failed (%r); taking it one event at a time",
                    self.name,
                    len(records),
                    error,
                )
            else:
                self._outages.pop(_position(records[0]), None)
                outcomes = []
                for delivery in deliveries:
                    fresh = delivery.envelope.event_id in applied
                    applied.discard(delivery.envelope.event_id)
                    outcomes.append(Outcome.APPLIED if fresh else Outcome.DUPLICATE)
                return outcomes
        outcomes = []
        for record in records:
            outcome = await self._one(record)
            outcomes.append(outcome)
            if outcome is Outcome.RETRY:
                # The records after it wait for it: the events of one key stay in order.
                outcomes += [Outcome.RETRY] * (len(records) - len(outcomes))
                break
        return outcomes
