"""Kafka's own command-line tools run against the stack's broker through `deploy/kafka.sh tools`:
list topics, read a record with the console consumer, describe a consumer group (real broker)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import uuid
import zipfile

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from shared.events.topics import Topic
from shared.kafka_topics import create_topics
from shared.testing.infra import KafkaServer, repo_root

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def tool(kafka_server: KafkaServer, *args: str) -> subprocess.CompletedProcess[str]:
    host, port = kafka_server.bootstrap.split(",")[0].rsplit(":", 1)
    assert host in {"127.0.0.1", "localhost"}, "the command targets the local stack's broker"
    return await asyncio.to_thread(
        subprocess.run,
        [str(repo_root() / "deploy" / "kafka.sh"), "tools", *args],
        env={**os.environ, "KAFKA_PORT": port},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
async def topic_with_a_record(kafka_server: KafkaServer) -> tuple[str, str]:
    """A fresh topic holding one record, consumed and committed by a fresh group."""
    name = f"tools-{uuid.uuid4().hex[:8]}"
    group = f"tools-group-{uuid.uuid4().hex[:8]}"
    topic = Topic(name=name, partitions=2, retention_ms=-1, owner="t", key="k", description="d")
    await create_topics(kafka_server.bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=kafka_server.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            name, b'{"hello": "tools"}', key=b"batch-1", headers=[("event-id", b"e-1")]
        )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        name,
        bootstrap_servers=kafka_server.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while not await consumer.getmany(timeout_ms=500):
                pass
        await consumer.commit()
    finally:
        await consumer.stop()
    return name, group


async def test_the_topics_tool_lists_the_brokers_topics(
    kafka_server: KafkaServer, topic_with_a_record: tuple[str, str]
) -> None:
    name, _ = topic_with_a_record
    listed = await tool(kafka_server, "topics", "--list")
    assert listed.returncode == 0, listed.stderr
    assert name in listed.stdout.split()
    described = await tool(kafka_server, "topics", "--describe", "--topic", name)
    assert described.returncode == 0, described.stderr
    assert "PartitionCount: 2" in described.stdout


async def test_the_console_consumer_prints_a_record_with_its_key_and_headers(
    kafka_server: KafkaServer, topic_with_a_record: tuple[str, str]
) -> None:
    name, _ = topic_with_a_record
    consumed = await tool(
        kafka_server,
        "console-consumer",
        "--topic", name,
        "--from-beginning",
        "--max-messages", "1",
        "--timeout-ms", "60000",
        "--formatter-property", "print.key=true",
        "--formatter-property", "print.headers=true",
    )  # fmt: skip
    assert consumed.returncode == 0, consumed.stderr
    assert consumed.stdout.strip() == 'event-id:e-1\tbatch-1\t{"hello": "tools"}'


async def test_the_consumer_groups_tool_describes_a_groups_committed_offsets(
    kafka_server: KafkaServer, topic_with_a_record: tuple[str, str]
) -> None:
    name, group = topic_with_a_record
    described = await tool(kafka_server, "consumer-groups", "--describe", "--group", group)
    assert described.returncode == 0, described.stderr
    rows = [line.split() for line in described.stdout.splitlines() if line.startswith(group)]
    # One record on one of the two partitions: the group committed offset 1 there, lag 0 on both.
    assert sorted((row[1], row[3], row[5]) for row in rows) == [(name, "0", "0"), (name, "1", "0")]


async def test_an_unknown_tool_is_refused_with_the_list_of_tools(
    kafka_server: KafkaServer,
) -> None:
    refused = await tool(kafka_server, "topicz", "--list")
    assert refused.returncode == 2
    assert "unknown tool: topicz" in refused.stderr
    assert "consumer-groups" in refused.stderr


def test_every_named_tool_is_a_class_on_the_collected_classpath() -> None:
    script = (repo_root() / "deploy" / "kafka.sh").read_text()
    classes = re.findall(r"^\s+[a-z-]+\) echo ([\w.]+) ;;$", script, flags=re.MULTILINE)
    assert len(classes) >= 20
    libs = repo_root() / "deploy" / "kafka" / "target" / "libs"
    jars = list(libs.glob("kafka*.jar"))
    assert jars, "no Kafka jars: run deploy/kafka.sh build"
    present = {
        entry.removesuffix(".class").replace("/", ".")
        for jar in jars
        for entry in zipfile.ZipFile(jar).namelist()
        if entry.endswith(".class")
    }
    assert [c for c in classes if c not in present] == []
