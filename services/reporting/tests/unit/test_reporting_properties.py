"""Property tests of the inventory projections, on random inventory histories built with the
real event models (``reporting.testing.inventory_history``).

Whatever the interleaving of batches, the chunking into transactions, the replays of earlier
messages and the stale copies of old ones:

* every report the handlers answer from the incremental read model equals a direct
  computation from the batches' final states (and, for profitability and the movement history,
  from each batch's own ledger), written here independently of the domain code;
* delivering any already-applied message again, in any order, changes no row at all;
* folding a chunk equals applying its events one by one and adding up their deltas.
"""

from __future__ import annotations

import asyncio
import copy
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reporting.domain import AgingBracket, AgingThresholds, BatchView, Deltas, fold, project
from reporting.service_layer import reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    DashboardQuery,
    MovementHistoryQuery,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
)
from reporting.service_layer.event_mapping import batch_change
from reporting.service_layer.projections import apply_inventory_events
from reporting.service_layer.replay import Replay
from reporting.testing.inventory_history import (
    NOW,
    SITES,
    TOPIC,
    SimulatedBatch,
    deliveries,
    histories,
)
from reporting.testing.memory import InMemoryReadModel
from shared.events import inventory as ev

TOPICS = Topics(inventory=TOPIC)
Q4 = Decimal("0.0001")
SELLABLE = {"LIVE", "PHOTOGRAPHY_COMPLETE"}
PHYSICAL = {"ON_HAND", "QUARANTINE", "DEFECTIVE"}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def consume(model: InMemoryReadModel, chunks: list[list[Any]]) -> None:
    for chunk in chunks:
        await apply_inventory_events(model, chunk, now=NOW)


# ---------------------------------------------------------------- the direct computation


def final_states(batches: list[SimulatedBatch]) -> list[ev.BatchSnapshot]:
    states = []
    for batch in batches:
        last = batch.events[-1]
        assert isinstance(last, ev.BatchEventBase)
        states.append(last.batch)
    return states


def unit_cost(costs: ev.CostInfo) -> Decimal:
    if costs.cogs_mode.value == "FIXED":
        assert costs.unit_cogs is not None
        return costs.unit_cogs
    assert costs.unit_cogs_min is not None
    assert costs.unit_cogs_max is not None
    return ((costs.unit_cogs_min + costs.unit_cogs_max) / 2).quantize(Q4, rounding=ROUND_HALF_UP)


def present(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_EVEN)


def visible(state: ev.BatchSnapshot, sites: set[UUID] | None) -> bool:
    return sites is None or state.site.id in sites


def expected_dashboard(states: list[ev.BatchSnapshot], sites: set[UUID] | None) -> dict[str, Any]:
    live = [s for s in states if s.deleted_at is None and visible(s, sites)]
    sellable = [s for s in live if s.status.value in SELLABLE]

    def grouped(name_of: Any) -> dict[Any, tuple[int, Decimal, Decimal]]:
        groups: dict[Any, list[ev.BatchSnapshot]] = defaultdict(list)
        for s in sellable:
            groups[name_of(s)].append(s)
        return {
            name: (
                len(members),
                sum((m.balances.on_hand for m in members), Decimal(0)),
                present(
                    sum((m.balances.on_hand * unit_cost(m.costs) for m in members), Decimal(0))
                ),
            )
            for name, members in groups.items()
        }

    counts = Counter(s.status.value for s in live)
    return {
        "value": present(
            sum((s.balances.on_hand * unit_cost(s.costs) for s in sellable), Decimal(0))
        ),
        "units": sum((s.balances.on_hand for s in sellable), Decimal(0)),
        "statuses": {status.value: counts.get(status.value, 0) for status in ev.BatchStatus},
        "categories": grouped(lambda s: s.product.category),
        "subcategories": grouped(lambda s: s.product.subcategory),
    }


def expected_aging(
    states: list[ev.BatchSnapshot], thresholds: AgingThresholds, top: int
) -> dict[str, Any]:
    members = [
        s
        for s in states
        if s.deleted_at is None and s.status.value in SELLABLE and s.balances.on_hand > 0
    ]
    bounds = [thresholds.fresh_max_days, thresholds.moderate_max_days, thresholds.aging_max_days]

    def age(s: ev.BatchSnapshot) -> int:
        return max(0, (NOW - s.created_at) // timedelta(days=1))

    def bracket(days: int) -> str:
        for name, bound in zip(("FRESH", "MODERATE", "AGING"), bounds, strict=True):
            if days <= bound:
                return name
        return "CRITICAL"

    summary = {
        name: [0, Decimal(0), Decimal(0)] for name in ("FRESH", "MODERATE", "AGING", "CRITICAL")
    }
    for s in members:
        row = summary[bracket(age(s))]
        row[0] += 1
        row[1] += s.balances.on_hand
        row[2] += s.balances.on_hand * unit_cost(s.costs)
    oldest = sorted(members, key=lambda s: (s.created_at, s.batch_id))[:top]
    return {
        "summary": {k: (v[0], v[1], present(v[2])) for k, v in summary.items()},
        "aging_items_count": summary["AGING"][0] + summary["CRITICAL"][0],
        "top": [(s.batch_id, age(s), bracket(age(s))) for s in oldest],
    }


def expected_sales(batch: SimulatedBatch) -> dict[str, Decimal]:
    """Straight from the batch's ledger: each SALE and return valued at the costs its event
    carried."""
    sold = returned = revenue = cogs = unpriced = Decimal(0)
    for event in batch.events:
        assert isinstance(event, ev.BatchEventBase)
        costs = event.batch.costs
        for m in event.movements:
            if m.bucket.value not in PHYSICAL:
                continue
            if m.type == "SALE":
                sold -= m.change
                cogs -= m.change * unit_cost(costs)
                if costs.ticket is None:
                    unpriced -= m.change
                else:
                    revenue -= m.change * costs.ticket
            elif m.type in ("RETURN", "REFUND_RETURN"):
                returned += m.change
                cogs -= m.change * unit_cost(costs)
                if m.type == "REFUND_RETURN":
                    if costs.ticket is None:
                        unpriced += m.change
                    else:
                        revenue -= m.change * costs.ticket
    return {
        "sold": sold,
        "returned": returned,
        "revenue": revenue,
        "cogs": cogs,
        "unpriced": unpriced,
    }


def expected_movements(batch: SimulatedBatch) -> list[tuple[int, int, str, Decimal]]:
    rows = []
    for event in batch.events:
        assert isinstance(event, ev.BatchEventBase)
        rows += [(m.batch_version, m.sequence, m.type, m.change) for m in event.movements]
    return sorted(rows, reverse=True)


# ---------------------------------------------------------------- the properties


@PROPERTY
@given(st.data())
def test_every_report_equals_a_direct_computation_from_the_final_batch_states(
    data: st.DataObject,
) -> None:
    batches = data.draw(histories())
    chunks = data.draw(deliveries(batches))
    model = InMemoryReadModel()
    run(consume(model, chunks))
    states = final_states(batches)
    site_choice = data.draw(st.sampled_from([None, {UUID(SITES[0]["id"])}]))
    scope = SiteScope.every_site() if site_choice is None else SiteScope.of(site_choice)

    dashboard = run(reports.dashboard(model, DashboardQuery(scope), now=NOW, topics=TOPICS))
    expected = expected_dashboard(states, site_choice)
    assert dashboard.total_inventory_value == expected["value"]
    assert dashboard.total_units == expected["units"]
    assert {s.value: n for s, n in dashboard.status_counts.items()} == expected["statuses"]
    assert {c.name: (c.batches, c.units, c.value) for c in dashboard.category_stats} == expected[
        "categories"
    ]
    assert {c.name: (c.batches, c.units, c.value) for c in dashboard.subcategory_stats} == expected[
        "subcategories"
    ]

    thresholds = data.draw(
        st.sampled_from([AgingThresholds(), AgingThresholds(0, 1, 2), AgingThresholds(3, 40, 90)])
    )
    top = data.draw(st.integers(1, 10))
    aging = run(
        reports.aging(
            model, AgingQuery(SiteScope.every_site(), thresholds=thresholds, top=top),
            now=NOW, topics=TOPICS,
        )
    )  # fmt: skip
    expected = expected_aging(states, thresholds, top)
    assert {
        b.value: (t.count, t.total_units, t.total_value) for b, t in aging.summary.items()
    } == expected["summary"]
    assert aging.aging_items_count == expected["aging_items_count"]
    assert [(i.batch_id, i.age_days, i.bracket.value) for i in aging.top_aging_items] == expected[
        "top"
    ]

    summary = run(
        reports.profitability_summary_report(
            model, ProfitabilitySummaryQuery(SiteScope.every_site()), now=NOW, topics=TOPICS
        )
    )
    per_batch = {b.batch_id: expected_sales(b) for b in batches}
    assert summary.total_revenue == present(
        sum((s["revenue"] for s in per_batch.values()), Decimal(0))
    )
    assert summary.total_cost == present(sum((s["cogs"] for s in per_batch.values()), Decimal(0)))
    assert summary.total_units == sum(
        (s["sold"] - s["returned"] for s in per_batch.values()), Decimal(0)
    )
    assert summary.batches_with_sales == sum(1 for s in per_batch.values() if s["sold"] > 0)
    for batch in batches:
        metrics = run(
            reports.batch_profitability_report(
                model, BatchProfitabilityQuery(SiteScope.every_site(), batch.batch_id),
                now=NOW, topics=TOPICS,
            )
        )  # fmt: skip
        sales = per_batch[batch.batch_id]
        assert metrics.total_revenue == present(sales["revenue"])
        assert metrics.total_cost == present(sales["cogs"])
        assert metrics.units_sold == sales["sold"] - sales["returned"]
        assert metrics.unpriced_units == sales["unpriced"]

        history = run(
            reports.movement_history(
                model, MovementHistoryQuery(SiteScope.every_site(), batch.batch_id, limit=500),
                now=NOW, topics=TOPICS,
            )
        )  # fmt: skip
        assert [
            (m.batch_version, m.sequence, m.type, m.change) for m in history.items
        ] == expected_movements(batch)


@PROPERTY
@given(st.data())
def test_messages_delivered_again_change_nothing(data: st.DataObject) -> None:
    batches = data.draw(histories())
    chunks = data.draw(deliveries(batches))
    model = InMemoryReadModel()
    run(consume(model, chunks))
    before = copy.deepcopy(model.rows)
    delivered = [event for chunk in chunks for event in chunk]
    again = (
        data.draw(st.lists(st.sampled_from(delivered), min_size=1, max_size=40))
        if delivered
        else []
    )
    run(consume(model, [again[i : i + 7] for i in range(0, len(again), 7)]))
    assert model.rows == before


@PROPERTY
@given(st.data())
def test_folding_a_chunk_equals_projecting_its_events_one_by_one(data: st.DataObject) -> None:
    batches = data.draw(histories(max_batches=4))
    chunks = data.draw(deliveries(batches))
    changes = [batch_change(event) for chunk in chunks for event in chunk]
    folded = fold({}, changes)
    views: dict[UUID, Any] = {}
    deltas = Deltas()
    movements = []
    for change in changes:
        projection = project(views.get(change.batch.batch_id), change)
        if projection is None:
            continue
        views[change.batch.batch_id] = projection.view
        deltas.merge(projection.deltas)
        movements.extend(projection.movements)
    assert folded.views == views
    assert folded.deltas == deltas.nonzero()
    assert folded.movements == tuple(movements)
    assert folded.applied + folded.skipped == len(changes)


def test_the_histories_cover_every_bracket_and_every_event_type() -> None:
    """The generator is only as good as what it produces: a sample of it reaches every aging
    bracket, every inventory event type and operations of several events of one version."""
    seen_types: set[str] = set()
    brackets: set[AgingBracket] = set()
    shared_versions = 0

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(histories())
    def collect(batches: list[SimulatedBatch]) -> None:
        nonlocal shared_versions
        for batch in batches:
            versions = Counter()
            for event in batch.events:
                assert isinstance(event, ev.BatchEventBase)
                seen_types.add(type(event).__name__)
                versions[event.batch.version] += 1
            shared_versions += sum(1 for n in versions.values() if n > 1)
            brackets.add(AgingThresholds().bracket(max(0, (NOW - batch.created_at).days)))

    collect()
    assert seen_types == {name for name in ev.__all__ if name.endswith("V1")}
    assert brackets == set(AgingBracket)
    assert shared_versions > 0


@PROPERTY
@given(st.data())
def test_a_replay_in_memory_writes_exactly_the_rows_the_consumers_handlers_write(
    data: st.DataObject,
) -> None:
    """The rebuild's bulk phase (``service_layer.replay``) folds the whole history in memory
    and writes the final rows once; whatever the chunking, duplicates and stale copies, and
    however few views it keeps in memory (the others written out and taken back), those rows
    equal the ones the consumers' transactions leave (but the aggregate rows that went back to
    zero, which the replay never writes)."""
    batches = data.draw(histories())
    chunks = data.draw(deliveries(batches))
    # Memory bounded to this many views: the rest written out after each chunk, and taken
    # back when their batch comes again (as the rebuild does with its table).
    kept = data.draw(st.integers(0, 4), label="views kept")
    consumers = InMemoryReadModel()
    run(consume(consumers, chunks))

    replay = Replay()
    movements = []
    written: dict[UUID, BatchView] = {}
    for chunk in chunks:
        changes = [batch_change(event) for event in chunk]
        for event, change in zip(chunk, changes, strict=True):
            replay.passed(event.position, change.occurred_at)
        back = replay.missing({c.batch.batch_id for c in changes}) & written.keys()
        replay.restore([written.pop(i) for i in back])
        movements.extend(replay.fold_inventory(changes))
        written.update((v.batch_id, v) for v in replay.evict(kept))
    rebuilt = InMemoryReadModel()

    async def write() -> None:
        if replay.views or written:
            await rebuilt.batches.add([*written.values(), *replay.views.values()])
        await rebuilt.movements.append(movements)
        await rebuilt.aggregates.apply(replay.aggregates())
        await rebuilt.positions.advance(replay.progress(NOW))

    run(write())
    assert rebuilt.rows.views == consumers.rows.views
    assert rebuilt.rows.movements == consumers.rows.movements
    assert rebuilt.rows.positions == consumers.rows.positions
    # Aggregate rows whose contributions came and went stay as zeros in the consumers' tables.
    for table in ("dashboard", "aging", "profit"):
        kept = {k: v for k, v in getattr(consumers.rows, table).items() if not v.is_zero()}
        assert getattr(rebuilt.rows, table) == kept
