"""Re-drive dead letters: publish them back to their original topic, key and headers.

Safe to run at any time because every consumer is idempotent: groups that had already processed an
event skip it by its event id, and the group that dead-lettered it gets another chance.
Usage: ``python -m shared.messaging.redrive --bootstrap HOST:PORT --topic inventory.batch.events.dlt``
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

__all__ = ["redrive"]

_DLT_PREFIX = "x-dlt-"


async def redrive(
    bootstrap_servers: str,
    dead_letter_topic: str,
    *,
    group_id: str = "canopy-redrive",
    consumer: str | None = None,
    idle_timeout_ms: int = 3000,
) -> int:
    """Move every dead letter (optionally only those of one consumer) back; returns the count."""
    source = AIOKafkaConsumer(
        dead_letter_topic,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    sink = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True)
    await source.start()
    await sink.start()
    moved = 0
    try:
        while True:
            batch = await source.getmany(timeout_ms=idle_timeout_ms)
            if not batch:
                return moved
            for partition, records in batch.items():
                for record in records:
                    headers = dict(record.headers)
                    original = headers.get("x-dlt-original-topic", b"").decode()
                    wanted = (
                        consumer is None or headers.get("x-dlt-consumer", b"").decode() == consumer
                    )
                    if original and wanted:
                        await sink.send_and_wait(
                            original,
                            value=record.value,
                            key=record.key,
                            headers=[
                                (k, v) for k, v in record.headers if not k.startswith(_DLT_PREFIX)
                            ],
                        )
                        moved += 1
                await source.commit(
                    {TopicPartition(partition.topic, partition.partition): records[-1].offset + 1}
                )
    finally:
        await source.stop()
        await sink.stop()


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
