"""Create the declared Kafka topics (idempotent): ``python -m shared.kafka_topics --bootstrap H:P``.

Without ``--file`` the topics come from :data:`shared.events.topics.ALL_TOPICS`; with ``--file`` from
a YAML list in the same shape as ``deploy/kafka/topics.yaml`` (which ``--write`` regenerates).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from shared.events.topics import ALL_TOPICS, Topic

__all__ = ["create_topics", "topics_document"]


def topics_document(topics: Iterable[Topic] = ALL_TOPICS) -> str:
    entries = [
        {
            "name": t.name,
            "partitions": t.partitions,
            "retention_ms": t.retention_ms,
            "owner": t.owner,
            "key": t.key,
            "description": t.description,
        }
        for t in topics
    ]
    header = (
        "# Generated from shared/events/topics.py by `make topics-file`; do not edit by hand.\n"
    )
    return header + yaml.safe_dump({"topics": entries}, sort_keys=False, width=100)


def load_topics(path: Path) -> list[Topic]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return [Topic(**entry) for entry in data["topics"]]


async def create_topics(
    bootstrap_servers: str, topics: Iterable[Topic], *, attempts: int = 30
) -> list[str]:
    """Create whatever is missing; returns the names created. Retries while the broker starts."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    for attempt in range(attempts):
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if missing:
            # A concurrent creator may win the race; the topic exists either way.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [
                        NewTopic(
                            name=t.name,
                            num_partitions=t.partitions,
                            replication_factor=1,
                            topic_configs={"retention.ms": str(t.retention_ms)},
                        )
                        for t in missing
                    ]
                )
        return [t.name for t in missing]
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--file", type=Path, help="a topics.yaml to create from")
    parser.add_argument("--write", type=Path, help="write the declared topics to this YAML file")
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(topics_document())
        return 0
    topics = load_topics(args.file) if args.file else list(ALL_TOPICS)
    created = asyncio.run(create_topics(args.bootstrap, topics))
    sys.stdout.write(f"topics created: {', '.join(created) or 'none (all present)'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
