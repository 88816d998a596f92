"""The ports through which the service layer (and the read side) reach storage.

The adapters implement them on PostgreSQL (``inventory.adapters``, wired in ``bootstrap``); the
service-layer tests implement them in memory (``tests/unit/fakes.py``), so the handlers run the
same way over both. Rows come back as mappings of column name to value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Protocol
from uuid import UUID

from shared.database import IdempotencyKeys, Transactional
from shared.outbox import OutboxMessage

from inventory.domain import BatchState, Movement
from inventory.service_layer.cultivation_ports import CultivationRepository
from inventory.service_layer.incoming_ports import IncomingTransferRepository
from inventory.service_layer.records import AuditEntry, BatchRecord, LocationRow
from inventory.service_layer.transfer_ports import TransferRepository

__all__ = [
    "SORT_COLUMNS",
    "BatchFilter",
    "BatchReadModel",
    "BatchRepository",
    "DuplicateKeyError",
    "MovementFilter",
    "NameKey",
    "ProductFilter",
    "ReferenceRepository",
    "Row",
    "SavedViewRepository",
    "Summary",
    "UnitOfWork",
    "UnitOfWorkFactory",
]

Row = Mapping[str, Any]
NameKey = tuple[str, UUID]
"""Where a page of a list by name ended: the last row's ``sort_key`` (its lower-cased name) and
id."""


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Which products a page lists: part of the name (literally), a category (in any case), a
    brand; None matches all."""

    search: str | None = None
    category: str | None = None
    brand_id: UUID | None = None


class DuplicateKeyError(Exception):
    """A unique constraint refused a row; ``constraint`` names it when the store knows it."""

    def __init__(self, constraint: str | None) -> None:
        super().__init__(f"duplicate key ({constraint or 'unknown constraint'})")
        self.constraint = constraint


class BatchRepository(Protocol):
    """Batches of one unit of work."""

    async def lock(self, batch_id: UUID | str) -> BatchRecord | None:
        """Load a batch and lock it until the transaction ends (None when absent)."""

    async def lock_many(self, batch_ids: Sequence[UUID]) -> dict[str, BatchRecord]:
        """Lock the batches in id order (two bulk actions cannot deadlock) and load them."""

    async def read(self, batch_id: UUID | str) -> BatchRecord | None:
        """Load without locking (the optimistic path)."""

    async def location_in_site(self, location_id: str, site_id: str) -> LocationRow | None: ...

    async def save(
        self,
        before: BatchState,
        record: BatchRecord,
        movements: Sequence[Movement],
        audit: AuditEntry,
        events: Sequence[OutboxMessage],
        *,
        revised: bool = False,
    ) -> list[int] | None:
        """Write the operation (state, locations, reservations, movements, audit row, outbox
        events) atomically, conditional on ``before.version``. Returns the movement ids, or None
        when the batch moved past ``before.version`` (then nothing was written)."""

    async def insert(
        self,
        record: BatchRecord,
        movements: Sequence[Movement],
        audit: AuditEntry,
        events: Sequence[OutboxMessage],
        *,
        site_id: str,
    ) -> list[int]:
        """Insert a new batch with all it writes. Raises DuplicateKeyError on a taken code."""


class ReferenceRepository(Protocol):
    """Sites, locations, vendors, brands, products and lots. ``create_*`` raise
    DuplicateKeyError on a unique constraint; ``find_or_create_*`` return the existing row."""

    async def sites(self, site_ids: Sequence[str] | None) -> list[Row]: ...
    async def site(self, site_id: UUID) -> Row | None: ...
    async def create_site(self, *, name: str, license_number: str, state: str) -> Row: ...
    async def locations(self, site_id: UUID) -> list[Row]: ...
    async def location(self, location_id: UUID) -> Row | None: ...
    async def create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row: ...
    async def find_or_create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row: ...
    async def vendors(
        self, search: str | None, *, after: NameKey | None, limit: int
    ) -> list[Row]: ...
    async def vendor(self, vendor_id: UUID) -> Row | None: ...
    async def create_vendor(
        self, *, name: str, is_seller: bool, license_number: str | None
    ) -> Row: ...
    async def find_or_create_vendor(self, *, name: str, license_number: str | None) -> Row: ...
    async def brands(
        self, search: str | None, *, after: NameKey | None, limit: int
    ) -> list[Row]: ...
    async def brand(self, brand_id: UUID) -> Row | None: ...
    async def create_brand(self, *, name: str, vendor_id: UUID | None) -> Row: ...
    async def find_or_create_brand(self, *, name: str, vendor_id: UUID | None) -> Row: ...
    async def products(
        self, which: ProductFilter, *, after: NameKey | None, limit: int
    ) -> list[Row]: ...
    async def product(self, product_id: UUID) -> Row | None: ...
    async def create_product(self, fields: dict[str, Any], *, find_existing: bool) -> Row: ...
    async def lots(
        self, vendor_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]: ...
    async def lot(self, lot_id: UUID) -> Row | None: ...
    async def find_or_create_lot(self, *, vendor_id: UUID, code: str) -> Row: ...


class SavedViewRepository(Protocol):
    async def visible_to(self, owner_id: str) -> list[Row]: ...
    async def create(
        self, *, owner_id: str, name: str, filters_json: str, is_shared: bool, now: datetime
    ) -> UUID: ...
    async def lock(self, view_id: UUID) -> Row | None: ...
    async def soft_delete(self, view_id: UUID, now: datetime) -> None: ...
    async def audit(
        self,
        *,
        view_id: UUID,
        action: str,
        actor: str,
        actor_name: str | None,
        now: datetime,
        request_id: str | None,
    ) -> None: ...


SORT_COLUMNS: Final = {
    "code": "code",
    "sku": "sku",
    "productName": "product_name",
    "category": "category",
    "vendorName": "vendor_name",
    "brandName": "brand_name",
    "grade": "grade",
    "status": "status",
    "onHandQty": "on_hand_qty",
    "reservedQty": "reserved_qty",
    "quarantineQty": "quarantine_qty",
    "holdQty": "hold_qty",
    "defectiveQty": "defective_qty",
    "availableQty": "available_qty",
    "unitCogs": "unit_cost",
    "ticket": "ticket",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
}
"""Sort field (wire name) -> column. ``ageDays`` sorts on created_at, reversed."""


@dataclass(frozen=True)
class BatchFilter:
    """Conditions on batches; ``site_ids`` None means every site."""

    site_ids: Sequence[str] | None
    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    vendor_ids: Sequence[UUID] = ()
    brand_ids: Sequence[UUID] = ()
    grades: Sequence[str] = ()
    location_ids: Sequence[UUID] = ()
    search: str | None = None
    include_archived: bool = False
    stock_bands: Sequence[tuple[Decimal | None, Decimal | None]] = ()
    """(above, at most) bounds on available_qty, OR-ed; None is unbounded."""
    received_windows: Sequence[tuple[datetime | None, datetime | None]] = ()
    """(after, not after) bounds on created_at, OR-ed."""


@dataclass(frozen=True)
class MovementFilter:
    """Conditions on one batch's ledger rows; empty sequences and None mean "any"."""

    types: Sequence[str] = ()
    buckets: Sequence[str] = ()
    occurred_from: datetime | None = None
    """Inclusive."""
    occurred_to: datetime | None = None
    """Exclusive."""
    ascending: bool = False
    """Oldest first instead of newest first (by time, ties by ledger id)."""


@dataclass
class Summary:
    """Counts and totals over a filtered set of batches."""

    total: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)
    age: dict[str, int] = field(default_factory=dict)


class BatchReadModel(Protocol):
    """The read side's queries (lists, detail parts, the ledger, as-of balances, FIFO)."""

    async def page_after(
        self, where: BatchFilter, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]: ...
    async def page(
        self, where: BatchFilter, *, order_by: str, descending: bool, offset: int, limit: int
    ) -> list[Row]: ...
    async def summary(
        self,
        where: BatchFilter,
        *,
        low_stock: Decimal,
        aging_bounds: tuple[datetime, datetime, datetime],
    ) -> Summary: ...
    async def batch_row(self, batch_id: UUID) -> Row | None: ...
    async def locations_of(self, batch_id: UUID) -> list[Row]: ...
    async def reservations_of(self, batch_id: UUID) -> list[Row]: ...
    async def audit_of(self, batch_id: UUID, limit: int) -> list[Row]: ...
    async def movements_of(
        self,
        batch_id: UUID,
        where: MovementFilter,
        *,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[Row]: ...
    async def count_movements(self, batch_id: UUID, where: MovementFilter) -> int: ...
    async def ledger_until(self, batch_id: UUID, at: datetime) -> list[Row]: ...
    async def site_batches_at(
        self, site_id: UUID, at: datetime, *, after_id: UUID | None, limit: int
    ) -> list[Row]: ...
    async def balances_at(self, batch_ids: Sequence[UUID], at: datetime) -> list[Row]: ...
    async def located_at(self, batch_ids: Sequence[UUID], at: datetime) -> list[Row]: ...
    async def available_for_product(
        self, product_id: UUID, *, site_ids: Sequence[str] | None, min_quantity: Decimal
    ) -> list[Row]: ...


class UnitOfWork(Transactional, Protocol):
    """``async with factory() as uow: ...; await uow.commit()``: nothing is written unless
    committed. An ``autocommit`` unit of work has no transaction: reads see committed data and
    the only write allowed is a batch repository's single conditional ``save``."""

    @property
    def batches(self) -> BatchRepository: ...
    @property
    def reference(self) -> ReferenceRepository: ...
    @property
    def views(self) -> SavedViewRepository: ...
    @property
    def queries(self) -> BatchReadModel: ...
    @property
    def cultivation(self) -> CultivationRepository:
        """Plant batches, tracked plants and harvests (``cultivation_ports``)."""

    @property
    def transfers(self) -> TransferRepository:
        """Outgoing transfers (``transfer_ports``)."""

    @property
    def incoming(self) -> IncomingTransferRepository:
        """Incoming transfers (``incoming_ports``)."""

    @property
    def autocommit(self) -> bool: ...
    @property
    def idempotency_keys(self) -> IdempotencyKeys:
        """The Idempotency-Key store (``shared.http.run_once``)."""

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """Undo the block's writes if it raises; a duplicate key surfaces as
        DuplicateKeyError and leaves the transaction usable."""

    def another_connection(self) -> AbstractAsyncContextManager[BatchReadModel]:
        """Queries on a second connection, to run at the same time (autocommit only)."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
