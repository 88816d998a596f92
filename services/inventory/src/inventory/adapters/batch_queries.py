"""Read-side SQL: the cursor list, the enhanced list with its summary, detail parts, the ledger,
balances as of an instant, and FIFO availability.

Filters are assembled from fixed SQL fragments; every value is a bound parameter ($n), and sort
columns come from a whitelist, never from the request text.
"""

# SQL here is assembled only from constants of this module (column lists, whitelisted sort
# columns); every value is a bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from shared.database import Connection

from inventory.service_layer.ports import SORT_COLUMNS, BatchFilter, MovementFilter, Summary

__all__ = ["BatchQueries", "contains_pattern"]

Row = Any

# Everything the Batch contract shows, without the trigram search column.
BATCH_COLUMNS: Final = (
    "id, code, sku, site_id, product_id, lot_id, vendor_id, brand_id, product_name, category,"
    " subcategory, strain, vendor_name, brand_name, lot_code, unit_of_measure, status, grade,"
    " is_sample, on_hand_qty, reserved_qty, quarantine_qty, hold_qty, defective_qty,"
    " available_qty, cogs_mode, unit_cogs, unit_cogs_min, unit_cogs_max, cogs_total, payment_terms,"
    " ticket,"
    " notes, metadata::text AS metadata, primary_location_id, version, created_at, updated_at,"
    " deleted_at, package_tag, package_source::text AS package_source"
)

_PREFIXED_COLUMNS: Final = ", ".join(f"b.{column.strip()}" for column in BATCH_COLUMNS.split(","))


class _Where:
    """A filter as a WHERE clause (without the keyword), its values bound as ``$n``."""

    def __init__(self, where: BatchFilter) -> None:
        self.params: list[Any] = []
        self.sql = self._clauses(where)

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def _clauses(self, where: BatchFilter) -> str:
        clauses: list[str] = []
        if where.site_ids is not None:
            clauses.append(f"site_id = ANY({self.param(list(where.site_ids))}::uuid[])")
        if not where.include_archived:
            # Deleted batches are CLOSED (a CHECK says so), so this hides both.
            clauses.append("status <> 'CLOSED'")
        for column, values, cast in (
            ("status", where.statuses, "text"),
            ("category", where.categories, "text"),
            ("vendor_id", where.vendor_ids, "uuid"),
            ("brand_id", where.brand_ids, "uuid"),
            ("grade", where.grades, "text"),
        ):
            if values:
                clauses.append(f"{column} = ANY({self.param(list(values))}::{cast}[])")
        if where.search:
            clauses.append(f"search_text LIKE {self.param(contains_pattern(where.search))}")
        if where.location_ids:
            clauses.append(
                "EXISTS (SELECT 1 FROM batch_location bl WHERE bl.batch_id = batch.id"
                f" AND bl.location_id = ANY({self.param(list(where.location_ids))}::uuid[]))"
            )
        if where.stock_bands:
            clauses.append(self._any_of("available_qty", where.stock_bands, "numeric"))
        if where.received_windows:
            clauses.append(self._any_of("created_at", where.received_windows, "timestamptz"))
        return " AND ".join(clauses) or "true"

    def _any_of(self, column: str, bounds: Sequence[tuple[Any, Any]], cast: str) -> str:
        parts = []
        for low, high in bounds:
            terms = []
            if low is not None:
                terms.append(f"{column} > {self.param(low)}::{cast}")
            if high is not None:
                terms.append(f"{column} <= {self.param(high)}::{cast}")
            parts.append("(" + (" AND ".join(terms) or "true") + ")")
        return "(" + " OR ".join(parts) + ")"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching lower-cased text that contains ``text`` literally (its %, _ and
    backslashes escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _summary_sql(where: str, low_stock: str, windows: list[str]) -> str:
    # One pass over the filtered set. Each FILTER costs a comparison per row, so the last member
    # of each family (CLOSED, IN_STOCK, CRITICAL) is derived as the rest of the total.
    fresh, moderate, aging = windows
    statuses = ", ".join(
        f"count(*) FILTER (WHERE status = '{status}') AS \"{status}\"" for status in _COUNTED
    )
    return (
        f"SELECT count(*) AS total, {statuses},"
        ' count(*) FILTER (WHERE available_qty = 0) AS "OUT_OF_STOCK",'
        f" count(*) FILTER (WHERE available_qty > 0 AND available_qty <= {low_stock})"
        ' AS "LOW_STOCK",'
        f' count(*) FILTER (WHERE created_at > {fresh}) AS "FRESH",'
        f" count(*) FILTER (WHERE created_at <= {fresh} AND created_at > {moderate})"
        ' AS "MODERATE",'
        f" count(*) FILTER (WHERE created_at <= {moderate} AND created_at > {aging})"
        ' AS "AGING",'
        " sum(on_hand_qty) AS on_hand, sum(reserved_qty) AS reserved,"
        " sum(quarantine_qty) AS quarantine, sum(hold_qty) AS hold,"
        " sum(defective_qty) AS defective, sum(available_qty) AS available,"
        # Rounded by PostgreSQL: a sum of products of two 4-place numbers can hold more digits
        # than Python's decimal context (28) quantizes without an error.
        " round(sum(stock_value), 4) AS value"
        f" FROM batch WHERE {where}"
    )


_COUNTED: Final = (
    "AWAITING_INTAKE",
    "LIVE",
    "PHOTOGRAPHY_COMPLETE",
    "ON_HOLD",
    "QUARANTINED",
    "SOLD_OUT",
)
_SUMMED: Final = ("on_hand", "reserved", "quarantine", "hold", "defective", "available", "value")


def _fold(row: Row) -> Summary:
    total: int = row["total"]
    status = {name: row[name] for name in _COUNTED}
    status["CLOSED"] = total - sum(status.values())
    stock = {name: row[name] for name in ("OUT_OF_STOCK", "LOW_STOCK")}
    stock["IN_STOCK"] = total - sum(stock.values())
    age = {name: row[name] for name in ("FRESH", "MODERATE", "AGING")}
    age["CRITICAL"] = total - sum(age.values())
    zero = Decimal("0.0000")
    totals = {name: (row[name] or zero) for name in _SUMMED}
    return Summary(total=total, totals=totals, status=status, stock=stock, age=age)


class BatchQueries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def page_after(
        self, where: BatchFilter, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]:
        """Newest first, keyset-paginated on (created_at, id)."""
        clause = _Where(where)
        condition = clause.sql
        if after is not None:
            created, batch_id = after
            condition += (
                f" AND (created_at, id) < ({clause.param(created)}::timestamptz,"
                f" {clause.param(batch_id)}::uuid)"
            )
        sql = (
            f"SELECT {BATCH_COLUMNS} FROM batch WHERE {condition}"
            f" ORDER BY created_at DESC, id DESC LIMIT {clause.param(limit)}"
        )
        return list(await self._conn.fetch(sql, *clause.params))

    async def page(
        self, where: BatchFilter, *, order_by: str, descending: bool, offset: int, limit: int
    ) -> list[Row]:
        """One page of the enhanced list; ``order_by`` is a value of :data:`SORT_COLUMNS`.

        Two steps: the page's ids come from an index-only scan of the open batches' covering
        index (every filter and sort column is in it), then only those rows are read in full.
        MATERIALIZED keeps the planner from merging the steps and reading every matching row.
        """
        if order_by not in SORT_COLUMNS.values():
            raise ValueError(f"not a sortable column: {order_by}")
        direction = "DESC" if descending else "ASC"
        clause = _Where(where)
        sql = (
            f"WITH page AS MATERIALIZED (SELECT id, {order_by} AS sort_key FROM batch"
            f" WHERE {clause.sql} ORDER BY {order_by} {direction}, id {direction}"
            f" OFFSET {clause.param(offset)} LIMIT {clause.param(limit)})"
            f" SELECT {_PREFIXED_COLUMNS} FROM page JOIN batch b ON b.id = page.id"
            f" ORDER BY page.sort_key {direction}, b.id {direction}"
        )
        return list(await self._conn.fetch(sql, *clause.params))

    async def summary(
        self,
        where: BatchFilter,
        *,
        low_stock: Decimal,
        aging_bounds: tuple[datetime, datetime, datetime],
    ) -> Summary:
        """Counts and totals over everything ``where`` selects. ``aging_bounds``: the receipt
        times at or below which a batch is MODERATE, AGING and CRITICAL."""
        clause = _Where(where)
        low = clause.param(low_stock) + "::numeric"
        windows = [clause.param(bound) + "::timestamptz" for bound in aging_bounds]
        row = await self._conn.fetchrow(_summary_sql(clause.sql, low, windows), *clause.params)
        return _fold(row)

    async def batch_row(self, batch_id: UUID) -> Row | None:
        return await self._conn.fetchrow(
            f"SELECT {BATCH_COLUMNS} FROM batch WHERE id = $1",
            batch_id,
        )

    async def locations_of(self, batch_id: UUID) -> list[Row]:
        return list(
            await self._conn.fetch(
                "SELECT l.id, l.site_id, l.zone, l.rack, l.shelf, l.bin, l.label, bl.qty"
                " FROM batch_location bl JOIN location l ON l.id = bl.location_id"
                " WHERE bl.batch_id = $1 ORDER BY l.label, l.id",
                batch_id,
            )
        )

    async def reservations_of(self, batch_id: UUID) -> list[Row]:
        return list(
            await self._conn.fetch(
                "SELECT reference_type, reference_id, qty FROM reservation WHERE batch_id = $1"
                " ORDER BY reference_type, reference_id",
                batch_id,
            )
        )

    async def audit_of(self, batch_id: UUID, limit: int) -> list[Row]:
        return list(
            await self._conn.fetch(
                "SELECT id, entity_id, action, performed_by, performed_by_name, occurred_at,"
                " reason, version,"
                " changes::text AS changes, request_id FROM audit_log"
                " WHERE entity_type = 'batch' AND entity_id = $1 ORDER BY id DESC LIMIT $2",
                str(batch_id),
                limit,
            )
        )

    async def movements_of(
        self,
        batch_id: UUID,
        where: MovementFilter,
        *,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[Row]:
        """In time order (ties by ledger id), keyset-paginated: ``after`` is the (time, id) of
        the previous page's last row. Each filter shape reads its page from an index that
        starts with the batch and ends with (occurred_at, id) (migration 0005)."""
        condition, values = _movement_condition(batch_id, where)
        order, beyond = ("ASC", ">") if where.ascending else ("DESC", "<")
        if after is not None:
            values.extend(after)
            condition += f" AND (occurred_at, id) {beyond} (${len(values) - 1}, ${len(values)})"
        values.append(limit)
        return list(
            await self._conn.fetch(
                f"SELECT * FROM movement WHERE {condition}"
                f" ORDER BY occurred_at {order}, id {order} LIMIT ${len(values)}",
                *values,
            )
        )

    async def count_movements(self, batch_id: UUID, where: MovementFilter) -> int:
        condition, values = _movement_condition(batch_id, where)
        count: int = await self._conn.fetchval(
            f"SELECT count(*) FROM movement WHERE {condition}", *values
        )
        return count

    async def ledger_until(self, batch_id: UUID, at: datetime) -> list[Row]:
        """The batch's movements up to ``at``, in ledger order (a prefix of the ledger)."""
        return list(
            await self._conn.fetch(
                "SELECT * FROM movement WHERE batch_id = $1 AND occurred_at <= $2"
                " ORDER BY batch_version, sequence",
                batch_id,
                at,
            )
        )

    async def site_batches_at(
        self, site_id: UUID, at: datetime, *, after_id: UUID | None, limit: int
    ) -> list[Row]:
        """Batches of a site that existed at ``at`` (received by then), by id."""
        return list(
            await self._conn.fetch(
                "SELECT id, code FROM batch WHERE site_id = $1 AND created_at <= $2"
                " AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT $4",
                site_id,
                at,
                after_id,
                limit,
            )
        )

    async def balances_at(self, batch_ids: Sequence[UUID], at: datetime) -> list[Row]:
        """Per batch and bucket, the balance after the last movement at or before ``at``."""
        return list(
            await self._conn.fetch(
                "SELECT DISTINCT ON (batch_id, bucket) batch_id, bucket, quantity_after,"
                " batch_version FROM movement WHERE batch_id = ANY($1::uuid[])"
                " AND occurred_at <= $2"
                " ORDER BY batch_id, bucket, batch_version DESC, sequence DESC",
                list(batch_ids),
                at,
            )
        )

    async def located_at(self, batch_ids: Sequence[UUID], at: datetime) -> list[Row]:
        """Per batch and location, the quantity there at ``at`` (sum of located changes)."""
        return list(
            await self._conn.fetch(
                "SELECT batch_id, location_id, sum(quantity_change) AS qty FROM movement"
                " WHERE batch_id = ANY($1::uuid[]) AND occurred_at <= $2"
                " AND location_id IS NOT NULL GROUP BY batch_id, location_id"
                " HAVING sum(quantity_change) <> 0 ORDER BY batch_id, location_id",
                list(batch_ids),
                at,
            )
        )

    async def available_for_product(
        self, product_id: UUID, *, site_ids: Sequence[str] | None, min_quantity: Decimal
    ) -> list[Row]:
        """Sellable batches with at least ``min_quantity`` available, oldest first (FIFO)."""
        return list(
            await self._conn.fetch(
                f"SELECT {BATCH_COLUMNS} FROM batch WHERE product_id = $1"
                " AND status IN ('LIVE', 'PHOTOGRAPHY_COMPLETE')"
                " AND available_qty > 0 AND available_qty >= $2"
                " AND ($3::uuid[] IS NULL OR site_id = ANY($3::uuid[]))"
                " ORDER BY created_at, id LIMIT 500",
                product_id,
                min_quantity,
                None if site_ids is None else list(site_ids),
            )
        )


def _movement_condition(batch_id: UUID, where: MovementFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of a ledger query and its values, from fixed fragments: only the
    filters given appear, so each shape gets its own plan."""
    parts, values = ["batch_id = $1"], list[Any]([batch_id])
    for fragment, value in (
        ("movement_type = ANY(${}::text[])", list(where.types) or None),
        ("bucket = ANY(${}::text[])", list(where.buckets) or None),
        ("occurred_at >= ${}", where.occurred_from),
        ("occurred_at < ${}", where.occurred_to),
    ):
        if value is not None:
            values.append(value)
            parts.append(fragment.format(len(values)))
    return " AND ".join(parts), values
