"""CSV of every report: stable columns, exact decimals, UTC times, cells a spreadsheet shows
rather than evaluates."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from reporting.domain import (
    BatchLinkUpdate,
    FindingUpdate,
    LinkState,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
)
from reporting.service_layer import reports
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
)
from reporting.service_layer.csv_export import (
    aging_csv,
    batch_profitability_csv,
    compliance_status_csv,
    dashboard_csv,
    movement_history_csv,
    profitability_summary_csv,
)
from reporting.service_layer.projections import apply_compliance_updates, apply_inventory_events
from reporting.testing.inventory_history import NOW, SITES, in_order, new_batch
from reporting.testing.memory import InMemoryReadModel

EVERY = SiteScope.every_site()


def parse(text: str) -> list[dict[str, str]]:
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def model_with_sales() -> tuple[InMemoryReadModel, UUID]:
    model = InMemoryReadModel()
    flower = new_batch(quantity="100.1234", received=NOW - timedelta(days=40))  # type: ignore[arg-type]
    named = new_batch(quantity=50, product=3, ticket=None)  # product "=Product 3"
    flower.sell(1000, from_reservation=False)
    named.sell(1000, from_reservation=False)
    await apply_inventory_events(model, in_order([flower, named]), now=NOW)
    return model, flower.batch_id


async def test_the_dashboard_csv_has_fixed_columns_and_a_row_per_figure() -> None:
    model, _ = await model_with_sales()
    text = dashboard_csv(await reports.dashboard(model, DashboardQuery(EVERY), now=NOW))
    assert text.splitlines()[0] == "asOf,section,name,batches,units,value"
    rows = parse(text)
    # 90.1111 + 45 units at 2.50; the earliest partition's last event is the flower's sale.
    assert rows[0] == {"asOf": "2026-01-21T09:44:00Z", "section": "total", "name": "",
                       "batches": "", "units": "135.1111", "value": "337.7778"}  # fmt: skip
    assert [r["name"] for r in rows if r["section"] == "status"][:2] == ["AWAITING_INTAKE", "LIVE"]
    assert {r["name"] for r in rows if r["section"] == "category"} == {"Flower", "Edible"}


async def test_the_aging_csv_lists_brackets_the_aging_count_and_the_oldest_items() -> None:
    model, flower = await model_with_sales()
    text = aging_csv(await reports.aging(model, AgingQuery(EVERY, top=2), now=NOW))
    rows = parse(text)
    assert [r["section"] for r in rows] == ["summary"] * 4 + ["agingItemsCount"] + [
        "topAgingItem"
    ] * 2
    aging = next(r for r in rows if r["bracket"] == "AGING")
    assert (aging["count"], aging["units"], aging["value"]) == ("1", "90.1111", "225.2778")
    oldest = rows[5]
    assert (oldest["batchId"], oldest["ageDays"], oldest["receivedAt"]) == (
        str(flower),
        "40",
        "2026-01-21T09:30:00Z",
    )
    assert rows[6]["productName"] == "'=Product 3"  # shown, not evaluated


async def test_the_profitability_csvs_keep_every_figure_exact() -> None:
    model, flower = await model_with_sales()
    summary = parse(profitability_summary_csv(
        await reports.profitability_summary_report(model, ProfitabilitySummaryQuery(EVERY), now=NOW)
    ))  # fmt: skip
    assert summary[0]["section"] == "total"
    assert (summary[0]["unitsSold"], summary[0]["totalRevenue"], summary[0]["unpricedUnits"]) == (
        "15.0123",
        "40.0492",
        "5.0000",
    )
    assert [r["category"] for r in summary[1:]] == ["Flower", "Edible"]
    (batch,) = parse(batch_profitability_csv(
        await reports.batch_profitability_report(model, BatchProfitabilityQuery(EVERY, flower), now=NOW)
    ))  # fmt: skip
    assert (batch["unitCost"], batch["ticket"], batch["marginPercent"]) == (
        "2.5000",
        "4.0000",
        "37.50",
    )


async def test_the_movement_history_csv_keeps_negative_numbers_as_numbers() -> None:
    model, flower = await model_with_sales()
    history = await reports.movement_history(model, MovementHistoryQuery(EVERY, flower), now=NOW)
    rows = parse(movement_history_csv(history))
    assert [(r["movementType"], r["quantityChange"]) for r in rows] == [
        ("SALE", "-10.0123"), ("INTAKE", "100.1234")
    ]  # fmt: skip
    assert rows[0]["referenceId"] == "SO-walk-in"
    assert rows[1]["notes"] == ""


async def test_the_compliance_csv_has_one_row_per_license() -> None:
    model = InMemoryReadModel()
    site = UUID(SITES[0]["id"])
    facts = [
        BatchLinkUpdate(uuid4(), site, "OR-1", LinkState.FAILED, 1, NOW),
        FindingUpdate(uuid4(), site, "OR-1", "PUSH_FAILED", True, 1, NOW),
        FindingUpdate(uuid4(), site, "OR-1", "MISSING_IN_METRC", True, 1, NOW),
        SyncFinished(uuid4(), site, "OR-1", SyncDirection.PUSH, SyncOutcome.PARTIAL, NOW),
    ]
    await apply_compliance_updates(
        model,
        [ConsumedComplianceUpdate(Position("c", 0, n), f, NOW) for n, f in enumerate(facts)],
        now=NOW,
    )
    report = await reports.compliance_status_report(model, ComplianceStatusQuery(EVERY), now=NOW)
    (row,) = parse(compliance_status_csv(report))
    assert row == {
        "asOf": "", "siteId": str(site), "licenseNumber": "OR-1", "linked": "0", "pending": "0",
        "failed": "1", "lastSyncAt": "2026-03-02T09:30:00Z", "lastSyncDirection": "PUSH",
        "lastSyncOutcome": "PARTIAL", "openFindings": "2",
        "openFindingsByClass": "MISSING_IN_METRC=1;PUSH_FAILED=1",
    }  # fmt: skip
    assert Decimal(row["failed"]) == 1
