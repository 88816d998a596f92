"""Domain values <-> table rows of the read models (one place for the column lists).

On the consumers' hot path, NUMERIC values travel as text both ways (``str`` of a Decimal
out, ``Decimal(text)`` in; PostgreSQL converts): asyncpg's binary numeric codec cost 3 us a
value against 1 us as text, measured, and a view has fifteen of them. Text is exact both ways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from shared.database import from_row

from reporting.domain import (
    Balances,
    BatchFacts,
    BatchStatus,
    BatchView,
    Bucket,
    CogsMode,
    Costs,
    Movement,
    PartitionPosition,
    Sales,
    aging_member,
)

__all__ = [
    "MOVEMENT_COLUMNS",
    "MOVEMENT_TYPES",
    "VIEW_COLUMNS",
    "VIEW_SELECT",
    "VIEW_TYPES",
    "movement_from_row",
    "movement_values",
    "position_from_row",
    "view_from_row",
    "view_values",
]

VIEW_COLUMNS: Final = (
    "batch_id", "site_id", "license_number", "code", "sku", "product_id", "product_name",
    "category", "subcategory", "status", "on_hand", "reserved", "quarantine", "hold", "defective",
    "cogs_mode", "unit_cogs", "unit_cogs_min", "unit_cogs_max", "ticket", "unit_cost",
    "aging_member", "version", "next_sequence", "created_at", "updated_at", "deleted_at",
    "last_event_at", "units_sold", "units_returned", "revenue", "cogs", "unpriced_units",
)  # fmt: skip
"""Columns of ``batch_view``; :func:`view_values` gives a view's values in this order."""

VIEW_TYPES: Final = (
    "uuid", "uuid", "text", "text", "text", "uuid", "text", "text", "text", "text", "numeric",
    "numeric", "numeric", "numeric", "numeric", "text", "numeric", "numeric", "numeric", "numeric",
    "numeric", "boolean", "int", "int", "timestamptz", "timestamptz", "timestamptz", "timestamptz",
    "numeric", "numeric", "numeric", "numeric", "numeric",
)  # fmt: skip
"""PostgreSQL types of :data:`VIEW_COLUMNS`, in order."""

VIEW_SELECT: Final = ", ".join(
    f"{c}::text AS {c}" if t == "numeric" else c
    for c, t in zip(VIEW_COLUMNS, VIEW_TYPES, strict=True)
)
"""The select list :func:`view_from_row` reads (numerics as text)."""

MOVEMENT_COLUMNS: Final = (
    "batch_id", "batch_version", "sequence", "event_type", "bucket", "movement_type",
    "quantity_change", "quantity_before", "quantity_after", "reason", "notes", "reference_type",
    "reference_id", "location_id", "location_label", "actor", "occurred_at",
)  # fmt: skip
MOVEMENT_TYPES: Final = (
    "uuid", "int", "int", "text", "text", "text", "numeric", "numeric", "numeric", "text", "text",
    "text", "text", "uuid", "text", "text", "timestamptz",
)  # fmt: skip


def text(value: Decimal | None) -> str | None:
    """A NUMERIC parameter as text (exact; see the module's note)."""
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def view_values(view: BatchView) -> tuple[Any, ...]:
    """A view's parameters in :data:`VIEW_COLUMNS` order (numerics as text)."""
    f, b, c, s = view.facts, view.facts.balances, view.facts.costs, view.sales
    return (
        f.batch_id, f.site_id, f.license_number, f.code, f.sku, f.product_id, f.product_name,
        f.category, f.subcategory, f.status.value, str(b.on_hand), str(b.reserved),
        str(b.quarantine), str(b.hold), str(b.defective), c.mode.value, text(c.unit_cogs),
        text(c.unit_cogs_min), text(c.unit_cogs_max), text(c.ticket), str(c.unit_cost),
        aging_member(view), f.version, view.next_sequence, f.created_at, f.updated_at,
        f.deleted_at, view.last_event_at, str(s.units_sold), str(s.units_returned),
        str(s.revenue), str(s.cogs), str(s.unpriced_units),
    )  # fmt: skip


def view_from_row(row: Mapping[str, Any]) -> BatchView:
    facts = from_row(
        BatchFacts,
        row,
        status=BatchStatus(row["status"]),
        balances=Balances(
            Decimal(row["on_hand"]),
            Decimal(row["reserved"]),
            Decimal(row["quarantine"]),
            Decimal(row["hold"]),
            Decimal(row["defective"]),
        ),
        costs=Costs(
            CogsMode(row["cogs_mode"]),
            _decimal(row["unit_cogs"]),
            _decimal(row["unit_cogs_min"]),
            _decimal(row["unit_cogs_max"]),
            _decimal(row["ticket"]),
        ),
    )
    sales = Sales(
        Decimal(row["units_sold"]),
        Decimal(row["units_returned"]),
        Decimal(row["revenue"]),
        Decimal(row["cogs"]),
        Decimal(row["unpriced_units"]),
    )
    return BatchView(facts, sales, row["next_sequence"], row["last_event_at"])


def movement_values(m: Movement) -> tuple[Any, ...]:
    """A ledger row's parameters in :data:`MOVEMENT_COLUMNS` order (numerics as text)."""
    return (
        m.batch_id, m.batch_version, m.sequence, m.event_type, m.bucket.value, m.type,
        str(m.change), str(m.before), str(m.after), m.reason, m.notes, m.reference_type,
        m.reference_id, m.location_id, m.location_label, m.actor, m.occurred_at,
    )  # fmt: skip


def movement_from_row(row: Mapping[str, Any]) -> Movement:
    return from_row(
        Movement,
        row,
        bucket=Bucket(row["bucket"]),
        type=row["movement_type"],
        change=row["quantity_change"],
        before=row["quantity_before"],
        after=row["quantity_after"],
    )


def position_from_row(row: Mapping[str, Any]) -> PartitionPosition:
    return from_row(PartitionPosition, row)


def columns(values: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows -> one list per column (what ``unnest`` of array parameters takes)."""
    if not values:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*values, strict=True)]
