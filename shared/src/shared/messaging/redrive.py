"""Re-drive dead letters: publish them back to their original topic, key and headers.

Every consumer is idempotent, so groups that had already processed an event skip it by its event id
and the group that dead-lettered it gets another chance. A re-driven event arrives after newer
events of its key: handlers that care about order compare ``aggregate_version``.
Usage: ``python -m shared.messaging.redrive --bootstrap HOST:PORT --topic inventory.batch.events.dlt``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

__all__ = ["redrive"]

_DLT_PREFIX = "x-dlt-"


async def redrive(
    bootstrap_servers: str,
    dead_letter_topic: str,
    *,
    consumer: str | None = None,
    group_id: str | None = None,
) -> int:
    """Move the dead letters present now (optionally only one consumer's) back; returns the count.

    It stops at the end offsets it saw when it started: a message that fails again and is
    dead-lettered anew waits for the next re-drive instead of looping. Each consumer filter has
    its own consumer group, so re-driving one consumer's letters never marks another's as done.
    """
    group = group_id or f"canopy-redrive-{consumer or 'all'}"
    source = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    sink = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await source.start()
    await sink.start()
    moved = 0
    try:
        partitions = [
            TopicPartition(dead_letter_topic, p)
            for p in sorted(await sink.partitions_for(dead_letter_topic))
        ]
        source.assign(partitions)
        end = await source.end_offsets(partitions)
        remaining = {tp for tp in partitions if await source.position(tp) < end[tp]}
        while remaining:
            batch = await source.getmany(*remaining, timeout_ms=1000)
            for partition, records in batch.items():
                last = None
                for record in records:
                    if record.offset >= end[partition]:
                        break
                    if _belongs(record.headers, consumer):
                        await sink.send_and_wait(
                            _header(record.headers, "x-dlt-original-topic"),
                            value=record.value,
                            key=record.key,
                            headers=[
                                (k, v) for k, v in record.headers if not k.startswith(_DLT_PREFIX)
                            ],
                        )
                        moved += 1
                    last = record.offset
                if last is not None:
                    await source.commit({partition: last + 1})
                if last is None or last + 1 >= end[partition]:
                    remaining.discard(partition)
        return moved
    finally:
        await source.stop()
        await sink.stop()


def _header(headers: Sequence[tuple[str, bytes]], name: str) -> str:
    return next((v.decode() for k, v in headers if k == name), "")


def _belongs(headers: Sequence[tuple[str, bytes]], consumer: str | None) -> bool:
    if not _header(headers, "x-dlt-original-topic"):
        return False
    return consumer is None or _header(headers, "x-dlt-consumer") == consumer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument(
        "--topic", required=True, help="the dead-letter topic, e.g. inventory.batch.events.dlt"
    )
    parser.add_argument("--consumer", help="only the dead letters of this consumer")
    args = parser.parse_args(argv)
    moved = asyncio.run(redrive(args.bootstrap, args.topic, consumer=args.consumer))
    sys.stdout.write(f"re-drove {moved} message(s) from {args.topic}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
