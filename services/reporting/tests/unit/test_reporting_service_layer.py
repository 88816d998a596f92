"""The handlers over the in-memory read model: site scopes, errors, paging, positions and "as
of", compliance updates, poison events, and the rebuild's swap."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from reporting.domain import (
    BatchLinkUpdate,
    FindingUpdate,
    InconsistentEventError,
    InvalidReportParametersError,
    LinkState,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
)
from reporting.service_layer import rebuild, reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    ComplianceStatusQuery,
    ConsumedComplianceUpdate,
    DashboardQuery,
    MovementHistoryQuery,
    Position,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
    Watermark,
)
from reporting.service_layer.errors import (
    BatchNotFoundError,
    SiteAccessDeniedError,
    UnprojectableEventError,
)
from reporting.service_layer.projections import (
    apply_compliance_updates,
    apply_inventory_events,
    record_watermarks,
)
from reporting.testing.inventory_history import NOW, SITES, TOPIC, in_order, new_batch
from reporting.testing.memory import InMemoryGenerations, InMemoryReadModel

SITE_A, SITE_B = UUID(SITES[0]["id"]), UUID(SITES[1]["id"])
TOPICS = Topics(inventory=TOPIC, compliance="compliance.test")
ONLY_A = SiteScope.of([SITE_A])


async def loaded() -> tuple[InMemoryReadModel, list[UUID]]:
    """Two sites: 100 units at A, 30 at B, each batch sold from."""
    model = InMemoryReadModel()
    a, b = new_batch(quantity=100, site=0), new_batch(quantity=30, site=1, product=2)
    a.sell(1000, from_reservation=False)
    b.sell(5000, from_reservation=False)
    await apply_inventory_events(model, in_order([a, b]), now=NOW)
    return model, [a.batch_id, b.batch_id]


class TestSiteScopes:
    async def test_a_caller_sees_only_the_sites_granted(self) -> None:
        model, _ = await loaded()
        every = await reports.dashboard(model, DashboardQuery(SiteScope.every_site()), now=NOW)
        mine = await reports.dashboard(model, DashboardQuery(ONLY_A), now=NOW)
        assert (every.total_units, mine.total_units) == (90 + 15, 90)

    async def test_a_requested_site_narrows_the_report(self) -> None:
        model, _ = await loaded()
        query = ProfitabilitySummaryQuery(SiteScope.every_site(), site_ids=(SITE_B,))
        summary = await reports.profitability_summary_report(model, query, now=NOW)
        assert summary.total_units == 15

    async def test_a_requested_site_that_is_not_granted_is_refused(self) -> None:
        model, _ = await loaded()
        for query in (
            DashboardQuery(ONLY_A, site_ids=(SITE_B,)),
            AgingQuery(ONLY_A, site_ids=(SITE_A, SITE_B)),
        ):
            with pytest.raises(SiteAccessDeniedError) as refused:
                await (
                    reports.dashboard(model, query, now=NOW)  # type: ignore[arg-type]
                    if isinstance(query, DashboardQuery)
                    else reports.aging(model, query, now=NOW)
                )
            assert refused.value.code == "SITE_ACCESS_DENIED"

    async def test_a_caller_granted_no_site_sees_empty_reports(self) -> None:
        model, _ = await loaded()
        report = await reports.aging(model, AgingQuery(SiteScope.of([])), now=NOW)
        assert sum(t.count for t in report.summary.values()) == 0
        assert report.top_aging_items == ()

    async def test_a_batch_of_another_site_is_not_found_like_a_batch_that_does_not_exist(
        self,
    ) -> None:
        model, (_, at_b) = await loaded()
        for batch_id in (at_b, uuid4()):
            with pytest.raises(BatchNotFoundError) as missing:
                await reports.batch_profitability_report(
                    model, BatchProfitabilityQuery(ONLY_A, batch_id), now=NOW
                )
            assert missing.value.code == "BATCH_NOT_FOUND"
            with pytest.raises(BatchNotFoundError):
                await reports.movement_history(
                    model, MovementHistoryQuery(ONLY_A, batch_id), now=NOW
                )


async def test_the_movement_history_pages_newest_first() -> None:
    model = InMemoryReadModel()
    batch = new_batch()
    for _ in range(3):
        batch.sell(1000, from_reservation=False)
    await apply_inventory_events(model, in_order([batch]), now=NOW)
    first = await reports.movement_history(
        model, MovementHistoryQuery(SiteScope.every_site(), batch.batch_id, limit=3), now=NOW
    )
    assert [(m.batch_version, m.type) for m in first.items] == [
        (5, "SALE"),
        (4, "SALE"),
        (3, "SALE"),
    ]
    assert first.next_before == (3, 0)
    rest = await reports.movement_history(
        model,
        MovementHistoryQuery(
            SiteScope.every_site(), batch.batch_id, limit=3, before=first.next_before
        ),
        now=NOW,
    )
    assert [(m.batch_version, m.type) for m in rest.items] == [(1, "INTAKE")]
    assert rest.next_before is None


def test_report_parameters_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidReportParametersError):
        AgingQuery(SiteScope.every_site(), top=0)
    with pytest.raises(InvalidReportParametersError):
        MovementHistoryQuery(SiteScope.every_site(), uuid4(), limit=501)


class TestPositionsAndAsOf:
    async def test_positions_record_the_highest_offset_per_partition_and_never_go_back(
        self,
    ) -> None:
        model = InMemoryReadModel()
        events = in_order([new_batch(), new_batch(quantity=7)])
        await apply_inventory_events(model, events, now=NOW)
        before = await model.positions.all()
        await apply_inventory_events(model, events[:1], now=NOW + timedelta(hours=1))
        assert await model.positions.all() == before
        highest = {}
        for e in events:
            highest[e.position.partition] = max(
                highest.get(e.position.partition, -1), e.position.offset
            )
        assert {p.partition: p.last_offset for p in before} == highest

    async def test_every_report_says_as_of_when_and_lag_how_far_behind(self) -> None:
        model, _ = await loaded()
        positions = await model.positions.all()
        last_events = [p.last_event_at for p in positions if p.last_event_at is not None]
        # No watermark seen yet: complete through the last event applied on each partition.
        dashboard = await reports.dashboard(model, DashboardQuery(ONLY_A), now=NOW, topics=TOPICS)
        assert dashboard.as_of == min(last_events)
        inventory, _ = await reports.lag(model, now=NOW, topics=TOPICS)
        assert inventory.messages_behind is None
        # Watermarks far ahead: behind, still as of the last events.
        await record_watermarks(
            model, [Watermark(TOPIC, p.partition, 10**6, NOW) for p in positions]
        )
        inventory, compliance = await reports.lag(
            model, now=NOW + timedelta(hours=1), topics=TOPICS
        )
        assert inventory.messages_behind == sum(10**6 - p.last_offset - 1 for p in positions)
        assert inventory.as_of == min(last_events)
        assert inventory.lag == NOW + timedelta(hours=1) - min(last_events)
        assert compliance.as_of is None
        # Caught up at a later look: as of that look.
        seen = NOW + timedelta(hours=2)
        await record_watermarks(
            model, [Watermark(TOPIC, p.partition, p.last_offset + 1, seen) for p in positions]
        )
        aging = await reports.aging(model, AgingQuery(ONLY_A), now=seen, topics=TOPICS)
        assert aging.as_of == seen


async def test_an_event_that_cannot_be_projected_stops_the_batch_before_anything_is_written() -> (
    None
):
    model = InMemoryReadModel()
    events = in_order([new_batch()])
    before = copy.deepcopy(model.rows)
    poisoned = replace(events[1], aggregate_version=42)
    with pytest.raises(UnprojectableEventError) as refused:
        await apply_inventory_events(model, [events[0], poisoned], now=NOW)
    assert (refused.value.event_id, refused.value.position) == (
        poisoned.event_id,
        poisoned.position,
    )
    assert refused.value.code == "INVALID_EVENT"
    assert isinstance(refused.value, InconsistentEventError)
    assert model.rows == before


async def test_compliance_updates_give_each_licenses_status() -> None:
    model = InMemoryReadModel()
    batch, finding = uuid4(), uuid4()
    facts = [
        BatchLinkUpdate(batch, SITE_A, "OR-1", LinkState.PENDING, 1, NOW),
        BatchLinkUpdate(uuid4(), SITE_B, "OR-2", LinkState.FAILED, 1, NOW),
        FindingUpdate(finding, SITE_A, "OR-1", "PUSH_FAILED", True, 1, NOW),
        BatchLinkUpdate(batch, SITE_A, "OR-1", LinkState.LINKED, 2, NOW),
        SyncFinished(uuid4(), SITE_A, "OR-1", SyncDirection.PULL, SyncOutcome.SUCCEEDED, NOW),
    ]
    updates = [
        ConsumedComplianceUpdate(Position(TOPICS.compliance, 0, n), fact, NOW)
        for n, fact in enumerate(facts)
    ]
    first = await apply_compliance_updates(model, updates, now=NOW)
    again = await apply_compliance_updates(model, updates, now=NOW)
    assert (first.applied, again.applied, again.skipped) == (5, 0, 5)
    report = await reports.compliance_status_report(
        model, ComplianceStatusQuery(ONLY_A), now=NOW, topics=TOPICS
    )
    (license,) = report.licenses
    assert (license.license_number, license.linked, license.pending, license.failed) == (
        "OR-1",
        1,
        0,
        0,
    )
    assert license.open_findings == {"PUSH_FAILED": 1}
    assert license.last_sync is not None
    assert license.last_sync.outcome is SyncOutcome.SUCCEEDED


class TestRebuild:
    async def test_a_rebuild_is_swapped_in_only_once_it_has_caught_up_with_the_live_one(
        self,
    ) -> None:
        generations = InMemoryGenerations()
        events = in_order([new_batch(), new_batch(quantity=3, site=1)])
        await apply_inventory_events(generations.models[1], events, now=NOW)
        fresh = await rebuild.start_rebuild(generations)
        await apply_inventory_events(generations.models[fresh], events[:2], now=NOW)
        assert not await rebuild.swap_if_caught_up(generations, fresh)
        assert generations.live_generation == 1
        await apply_inventory_events(generations.models[fresh], events[2:], now=NOW)
        assert await rebuild.swap_if_caught_up(generations, fresh)
        assert generations.live_generation == fresh
        assert generations.models[fresh].rows == generations.models[1].rows
        assert await rebuild.drop_retired(generations) == [1]
        assert await rebuild.swap_if_caught_up(generations, fresh)
