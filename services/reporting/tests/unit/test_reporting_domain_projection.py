"""The inventory projection, event by event: new views, ledger rows, deltas, idempotency."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from reporting.domain import (
    EVERY_SITE,
    AgingDayKey,
    BatchChange,
    BatchView,
    DashboardKey,
    Dimension,
    InconsistentEventError,
    ProfitKey,
    ProfitTotals,
    Totals,
    fold,
    project,
)
from reporting.service_layer.event_mapping import batch_change
from reporting.testing.inventory_history import NOW, SITES, SimulatedBatch, in_order, new_batch

SITE = UUID(SITES[0]["id"])


def changes(batch: SimulatedBatch) -> list[BatchChange]:
    return [batch_change(event) for event in in_order([batch])]


def replay(items: list[BatchChange]) -> BatchView:
    view = None
    for change in items:
        projection = project(view, change)
        if projection is not None:
            view = projection.view
    assert view is not None
    return view


class TestANewBatch:
    def test_its_first_event_creates_its_view_with_the_events_facts_and_ledger_row(self) -> None:
        created = changes(new_batch(quantity=100, live=False))[0]
        projection = project(None, created)
        assert projection is not None
        assert projection.view.facts == created.batch
        assert projection.view.next_sequence == 1
        assert [(m.type, m.change) for m in projection.movements] == [
            ("INTAKE", Decimal("100.0000"))
        ]

    def test_awaiting_intake_counts_in_its_status_but_not_as_sellable_stock(self) -> None:
        projection = project(None, changes(new_batch(quantity=100, live=False))[0])
        assert projection is not None
        stock = Totals(1, Decimal("100.0000"), Decimal("250.00000000"))
        assert projection.deltas.dashboard == {
            DashboardKey(site, Dimension.STATUS, "AWAITING_INTAKE"): stock
            for site in (SITE, EVERY_SITE)
        }
        assert projection.deltas.aging == {}


class TestDeltas:
    def test_going_live_moves_the_batch_into_sellable_stock_aging_and_its_categories(self) -> None:
        intake, live = changes(new_batch(quantity=100))
        view = project(None, intake)
        assert view is not None
        projection = project(view.view, live)
        assert projection is not None
        stock = Totals(1, Decimal("100.0000"), Decimal("250.00000000"))
        for site in (SITE, EVERY_SITE):  # the site's rows and the totals over every site
            assert {k: v for k, v in projection.deltas.dashboard.items() if k.site_id == site} == {
                DashboardKey(site, Dimension.STATUS, "AWAITING_INTAKE"): -stock,
                DashboardKey(site, Dimension.STATUS, "LIVE"): stock,
                DashboardKey(site, Dimension.SELLABLE, ""): stock,
                DashboardKey(site, Dimension.CATEGORY, "Flower"): stock,
                DashboardKey(site, Dimension.SUBCATEGORY, "Indoor"): stock,
            }
        assert len(projection.deltas.dashboard) == 10
        assert projection.deltas.aging == {
            AgingDayKey(SITE, NOW.date()): stock,
            AgingDayKey(EVERY_SITE, NOW.date()): stock,
        }

    def test_a_sale_changes_stock_and_adds_to_the_categorys_profit(self) -> None:
        batch = new_batch(quantity=100, unit_cogs="2.5000", ticket="4.0000")
        batch.sell(2500, from_reservation=False)  # 25 units
        *before, sale = changes(batch)
        projection = project(replay(before), sale)
        assert projection is not None
        change = Totals(0, Decimal("-25.0000"), Decimal("-62.50000000"))
        assert projection.deltas.dashboard[DashboardKey(SITE, Dimension.SELLABLE, "")] == change
        sold = ProfitTotals(
            1, Decimal("25.0000"), Decimal(0), Decimal("100.00000000"), Decimal("62.50000000")
        )
        assert projection.deltas.profit == {
            ProfitKey(SITE, "Flower"): sold,
            ProfitKey(EVERY_SITE, "Flower"): sold,
        }

    def test_a_deleted_batch_leaves_the_dashboard_and_aging_but_keeps_its_sales(self) -> None:
        batch = new_batch(quantity=10)
        batch.sell(10_000, from_reservation=False)
        batch.delete()
        items = changes(batch)
        deleted = items[-1]
        assert deleted.event_type == "inventory.batch.deleted"
        view = replay(items)
        assert view.facts.deleted_at is not None
        assert view.sales.units_sold == Decimal("10.0000")
        folded = fold({}, items)
        assert folded.deltas.dashboard == {}
        assert folded.deltas.aging == {}
        assert folded.deltas.profit[ProfitKey(SITE, "Flower")].units_sold == Decimal("10.0000")


class TestIdempotency:
    def test_an_event_delivered_again_changes_nothing(self) -> None:
        items = changes(new_batch())
        view = replay(items)
        assert project(view, items[-1]) is None
        assert project(view, items[0]) is None

    def test_the_events_of_one_operation_share_a_version_and_each_adds_its_ledger_rows(
        self,
    ) -> None:
        batch = new_batch(quantity=100)
        batch.reserve(1000, 1)
        batch.put_on_hold(1000)
        batch.change_status("QUARANTINED")
        items = changes(batch)
        quarantine = [c for c in items if c.batch.version == items[-1].batch.version]
        assert [c.event_type for c in quarantine] == [
            "inventory.batch.reservation_released",
            "inventory.batch.hold_released",
            "inventory.batch.status_changed",
        ]
        view = replay(items[: -len(quarantine)])
        for change in quarantine:
            projection = project(view, change)
            assert projection is not None, change.event_type
            assert [m.sequence for m in projection.movements] == [
                m.sequence for m in change.movements
            ]
            view = projection.view
        assert view.next_sequence == 4
        for change in quarantine:
            assert project(view, change) is None

    def test_an_event_of_the_same_version_without_new_ledger_rows_changes_nothing(self) -> None:
        batch = new_batch(quantity=5)
        batch.clear_out()
        batch.delete()
        status_changed, deleted = changes(batch)[-2:]
        assert status_changed.batch.version == deleted.batch.version
        view = replay(changes(batch)[:-1])
        assert project(view, deleted) is None

    def test_folding_skips_what_is_not_new_and_counts_it(self) -> None:
        items = changes(new_batch())
        folded = fold({}, [*items, *items, items[0]])
        assert (folded.applied, folded.skipped) == (2, 3)
        assert len(folded.movements) == 1


class TestInconsistentEvents:
    def test_a_ledger_row_of_another_version_is_refused(self) -> None:
        change = changes(new_batch(live=False))[0]
        wrong = replace(change.movements[0], batch_version=7)
        with pytest.raises(InconsistentEventError):
            BatchChange(change.event_type, change.batch, (wrong,), change.occurred_at)

    def test_ledger_rows_out_of_sequence_are_refused(self) -> None:
        batch = new_batch()
        batch.transfer(5000)
        change = changes(batch)[-1]
        with pytest.raises(InconsistentEventError):
            BatchChange(change.event_type, change.batch, change.movements[::-1], change.occurred_at)

    def test_an_envelope_that_disagrees_with_its_payload_is_refused(self) -> None:
        event = in_order([new_batch()])[1]
        with pytest.raises(InconsistentEventError):
            batch_change(replace(event, aggregate_version=9))
        with pytest.raises(InconsistentEventError):
            batch_change(replace(event, aggregate_id="another batch"))


def test_a_view_remembers_the_latest_event_time_even_if_events_come_with_older_times() -> None:
    first, second = changes(new_batch())
    view = replay([first, replace(second, occurred_at=first.occurred_at - timedelta(hours=1))])
    assert view.last_event_at == first.occurred_at
