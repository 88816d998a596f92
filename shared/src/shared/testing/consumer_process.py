"""A consumer in a process of its own, so tests can SIGKILL it in the middle of work.

``python -m shared.testing.consumer_process --db URL --bootstrap H:P --topic T --group G``
records each event in the ``effects`` table (see :mod:`shared.testing.messaging`), slowly enough
that a kill lands between effects, commits and offset commits.
"""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from shared.events import EventEnvelope
from shared.messaging import (
    IdempotentConsumer,
    bind_consumer,
    broker_dead_letter_sink,
    kafka_broker,
)
from shared.runner import run_until_signalled


async def consume(database_url: str, bootstrap: str, topic: str, group: str, delay: float) -> None:
    engine = create_async_engine(database_url, hide_parameters=True)

    async def record(session: AsyncSession, envelope: EventEnvelope) -> None:
        await session.execute(
            text("INSERT INTO effects (event_id, key, seq) VALUES (:id, :key, :seq)"),
            {
                "id": envelope.event_id,
                "key": envelope.payload["key"],
                "seq": envelope.payload["seq"],
            },
        )
        await asyncio.sleep(delay)

    broker = kafka_broker(bootstrap)
    consumer = IdempotentConsumer(
        name="effects",
        group_id=group,
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        handler=record,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, consumer, topic)

    async def run(stop: asyncio.Event) -> None:
        async with broker:
            await broker.start()
            await stop.wait()

    await run_until_signalled(run)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--delay", type=float, default=0.005)
    args = parser.parse_args()
    asyncio.run(consume(args.db, args.bootstrap, args.topic, args.group, args.delay))


if __name__ == "__main__":
    main()
