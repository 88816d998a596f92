"""Reads of batches, answered in the contract's shapes: lists, detail, ledger, FIFO availability.

Every read is filtered by the caller's site grants: a batch of a site the caller cannot see
does not exist for it (lists leave it out, a direct read answers BATCH_NOT_FOUND).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.contracts import inventory as api

from inventory.domain import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    AgingBracket,
    BatchNotFoundError,
    received_window,
)
from inventory.reads.keyset import cursor_id, cursor_instant, cursor_uuid, keyset_page
from inventory.reads.presenters import (
    allowed_next_statuses,
    batch_from_row,
    movement_from_row,
    shown,
)
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.ports import (
    SORT_COLUMNS,
    BatchFilter,
    MovementFilter,
    Row,
    UnitOfWork,
)

__all__ = [
    "available_for_product",
    "batch_detail",
    "enhanced_list",
    "get_batch",
    "list_batches",
    "movements",
    "uuid_or_none",
    "visible_row",
]

DETAIL_LIMIT = 50
_STOCK_BANDS: dict[api.StockStatus, tuple[Decimal | None, Decimal | None]] = {
    api.StockStatus.OUT_OF_STOCK: (None, Decimal(0)),
    api.StockStatus.LOW_STOCK: (Decimal(0), DEFAULT_LOW_STOCK_THRESHOLD),
    api.StockStatus.IN_STOCK: (DEFAULT_LOW_STOCK_THRESHOLD, None),
}


def uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _sites(caller: Caller, requested: Sequence[UUID]) -> list[str] | None:
    """Sites to read: the requested ones the caller may see, or all the caller may see
    (None = every site, for an identity granted all)."""
    if requested:
        return [str(s) for s in requested if caller.can_access_site(str(s))]
    if caller.all_sites:
        return None
    # Grants that are not site ids can match nothing; leaving them out keeps the SQL typed.
    return [str(u) for s in caller.site_ids if (u := uuid_or_none(s)) is not None]


async def list_batches(uow: UnitOfWork, caller: Caller, query: api.BatchListQuery) -> api.BatchPage:
    where = BatchFilter(
        site_ids=_sites(caller, query.site_id),
        statuses=[s.value for s in query.status],
        categories=query.category,
        search=query.search,
        include_archived=query.include_archived,
    )
    now = utc_now()

    async def fetch(after: Any, n: int) -> list[api.Batch]:
        rows = await uow.queries.page_after(where, after=after, limit=n)
        return [batch_from_row(row, now) for row in rows]

    page = await keyset_page(
        query.cursor or None,
        query.limit,
        key=(cursor_instant, cursor_uuid),
        fetch=fetch,
        last=lambda b: [b.created_at.isoformat(), str(b.id)],
    )
    return page.answer(api.BatchPage)


def _filter(caller: Caller, query: api.InventoryFilters, now: datetime) -> BatchFilter:
    return BatchFilter(
        site_ids=_sites(caller, query.site_id),
        statuses=[s.value for s in query.status],
        categories=query.category,
        vendor_ids=query.vendor_id,
        brand_ids=query.brand_id,
        grades=query.grade,
        location_ids=query.location_id,
        search=query.search,
        include_archived=query.include_archived,
        stock_bands=[_STOCK_BANDS[s] for s in dict.fromkeys(query.stock_status)],
        received_windows=[received_window(b, as_of=now) for b in dict.fromkeys(query.age_bracket)],
    )


async def enhanced_list(
    uow: UnitOfWork, caller: Caller, query: api.EnhancedListQuery
) -> api.EnhancedBatchList:
    now = utc_now()
    queries = uow.queries
    if query.sort_by is api.SortField.AGE:
        # Older means received earlier: ascending age is descending receipt time.
        column, descending = "created_at", query.sort_order is api.SortOrder.ASC
    else:
        column, descending = (
            SORT_COLUMNS[query.sort_by.value],
            query.sort_order is api.SortOrder.DESC,
        )
    bounds = tuple(
        received_window(bracket, as_of=now)[0]
        for bracket in (AgingBracket.FRESH, AgingBracket.MODERATE, AgingBracket.AGING)
    )
    # The page and the summary scan the same index range; on two connections they run at the
    # same time (two cores), which halves the wait.
    async with uow.another_connection() as second:
        # Both must finish before either connection is released, even when one fails.
        outcomes = await asyncio.gather(
            queries.page(
                _filter(caller, query, now),
                order_by=column,
                descending=descending,
                offset=(query.page - 1) * query.page_size,
                limit=query.page_size,
            ),
            second.summary(
                _filter(caller, query, now),
                low_stock=DEFAULT_LOW_STOCK_THRESHOLD,
                aging_bounds=bounds,  # type: ignore[arg-type]  # closed brackets have bounds
            ),
            return_exceptions=True,
        )
    rows, summary = outcomes
    if isinstance(rows, BaseException):
        raise rows
    if isinstance(summary, BaseException):
        raise summary
    total = summary.total
    pages = (total + query.page_size - 1) // query.page_size
    totals = summary.totals
    return api.EnhancedBatchList(
        items=[batch_from_row(row, now) for row in rows],
        pagination=api.Pagination(
            page=query.page,
            page_size=query.page_size,
            total_items=total,
            total_pages=pages,
            has_next=query.page < pages,
            has_previous=query.page > 1,
        ),
        summary=api.InventorySummary(
            total_batches=total,
            total_on_hand_qty=totals["on_hand"],
            total_reserved_qty=totals["reserved"],
            total_quarantine_qty=totals["quarantine"],
            total_hold_qty=totals["hold"],
            total_defective_qty=totals["defective"],
            total_available_qty=totals["available"],
            total_value=totals["value"],
            status_counts={s: summary.status.get(s.value, 0) for s in api.BatchStatus},
            stock_status_counts={s: summary.stock.get(s.value, 0) for s in api.StockStatus},
            aging_counts={b: summary.age.get(b.value, 0) for b in api.AgingBracket},
        ),
    )


async def visible_row(uow: UnitOfWork, caller: Caller, batch_id: UUID) -> Row:
    row = await uow.queries.batch_row(batch_id)
    if row is None or not caller.can_access_site(str(row["site_id"])):
        raise BatchNotFoundError(str(batch_id))
    return row


async def get_batch(uow: UnitOfWork, caller: Caller, batch_id: UUID) -> api.Batch:
    return batch_from_row(await visible_row(uow, caller, batch_id), utc_now())


async def batch_detail(uow: UnitOfWork, caller: Caller, batch_id: UUID) -> api.BatchDetail:
    row = await visible_row(uow, caller, batch_id)
    queries = uow.queries
    model = batch_from_row(row, utc_now())
    return api.BatchDetail(
        batch=model,
        locations=[
            api.BatchLocation(
                location_id=r["id"],
                site_id=r["site_id"],
                zone=r["zone"],
                rack=r["rack"],
                shelf=r["shelf"],
                bin=r["bin"],
                label=r["label"],
                qty=r["qty"],
            )
            for r in await queries.locations_of(batch_id)
        ],
        audit_logs=[
            shown(api.AuditLogEntry, r, batch_id=batch_id, changes=json.loads(r["changes"]))
            for r in await queries.audit_of(batch_id, DETAIL_LIMIT)
        ],
        movements=[
            movement_from_row(r)
            for r in await queries.movements_of(
                batch_id, MovementFilter(), after=None, limit=DETAIL_LIMIT
            )
        ],
        reservations=[
            api.Reservation(
                reference_type=r["reference_type"], reference_id=r["reference_id"], qty=r["qty"]
            )
            for r in await queries.reservations_of(batch_id)
        ],
        available_qty=model.available_qty,
        allowed_transitions=allowed_next_statuses(row["status"]),
    )


async def movements(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, query: api.MovementsQuery
) -> api.MovementPage:
    """A page of the batch's ledger, filtered and ordered as ``query`` says."""
    await visible_row(uow, caller, batch_id)
    where = MovementFilter(
        types=[t.value for t in query.movement_type],
        buckets=[b.value for b in query.bucket],
        occurred_from=query.occurred_from,
        occurred_to=query.occurred_to,
        ascending=query.order is api.SortOrder.ASC,
    )

    async def fetch(after: Any, n: int) -> list[api.Movement]:
        return [
            movement_from_row(r)
            for r in await uow.queries.movements_of(batch_id, where, after=after, limit=n)
        ]

    page = await keyset_page(
        query.cursor or None,
        query.limit,
        key=(cursor_instant, cursor_id),
        fetch=fetch,
        last=lambda m: [m.occurred_at.astimezone(UTC).isoformat(), m.id],
    )
    total = await uow.queries.count_movements(batch_id, where) if query.include_total else None
    return page.answer(api.MovementPage, total=total)


async def available_for_product(
    uow: UnitOfWork, caller: Caller, product_id: UUID, min_quantity: Decimal
) -> list[api.AvailableBatch]:
    if await uow.reference.product(product_id) is None:
        raise NotFoundError("product", str(product_id))
    now = utc_now()
    rows = await uow.queries.available_for_product(
        product_id, site_ids=_sites(caller, []), min_quantity=min_quantity
    )
    # The batch as the list shows it, cut to what a FIFO pick needs.
    fields = set(api.AvailableBatch.model_fields) - {"batch_id"}
    return [
        api.AvailableBatch(batch_id=b.id, **{name: getattr(b, name) for name in fields})
        for b in (batch_from_row(row, now) for row in rows)
    ]
