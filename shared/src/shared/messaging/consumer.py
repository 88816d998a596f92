"""Idempotent consumers: exactly-once effects on top of at-least-once delivery.

Each message is handled in one database transaction that first records ``(consumer, event_id)``
in the inbox; a redelivered event finds its row and is skipped. Offsets are committed only after
that transaction commits. Failures are sorted into three kinds (after arroyo):

* poison (the message itself is bad: undecodable, unknown type, invalid payload): dead-lettered
  at once;
* transient (the database or the network is away): retried with capped backoff for as long as it
  takes, never dead-lettered, so an outage does not empty a topic into the dead-letter queue;
* anything else (a bug, a constraint violation): retried ``max_attempts`` times, then
  dead-lettered with the error in headers, and the consumer moves on.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.envelope import EventEnvelope
from shared.events.registry import UnknownEventTypeError
from shared.events.topics import dead_letter_topic
from shared.outbox.schema import inbox_table

__all__ = [
    "DeadLetterSink",
    "Handler",
    "IdempotentConsumer",
    "Outcome",
    "PoisonMessageError",
    "Record",
    "RetryPolicy",
]

log = logging.getLogger(__name__)

CONSUMED = Counter(
    "consumer_messages_total", "Messages handled, by outcome", ["consumer", "outcome"]
)

Handler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]
Position = tuple[str, int, int]


class PoisonMessageError(Exception):
    """Raised by a handler when the message can never be processed: dead-letter it, don't retry."""


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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_initial: float = 0.2
    backoff_max: float = 10.0

    def delay(self, attempt: int) -> float:
        capped = min(self.backoff_max, self.backoff_initial * 2 ** max(0, attempt - 1))
        # Full jitter keeps a fleet of consumers from retrying in lockstep against one database.
        return random.uniform(capped / 2, capped)


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    OSError,
)

# SQLSTATE classes that mean "try again later", not "this message is bad": connection exceptions
# (08), insufficient resources (53), operator intervention such as a server starting up or shutting
# down (57P), serialization failures and deadlocks (40001, 40P01), lock not available (55P03).
TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01", "55P03")


def _causes(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and what caused it, without loops."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        pending.extend(
            [
                orig if isinstance(orig, BaseException) else None,
                current.__cause__,
                current.__context__,
            ]
        )
    return seen


def _is_transient(error: BaseException) -> bool:
    for cause in _causes(error):
        if isinstance(cause, TRANSIENT_ERRORS):
            return True
        # asyncpg's connection failures arrive wrapped in DBAPIError with connection_invalidated set.
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATES):
            return True
    return False


class IdempotentConsumer:
    """Handles one record at a time; the caller commits the offset unless the outcome is RETRY."""

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        session_factory: async_sessionmaker[AsyncSession],
        handler: Handler,
        dead_letters: DeadLetterSink,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.group_id = group_id
        self._sessions = session_factory
        self._handler = handler
        self._dead_letters = dead_letters
        self._policy = policy or RetryPolicy()
        # Per (topic, partition, offset): failures that count towards dead-lettering, outages that
        # only pace retries, and dead letters owed because publishing them failed.
        self._failures: dict[Position, int] = {}
        self._outages: dict[Position, int] = {}
        self._owed: dict[Position, tuple[BaseException, int]] = {}

    async def process(self, record: Record) -> Outcome:
        outcome = await self._process(record)
        CONSUMED.labels(self.name, outcome.value).inc()
        return outcome

    async def _process(self, record: Record) -> Outcome:
        position = (record.topic, record.partition, record.offset)
        if position in self._owed:
            # The handler already gave up on this record; only its dead letter is still owed.
            error, attempts = self._owed[position]
            return await self._dead_letter_or_retry(record, error, attempts)
        try:
            envelope = EventEnvelope.from_bytes(record.value or b"")
        except ValidationError as error:
            return await self._dead_letter_or_retry(record, error, 1)
        try:
            applied = await self._apply(envelope)
        except (PoisonMessageError, UnknownEventTypeError, ValidationError) as error:
            return await self._dead_letter_or_retry(record, error, 1)
        except Exception as error:
            if _is_transient(error):
                outages = self._outages[position] = self._outages.get(position, 0) + 1
                log.warning("%s: transient failure at %s, retrying: %r", self.name, position, error)
                await asyncio.sleep(self._policy.delay(min(outages, 8)))
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

    async def _dead_letter_or_retry(
        self, record: Record, error: BaseException, attempts: int
    ) -> Outcome:
        position = (record.topic, record.partition, record.offset)
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

    async def _apply(self, envelope: EventEnvelope) -> bool:
        async with self._sessions() as session, session.begin():
            first_time = await session.execute(
                pg_insert(inbox_table)
                .values(consumer=self.name, event_id=envelope.event_id)
                .on_conflict_do_nothing()
                .returning(inbox_table.c.event_id)
            )
            if first_time.first() is None:
                return False
            await self._handler(session, envelope)
            return True

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
