"""Rebuild on PostgreSQL: a new generation filled by replaying the events, swapped in only when
caught up, equal to the live one; a swap waits for a consumer's transaction in flight; retired
generations are dropped. Compliance status on PostgreSQL equals the in-memory one."""

from __future__ import annotations

import asyncio
import dataclasses
from operator import attrgetter
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from reporting.adapters.bulk import copy_movements, copy_views, take_back_views
from reporting.adapters.generations import (
    GenerationNotFoundError,
    PgGenerations,
    bind_live_generation,
)
from reporting.adapters.read_model import PgReadModel
from reporting.adapters.rows import movement_from_row
from reporting.domain import (
    BatchLinkUpdate,
    FindingUpdate,
    LinkState,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
)
from reporting.service_layer import rebuild, reports
from reporting.service_layer.commands import (
    AgingQuery,
    ComplianceStatusQuery,
    ConsumedComplianceUpdate,
    DashboardQuery,
    Position,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
)
from reporting.service_layer.event_mapping import batch_change
from reporting.service_layer.projections import apply_compliance_updates, apply_inventory_events
from reporting.service_layer.replay import Replay
from reporting.testing.inventory_history import NOW, SITES, TOPIC, in_order, new_batch
from reporting.testing.memory import InMemoryReadModel

TOPICS = Topics(inventory=TOPIC, compliance="compliance.test")
EVERY = SiteScope.every_site()


def history() -> list[Any]:
    batches = [new_batch(quantity=100, site=n % 2, product=n % 4) for n in range(4)]
    for n, batch in enumerate(batches):
        batch.sell(1000 * (n + 1), from_reservation=False)
    batches[0].change_status("QUARANTINED")
    return in_order(batches)


async def report_set(uow: Any) -> list[Any]:
    return [
        await reports.dashboard(uow, DashboardQuery(EVERY), now=NOW, topics=TOPICS),
        await reports.aging(uow, AgingQuery(EVERY), now=NOW, topics=TOPICS),
        await reports.profitability_summary_report(
            uow, ProfitabilitySummaryQuery(EVERY), now=NOW, topics=TOPICS
        ),
    ]


async def test_a_rebuilt_generation_is_swapped_in_once_caught_up_and_equals_the_live_one(
    reporting_dsn: str, open_read_model: Any
) -> None:
    events = history()
    async with open_read_model() as uow:
        await apply_inventory_events(uow, events, now=NOW)
    async with open_read_model(writer=False) as uow:
        live_reports = await report_set(uow)

    conn = await asyncpg.connect(reporting_dsn)
    try:
        async with conn.transaction():
            fresh = await rebuild.start_rebuild(PgGenerations(conn))
        assert fresh == 2
        # The replay, in two parts; after the first, the rebuild is behind: no swap.
        async with open_read_model(generation=fresh) as uow:
            await apply_inventory_events(uow, events[:5], now=NOW)
        async with conn.transaction():
            assert not await rebuild.swap_if_caught_up(PgGenerations(conn), fresh)
        async with open_read_model(generation=fresh) as uow:
            await apply_inventory_events(uow, events[5:], now=NOW)
        async with conn.transaction():
            assert await rebuild.swap_if_caught_up(PgGenerations(conn), fresh)
        async with open_read_model(writer=False) as uow:
            assert await bind_live_generation(uow.conn, writer=False) == fresh
            assert await report_set(uow) == live_reports
        async with conn.transaction():
            assert await rebuild.drop_retired(PgGenerations(conn)) == [1]
        schemas = {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
        states = [tuple(r) for r in await conn.fetch(
            "SELECT generation, state FROM read_model_generation ORDER BY generation")]  # fmt: skip
    finally:
        await conn.close()
    assert "read_model_1" not in schemas
    assert "read_model_2" in schemas
    assert states == [(1, "dropped"), (2, "live")]


async def test_a_swap_waits_for_a_consumers_transaction_and_the_next_one_writes_to_the_new_generation(
    reporting_dsn: str, open_read_model: Any
) -> None:
    events = history()
    swapper = await asyncpg.connect(reporting_dsn)
    writer = await asyncpg.connect(reporting_dsn)
    try:
        async with swapper.transaction():
            fresh = await rebuild.start_rebuild(PgGenerations(swapper))
        in_flight = writer.transaction()
        await in_flight.start()
        assert await bind_live_generation(writer, writer=True) == 1
        await apply_inventory_events(PgReadModel(writer), events[:3], now=NOW)

        async def swap() -> bool:
            async with swapper.transaction():
                return await rebuild.swap_if_caught_up(PgGenerations(swapper), fresh)

        swapping = asyncio.create_task(swap())
        await asyncio.sleep(0.5)
        assert not swapping.done()  # held off by the consumer's transaction
        async with open_read_model(generation=fresh) as uow:
            await apply_inventory_events(uow, events[:3], now=NOW)
        await in_flight.commit()
        assert await asyncio.wait_for(swapping, 10)
        async with writer.transaction():
            assert await bind_live_generation(writer, writer=True) == fresh
            applied = await apply_inventory_events(PgReadModel(writer), events, now=NOW)
        assert (applied.applied, applied.skipped) == (len(events) - 3, 3)
    finally:
        await swapper.close()
        await writer.close()


async def test_binding_outside_a_transaction_or_to_an_unknown_generation_is_refused(
    reporting_dsn: str, open_read_model: Any
) -> None:
    conn = await asyncpg.connect(reporting_dsn)
    try:
        with pytest.raises(RuntimeError, match="transaction"):
            await bind_live_generation(conn, writer=False)
    finally:
        await conn.close()
    with pytest.raises(GenerationNotFoundError):
        async with open_read_model(generation=7):
            pass


async def test_compliance_status_on_postgres_equals_the_in_memory_one(
    open_read_model: Any,
) -> None:
    site_a, site_b = UUID(SITES[0]["id"]), UUID(SITES[1]["id"])
    batches, findings = [uuid4() for _ in range(4)], [uuid4() for _ in range(3)]
    facts = [
        BatchLinkUpdate(batches[0], site_a, "OR-1", LinkState.PENDING, 1, NOW),
        BatchLinkUpdate(batches[1], site_a, "OR-1", LinkState.PENDING, 1, NOW),
        BatchLinkUpdate(batches[2], site_b, "OR-2", LinkState.FAILED, 3, NOW),
        FindingUpdate(findings[0], site_a, "OR-1", "PUSH_FAILED", True, 1, NOW),
        FindingUpdate(findings[1], site_a, "OR-1", "MISSING_IN_METRC", True, 1, NOW),
        SyncFinished(uuid4(), site_b, "OR-2", SyncDirection.PULL, SyncOutcome.FAILED, NOW),
    ]
    later = [
        BatchLinkUpdate(batches[0], site_a, "OR-1", LinkState.LINKED, 2, NOW),
        BatchLinkUpdate(batches[1], site_a, "OR-1", LinkState.LINKED, 1, NOW),  # not newer
        FindingUpdate(findings[0], site_a, "OR-1", "PUSH_FAILED", False, 2, NOW),
        FindingUpdate(findings[2], site_b, "OR-2", "UNIT_MISMATCH", True, 1, NOW),
        SyncFinished(uuid4(), site_a, "OR-1", SyncDirection.PUSH, SyncOutcome.SUCCEEDED, NOW),
        BatchLinkUpdate(batches[3], site_a, "OR-1", LinkState.FAILED, 1, NOW),
    ]
    memory = InMemoryReadModel()
    for n, chunk in enumerate((facts, later, facts)):
        updates = [
            ConsumedComplianceUpdate(Position(TOPICS.compliance, 0, 100 * n + i), fact, NOW)
            for i, fact in enumerate(chunk)
        ]
        await apply_compliance_updates(memory, updates, now=NOW)
        async with open_read_model() as uow:
            await apply_compliance_updates(uow, updates, now=NOW)
    for scope in (EVERY, SiteScope.of([site_a])):
        query = ComplianceStatusQuery(scope)
        async with open_read_model(writer=False) as uow:
            stored = await reports.compliance_status_report(uow, query, now=NOW, topics=TOPICS)
        assert stored == await reports.compliance_status_report(
            memory, query, now=NOW, topics=TOPICS
        )
    (a,) = (await reports.compliance_status_report(
        memory, ComplianceStatusQuery(SiteScope.of([site_a])), now=NOW, topics=TOPICS)).licenses  # fmt: skip
    assert (a.linked, a.pending, a.failed, a.open_findings) == (1, 1, 1, {"MISSING_IN_METRC": 1})


async def test_the_rebuilds_text_copy_writes_every_character_and_value_exactly(
    reporting_dsn: str,
) -> None:
    """COPY's text format, encoded by the rebuild: text with tabs, newlines, carriage returns,
    backslashes and a literal ``\\N`` comes back as it was, nulls as nulls, decimals and times
    exactly; a view written out is taken back (and gone from the table)."""
    tricky = "a\tb\nc\rd\\e \\N"
    replay = Replay()
    movements = replay.fold_inventory([batch_change(e) for e in history()])
    first = next(iter(replay.views.values()))
    facts = dataclasses.replace(first.facts, product_name=tricky, code="\\N", subcategory=None)
    view = dataclasses.replace(first, facts=facts)
    ledger = [dataclasses.replace(movements[0], notes=tricky, reason=None), *movements[1:]]
    conn = await asyncpg.connect(reporting_dsn)
    try:
        async with conn.transaction():
            await copy_views(conn, 1, [view])
            await copy_movements(conn, 1, ledger)
        rows = await conn.fetch(
            "SELECT * FROM read_model_1.movement ORDER BY batch_id, batch_version, sequence"
        )
        key = attrgetter("batch_id", "batch_version", "sequence")
        assert [movement_from_row(r) for r in rows] == sorted(ledger, key=key)
        async with conn.transaction():
            assert await take_back_views(conn, 1, [view.batch_id, uuid4()]) == [view]
        assert await conn.fetchval("SELECT count(*) FROM read_model_1.batch_view") == 0
    finally:
        await conn.close()
