"""The partitions' high watermarks, recorded in the read model about once a second.

A report's "as of" needs to know whether anything was published that the read model has not
applied (``reporting.domain.lag``): a watermark W seen at time T says every event published
before T has an offset below W, so a partition handled through W - 1 is complete through T.
"Handled" includes what the consumer did not apply (a duplicate, a dead-lettered message): it
is read from the consumer group's committed offsets, which the consumer commits only after the
effects.
The watermarks are read from Kafka (the end offsets) by a client of its own, while the
consumer is busy or idle, and recorded for every partition of the topics, so a partition with
no event yet still counts. A failure (Kafka or the database away) is logged and tried again at
the next tick: the reports then say they are older, never newer, than they are.

It also exports the lag as metrics (``reporting_read_model_lag_seconds``,
``reporting_read_model_messages_behind``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge
from shared.database import UnitOfWork

from reporting.adapters.generations import bind_generation, bind_live_generation
from reporting.adapters.read_model import PgReadModel
from reporting.domain import read_model_lag
from reporting.service_layer.commands import Watermark
from reporting.service_layer.projections import record_watermarks

__all__ = ["LAG_SECONDS", "MESSAGES_BEHIND", "WatermarkWatcher"]

log = logging.getLogger(__name__)

LAG_SECONDS = Gauge(
    "reporting_read_model_lag_seconds",
    "How far behind its topic a read model is: now minus its as-of time",
    ["topic"],
)
MESSAGES_BEHIND = Gauge(
    "reporting_read_model_messages_behind",
    "Messages published to the topic and not yet applied to the read model",
    ["topic"],
)


class WatermarkWatcher:
    def __init__(
        self,
        bootstrap_servers: str,
        topics: Sequence[str],
        unit_of_work: Callable[[], UnitOfWork],
        *,
        group_id: str,
        generation: int | None = None,
        interval: float = 1.0,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._topics = tuple(topics)
        self._unit_of_work = unit_of_work
        self._generation = generation
        self._interval = interval
        self._group_id = group_id

    @asynccontextmanager
    async def _clients(self) -> AsyncIterator[tuple[AIOKafkaConsumer, AIOKafkaAdminClient]]:
        client = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await client.start()
        try:
            await admin.start()
            try:
                yield client, admin
            finally:
                await admin.close()
        finally:
            await client.stop()

    async def once(self) -> list[Watermark]:
        async with self._clients() as (client, admin):
            return await self.tick(client, admin)

    async def run(self, stop: asyncio.Event) -> None:
        async with self._clients() as (client, admin):
            while not stop.is_set():
                try:
                    await self.tick(client, admin)
                except Exception as error:  # logged, tried again at the next tick
                    log.warning("reporting: recording watermarks failed: %r", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def tick(self, client: AIOKafkaConsumer, admin: AIOKafkaAdminClient) -> list[Watermark]:
        """Read the end offsets now and the group's committed offsets, record them, update the
        lag metrics."""
        described = await admin.describe_topics(list(self._topics))
        partitions = sorted(
            TopicPartition(topic["topic"], partition["partition"])
            for topic in described
            if topic["error_code"] == 0
            for partition in topic["partitions"]
        )
        observed_at = datetime.now(UTC)
        ends = await client.end_offsets(partitions) if partitions else {}
        committed = {}
        if partitions:
            offsets = await admin.list_consumer_group_offsets(self._group_id, partitions=partitions)
            committed = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        watermarks = [
            Watermark(tp.topic, tp.partition, int(end), observed_at, committed.get(tp, 0))
            for tp, end in ends.items()
        ]
        async with self._unit_of_work() as uow:
            if self._generation is None:
                await bind_live_generation(uow.conn, writer=True)
            else:
                await bind_generation(uow.conn, self._generation)
            read_model = PgReadModel(uow.conn)
            await record_watermarks(read_model, sorted(watermarks, key=_key))
            positions = await read_model.positions.all()
            await uow.commit()
        now = datetime.now(UTC)
        for topic in self._topics:
            lag = read_model_lag(topic, positions, now)
            if lag.lag is not None:
                LAG_SECONDS.labels(topic).set(lag.lag.total_seconds())
            if lag.messages_behind is not None:
                MESSAGES_BEHIND.labels(topic).set(lag.messages_behind)
        return watermarks


def _key(watermark: Watermark) -> tuple[str, int]:
    # Key order, as the consumer writes positions: two writers cannot deadlock on these rows.
    return (watermark.topic, watermark.partition)
