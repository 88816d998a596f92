"""The relay's and the consumers' metrics have samples from the start and follow the work: what
was published and how long it waited, the backlog, failures and health; what was consumed, how
far behind, retried or dead-lettered."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable

import pytest
from prometheus_client import REGISTRY
from shared.database import UnitOfWork
from shared.events import EventEnvelope
from shared.messaging import kafka_broker
from shared.outbox.relay import OutboxRelay
from shared.telemetry import PROCESS_HEALTH
from shared.testing.messaging import Harness, running, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def eventually(check: Callable[[], bool], what: str) -> None:
    async def probe() -> bool:
        return check()

    await wait_until(probe, what=what)


def fresh_relay(harness: Harness) -> tuple[OutboxRelay, str]:
    name = f"metrics-{uuid.uuid4().hex[:8]}"
    config = dataclasses.replace(harness.relay()._config, name=name, housekeeping_interval=0.1)
    return OutboxRelay(config), name


async def test_a_relay_has_every_series_at_zero_before_it_publishes_anything(
    harness: Harness,
) -> None:
    _, name = fresh_relay(harness)
    for series in (
        "outbox_published_total",
        "outbox_publish_failures_total",
        "outbox_unpublished_rows",
        "outbox_oldest_unpublished_age_seconds",
        "outbox_relay_leader",
        "outbox_publish_latency_seconds_count",
        "outbox_batch_size_count",
    ):
        assert sample(series, relay=name) == 0, series


async def test_published_events_are_counted_with_their_latency_and_the_backlog_empties(
    harness: Harness,
) -> None:
    relay, name = fresh_relay(harness)
    await harness.write_many([(f"k{i}", i) for i in range(5)])
    await asyncio.sleep(0.05)  # the rows have waited at least this long when published
    async with running(relay):
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        await eventually(
            lambda: sample("outbox_unpublished_rows", relay=name) == 0,
            "the backlog gauge refreshed",
        )
        assert sample("outbox_relay_leader", relay=name) == 1
        assert PROCESS_HEALTH.report()[1][f"relay {name}"] == "ok"
    assert sample("outbox_published_total", relay=name) == 5
    assert sample("outbox_publish_latency_seconds_count", relay=name) == 5
    latency_sum = sample("outbox_publish_latency_seconds_sum", relay=name)
    assert latency_sum is not None
    assert latency_sum >= 5 * 0.05
    assert sample("outbox_batch_size_sum", relay=name) == 5
    assert sample("outbox_publish_failures_total", relay=name) == 0
    assert sample("outbox_relay_leader", relay=name) == 0  # it let go when it stopped
    assert f"relay {name}" not in PROCESS_HEALTH.report()[1]  # and left the process's health


async def test_a_row_kafka_refuses_shows_as_failures_a_backlog_and_an_unhealthy_relay(
    harness: Harness,
) -> None:
    relay, name = fresh_relay(harness)
    async with harness.database.connection() as conn:
        await conn.execute(
            "INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ($1, $2, 'k', '{}')",
            uuid.uuid4(),
            f"missing-{uuid.uuid4().hex[:8]}",  # no such topic on the broker
        )
    async with running(relay):
        await eventually(
            lambda: (sample("outbox_publish_failures_total", relay=name) or 0) > 0,
            "a failure counted",
        )
        assert sample("outbox_unpublished_rows", relay=name) == 1
        age = sample("outbox_oldest_unpublished_age_seconds", relay=name)
        assert age is not None
        assert age > 0
        healthy, parts = PROCESS_HEALTH.report()
        assert not healthy
        assert parts[f"relay {name}"].startswith("failing: ")
    assert sample("outbox_published_total", relay=name) == 0


async def test_a_consumer_counts_each_outcome_and_its_lag_falls_to_zero(
    harness: Harness,
) -> None:
    await harness.write_many([("lagging", i) for i in range(10)])
    async with running(harness.relay()):
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)

    def lag() -> float | None:
        """The lag of the one partition that holds the key's events."""
        values = [
            sample(
                "consumer_lag_messages",
                consumer="effects",
                topic=harness.topic.name,
                partition=str(p),
            )
            for p in range(harness.topic.partitions)
        ]
        return next((value for value in values if value is not None), None)

    applied_before = sample("consumer_messages_total", consumer="effects", outcome="applied") or 0
    seen_lags: list[float | None] = []

    async def handler(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        seen_lags.append(lag())
        await harness.record_effect(uow, envelope)

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker, handler=handler)
    async with broker:
        await broker.start()
        await harness.wait_for("SELECT count(*) FROM effects", 10)
        await eventually(lambda: lag() == 0, "the lag at zero")
    applied = sample("consumer_messages_total", consumer="effects", outcome="applied")
    assert applied == applied_before + 10
    # All ten were on the partition before the consumer started: after the first, nine behind.
    assert seen_lags[1] == 9
    for outcome in ("duplicate", "retry", "dead_lettered"):
        assert sample("consumer_messages_total", consumer="effects", outcome=outcome) is not None
