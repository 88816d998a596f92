"""The read models on PostgreSQL equal the in-memory reference, event for event.

Random inventory histories (real event models; interleaved, chunked, with replays and stale
copies) are folded into PostgreSQL through the asyncpg adapters, one transaction per chunk, and
into the in-memory read model through the same handlers. Every report must come out equal, for
every site scope; so must the batch views. Then poison, redelivery and site filters.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reporting.adapters.schema import read_models
from reporting.domain import AgingThresholds, InconsistentEventError
from reporting.service_layer import reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    DashboardQuery,
    MovementHistoryQuery,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
    Watermark,
)
from reporting.service_layer.errors import SiteAccessDeniedError
from reporting.service_layer.projections import apply_inventory_events, record_watermarks
from reporting.testing.inventory_history import (
    NOW,
    PRODUCTS,
    SITES,
    TOPIC,
    SimulatedBatch,
    deliveries,
    histories,
    in_order,
)
from reporting.testing.memory import InMemoryReadModel

TOPICS = Topics(inventory=TOPIC)
SITE_A = UUID(SITES[0]["id"])


async def _reset(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        tables = ", ".join(f"read_model_1.{name}" for name in read_models.tables)
        await conn.execute(f"TRUNCATE {tables}")
    finally:
        await conn.close()


async def _all_reports(uow: Any, batches: list[SimulatedBatch], scope: SiteScope) -> list[Any]:
    answers: list[Any] = [
        await reports.dashboard(uow, DashboardQuery(scope), now=NOW, topics=TOPICS),
        await reports.profitability_summary_report(
            uow, ProfitabilitySummaryQuery(scope), now=NOW, topics=TOPICS
        ),
        await reports.lag(uow, now=NOW, topics=TOPICS),
    ]
    for thresholds in (AgingThresholds(), AgingThresholds(0, 1, 2)):
        query = AgingQuery(scope, thresholds=thresholds, top=7)
        answers.append(await reports.aging(uow, query, now=NOW, topics=TOPICS))
    for batch in batches:
        if not scope.can_see(UUID(batch.site["id"])):
            continue
        answers.append(
            await reports.batch_profitability_report(
                uow, BatchProfitabilityQuery(scope, batch.batch_id), now=NOW, topics=TOPICS
            )
        )
        answers.append(
            await reports.movement_history(
                uow, MovementHistoryQuery(scope, batch.batch_id, limit=3), now=NOW, topics=TOPICS
            )
        )
    return answers


# No shrinking: each step of it replays a history into PostgreSQL (minutes); the in-memory
# property tests shrink the same histories.
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_postgres_read_models_equal_the_in_memory_ones_after_any_history(
    data: st.DataObject, reporting_dsn: str, open_read_model: Any
) -> None:
    await _reset(reporting_dsn)
    batches = data.draw(histories())
    chunks = data.draw(deliveries(batches))
    memory = InMemoryReadModel()
    for chunk in chunks:
        await apply_inventory_events(memory, chunk, now=NOW)
        async with open_read_model() as uow:
            await apply_inventory_events(uow, chunk, now=NOW)
    watermarks = [Watermark(TOPIC, p, 10_000, NOW) for p in range(3)]
    await record_watermarks(memory, watermarks)
    async with open_read_model() as uow:
        await record_watermarks(uow, watermarks)

    ids = [b.batch_id for b in batches]
    async with open_read_model(isolation="repeatable_read", writer=False) as uow:
        for batch_id in ids:
            assert await uow.reports.batch(batch_id) == await memory.reports.batch(batch_id)
        for scope in (SiteScope.every_site(), SiteScope.of([SITE_A]), SiteScope.of([])):
            assert await _all_reports(uow, batches, scope) == await _all_reports(
                memory, batches, scope
            )


async def test_a_watermark_never_waits_for_a_partition_a_fold_is_writing(
    reporting_dsn: str, open_read_model: Any
) -> None:
    await _reset(reporting_dsn)
    async with open_read_model() as uow:
        await record_watermarks(uow, [Watermark(TOPIC, p, 10, NOW) for p in range(3)])
    fold = await asyncpg.connect(reporting_dsn)
    try:
        async with fold.transaction():
            # A fold in flight has advanced its partition's position, uncommitted.
            await fold.execute(
                "UPDATE read_model_1.topic_position SET last_offset = last_offset + 1"
                " WHERE topic = $1 AND partition = 1",
                TOPIC,
            )
            later = [Watermark(TOPIC, p, 20, NOW + timedelta(seconds=1)) for p in range(4)]
            async with asyncio.timeout(5), open_read_model() as uow:
                await record_watermarks(uow, later)
        rows = await fold.fetch(
            "SELECT partition, high_watermark FROM read_model_1.topic_position WHERE topic = $1",
            TOPIC,
        )
    finally:
        await fold.close()
    # The held partition keeps its older watermark until the next tick; a new one gets its row.
    assert dict(rows) == {0: 20, 1: 10, 2: 20, 3: 20}


async def _snapshot(dsn: str) -> dict[str, list[Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            name: sorted(
                tuple(row) for row in await conn.fetch(f"SELECT * FROM read_model_1.{name}")
            )
            for name in read_models.tables
        }
    finally:
        await conn.close()


def _history(batch_count: int = 3) -> list[SimulatedBatch]:
    """Batches that were sold from a reservation, took a refunded return, and were quarantined
    (an operation of three events with one version)."""
    batches = []
    for n in range(batch_count):
        batch = SimulatedBatch(
            batch_id=uuid4(),
            site=SITES[n % 2],
            product=PRODUCTS[n % len(PRODUCTS)],
            created_at=NOW,
            costs={"cogs_mode": "FIXED", "unit_cogs": "2.5000", "unit_cogs_min": None,
                   "unit_cogs_max": None, "ticket": "4.0000"},
        )  # fmt: skip
        batch.intake(Decimal(100))
        batch.change_status("LIVE")
        batch.reserve(5000, 1)
        batch.put_on_hold(1000)
        batch.sell(2000, from_reservation=True)
        batch.receive_return(5000, refund=True)
        batch.change_status("QUARANTINED")
        batches.append(batch)
    return batches


async def test_messages_delivered_again_leave_every_table_as_it_was(
    reporting_dsn: str, open_read_model: Any
) -> None:
    events = in_order(_history())
    async with open_read_model() as uow:
        first = await apply_inventory_events(uow, events, now=NOW)
    before = await _snapshot(reporting_dsn)
    async with open_read_model() as uow:
        again = await apply_inventory_events(uow, list(reversed(events)), now=NOW)
    assert first.skipped == 0
    assert again.applied == 0
    assert await _snapshot(reporting_dsn) == before


async def test_an_event_that_cannot_be_projected_writes_nothing(
    reporting_dsn: str, open_read_model: Any
) -> None:
    events = in_order(_history(1))
    poisoned = replace(events[1], aggregate_version=99)
    before = await _snapshot(reporting_dsn)
    with pytest.raises(InconsistentEventError):
        async with open_read_model() as uow:
            await apply_inventory_events(uow, [events[0], poisoned], now=NOW)
    assert await _snapshot(reporting_dsn) == before


async def test_a_report_for_a_site_the_caller_is_not_granted_is_refused(
    open_read_model: Any,
) -> None:
    async with open_read_model(writer=False) as uow:
        with pytest.raises(SiteAccessDeniedError):
            await reports.dashboard(
                uow, DashboardQuery(SiteScope.of([SITE_A]), site_ids=(uuid4(),)), now=NOW
            )
