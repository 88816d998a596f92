"""A consumer in a process of its own, built only from ``shared``, so tests can SIGKILL it in the
middle of work.

``python -m shared.testing.consumer_process --db URL --bootstrap H:P --topic T --group G
[--batch N] [--delay S]`` records each event in the ``effects`` table (see
:mod:`shared.testing.messaging`), slowly enough (``--delay`` seconds per event, inside the
transaction) that a kill lands between effects, commits and offset commits. ``--batch N`` takes
up to N events per transaction; a message whose payload says ``"poison": true`` is refused by the
handler (:class:`~shared.messaging.PoisonMessageError`).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from shared.database import Database, UnitOfWork
from shared.events import EventEnvelope, Topic
from shared.messaging import PoisonMessageError, RetryPolicy, run_worker
from shared.runner import run_until_signalled
from shared.testing.messaging import Harness, PingBase, record_effects


async def consume(
    database_url: str, bootstrap: str, topic: str, group: str, delay: float, batch: int
) -> None:
    database = Database(database_url, name="test-consumer", max_size=4)
    subscribed = Topic(
        name=topic, partitions=1, retention_ms=1, owner="tests", key="", description=""
    )
    harness = Harness(database, database_url, subscribed, PingBase, bootstrap)

    async def record(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        if any(e.payload.get("poison") for e in envelopes):
            raise PoisonMessageError("the test's poison message")
        await record_effects(uow.conn, envelopes)
        await asyncio.sleep(delay * len(envelopes))

    async def record_one(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        await record(uow, [envelope])

    def subscribe(broker: KafkaBroker) -> None:
        harness.consumer(
            broker,
            handler=record if batch > 1 else record_one,
            max_batch=batch,
            group_id=group,
            policy=RetryPolicy(max_attempts=3, backoff_initial=0.05, backoff_max=0.2),
        )

    await run_until_signalled(lambda stop: run_worker(bootstrap, subscribe, stop))
    await database.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--delay", type=float, default=0.005)
    parser.add_argument("--batch", type=int, default=1, help="events per transaction")
    args = parser.parse_args()
    asyncio.run(consume(args.db, args.bootstrap, args.topic, args.group, args.delay, args.batch))


if __name__ == "__main__":
    main()
