"""An in-memory unit of work (``service_layer.ports.UnitOfWork``) for the service-layer tests:
the handlers run exactly as over PostgreSQL, without it.

The fake keeps what the adapters promise: a unit of work that leaves without committing undoes
everything it wrote (a copy of the store is put back); a savepoint undoes its block; a batch is
saved only while it is still at the version the operation read (else None, nothing written); a
taken batch code, site license, vendor, brand, product or location raises DuplicateKeyError.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Self
from uuid import UUID, uuid4

import pytest
from inventory.domain import BatchState, CogsMode, Movement, PaymentTerms
from inventory.domain.cultivation import (
    HarvestMovement,
    HarvestState,
    Plant,
    PlantBatchState,
    PlantMovement,
)
from inventory.service_layer import commands as c
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import DuplicateKeyError, NameKey, ProductFilter
from inventory.service_layer.records import AuditEntry, BatchRecord, LocationRow
from shared.identity import ALL_SITES, Identity
from shared.outbox import OutboxMessage

Row = dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _name_page(
    rows: Iterable[Row], search: str | None, after: NameKey | None, limit: int
) -> list[Row]:
    """A page of a list by name, as the store pages it: lower-cased name, then id."""
    found = sorted(
        (r for r in rows if not search or search.lower() in r["name"].lower()),
        key=lambda r: (r["name"].lower(), r["id"]),
    )
    return [r for r in found if after is None or (r["name"].lower(), r["id"]) > after][:limit]


@dataclass
class Tables:
    """Everything the fake stores; copied whole to undo a unit of work or a savepoint."""

    batches: dict[str, BatchRecord] = field(default_factory=dict)
    movements: list[tuple[int, Movement]] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    sites: dict[UUID, Row] = field(default_factory=dict)
    locations: dict[UUID, Row] = field(default_factory=dict)
    vendors: dict[UUID, Row] = field(default_factory=dict)
    brands: dict[UUID, Row] = field(default_factory=dict)
    products: dict[UUID, Row] = field(default_factory=dict)
    lots: dict[UUID, Row] = field(default_factory=dict)
    views: dict[UUID, Row] = field(default_factory=dict)
    view_audits: list[Row] = field(default_factory=list)
    plant_batches: dict[str, PlantBatchState] = field(default_factory=dict)
    plant_movements: list[tuple[int, PlantMovement]] = field(default_factory=list)
    plants: dict[str, Plant] = field(default_factory=dict)
    harvests: dict[str, HarvestState] = field(default_factory=dict)
    harvest_movements: list[tuple[int, HarvestMovement]] = field(default_factory=list)


def _copy(record: BatchRecord) -> BatchRecord:
    return BatchRecord(state=record.state, facts=record.facts, places=dict(record.places))


class FakeBatches:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def lock(self, batch_id: UUID | str) -> BatchRecord | None:
        stored = self._db.tables.batches.get(str(batch_id))
        return None if stored is None else _copy(stored)

    async def lock_many(self, batch_ids: Sequence[UUID]) -> dict[str, BatchRecord]:
        found = [(str(i), self._db.tables.batches.get(str(i))) for i in sorted(batch_ids)]
        return {key: _copy(record) for key, record in found if record is not None}

    async def read(self, batch_id: UUID | str) -> BatchRecord | None:
        if self._db.before_optimistic_read is not None:
            hook, self._db.before_optimistic_read = self._db.before_optimistic_read, None
            await hook()
        return await self.lock(batch_id)

    async def location_in_site(self, location_id: str, site_id: str) -> LocationRow | None:
        row = self._db.tables.locations.get(UUID(location_id))
        if row is None or str(row["site_id"]) != site_id:
            return None
        return LocationRow.of(row)

    def _write(
        self, record: BatchRecord, movements: Sequence[Movement], audit: AuditEntry,
        events: Sequence[OutboxMessage],
    ) -> list[int]:  # fmt: skip
        tables = self._db.tables
        tables.batches[record.state.batch_id] = _copy(record)
        ids = []
        for movement in movements:
            ids.append(len(tables.movements) + 1)
            tables.movements.append((ids[-1], movement))
        tables.audits.append(audit)
        tables.outbox.extend(events)
        return ids

    async def save(self, before: BatchState, record: BatchRecord, movements: Sequence[Movement], audit: AuditEntry, events: Sequence[OutboxMessage], *, revised: bool = False) -> list[int] | None:  # fmt: skip
        stored = self._db.tables.batches[before.batch_id]
        if stored.state.version != before.version:
            return None
        return self._write(record, movements, audit, events)

    async def insert(self, record: BatchRecord, movements: Sequence[Movement], audit: AuditEntry, events: Sequence[OutboxMessage], *, site_id: str) -> list[int]:  # fmt: skip
        code = record.state.details.code
        if any(b.state.details.code == code for b in self._db.tables.batches.values()):
            raise DuplicateKeyError("batch_code_key")
        return self._write(record, movements, audit, events)


def _unique(table: dict[UUID, Row], constraint: str, key: Callable[[Row], Any], row: Row) -> Row:
    if any(key(other) == key(row) for other in table.values()):
        raise DuplicateKeyError(constraint)
    table[row["id"]] = row
    return row


class FakeReference:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    @property
    def _t(self) -> Tables:
        return self._db.tables

    async def sites(self, site_ids: Sequence[str] | None) -> list[Row]:
        return [r for r in self._t.sites.values() if site_ids is None or str(r["id"]) in site_ids]

    async def site(self, site_id: UUID) -> Row | None:
        return self._t.sites.get(site_id)

    async def create_site(self, *, name: str, license_number: str, state: str) -> Row:
        row = {"id": uuid4(), "name": name, "license_number": license_number, "state": state,
               "created_at": _now()}  # fmt: skip
        return _unique(self._t.sites, "site_license_key", lambda r: r["license_number"], row)

    async def locations(self, site_id: UUID) -> list[Row]:
        return [r for r in self._t.locations.values() if r["site_id"] == site_id]

    async def location(self, location_id: UUID) -> Row | None:
        return self._t.locations.get(location_id)

    def _place(self, site_id: UUID, zone: str, rack: Any, shelf: Any, bin_: Any) -> Row:
        label = "/".join(p for p in (zone, rack, shelf, bin_) if p)
        return {"id": uuid4(), "site_id": site_id, "zone": zone, "rack": rack, "shelf": shelf,
                "bin": bin_, "label": label, "created_at": _now()}  # fmt: skip

    async def create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row:
        row = self._place(site_id, zone, rack, shelf, bin_)
        return _unique(
            self._t.locations, "location_place_unique", lambda r: (r["site_id"], r["label"]), row
        )

    async def find_or_create_location(
        self, *, site_id: UUID, zone: str, rack: str | None, shelf: str | None, bin_: str | None
    ) -> Row:
        try:
            return await self.create_location(
                site_id=site_id, zone=zone, rack=rack, shelf=shelf, bin_=bin_
            )
        except DuplicateKeyError:
            label = self._place(site_id, zone, rack, shelf, bin_)["label"]
            return next(
                r for r in self._t.locations.values()
                if r["site_id"] == site_id and r["label"] == label
            )  # fmt: skip

    async def vendors(self, search: str | None, *, after: NameKey | None, limit: int) -> list[Row]:
        return _name_page(self._t.vendors.values(), search, after, limit)

    async def vendor(self, vendor_id: UUID) -> Row | None:
        return self._t.vendors.get(vendor_id)

    async def create_vendor(self, *, name: str, is_seller: bool, license_number: str | None) -> Row:
        row = {"id": uuid4(), "name": name, "is_seller": is_seller,
               "license_number": license_number, "created_at": _now()}  # fmt: skip
        return _unique(self._t.vendors, "vendor_name_key", lambda r: r["name"].lower(), row)

    async def find_or_create_vendor(self, *, name: str, license_number: str | None) -> Row:
        found = [r for r in self._t.vendors.values() if r["name"].lower() == name.lower()]
        if found:
            return found[0]
        return await self.create_vendor(name=name, is_seller=True, license_number=license_number)

    async def brands(self, search: str | None, *, after: NameKey | None, limit: int) -> list[Row]:
        return _name_page(self._t.brands.values(), search, after, limit)

    async def brand(self, brand_id: UUID) -> Row | None:
        return self._t.brands.get(brand_id)

    async def create_brand(self, *, name: str, vendor_id: UUID | None) -> Row:
        row = {"id": uuid4(), "name": name, "vendor_id": vendor_id, "created_at": _now()}
        return _unique(self._t.brands, "brand_name_key", lambda r: r["name"].lower(), row)

    async def find_or_create_brand(self, *, name: str, vendor_id: UUID | None) -> Row:
        found = [r for r in self._t.brands.values() if r["name"].lower() == name.lower()]
        return found[0] if found else await self.create_brand(name=name, vendor_id=vendor_id)

    async def products(
        self, which: ProductFilter, *, after: NameKey | None, limit: int
    ) -> list[Row]:
        rows = [
            r for r in self._t.products.values()
            if (which.category is None or r["category"].lower() == which.category.lower())
            and (which.brand_id is None or r["brand_id"] == which.brand_id)
        ]  # fmt: skip
        return _name_page(rows, which.search, after, limit)

    async def product(self, product_id: UUID) -> Row | None:
        return self._t.products.get(product_id)

    async def create_product(self, fields: dict[str, Any], *, find_existing: bool) -> Row:
        same = [
            r for r in self._t.products.values()
            if r["brand_id"] == fields["brand_id"] and r["name"].lower() == fields["name"].lower()
        ]  # fmt: skip
        if same and find_existing:
            return same[0]
        brand = self._t.brands[fields["brand_id"]]
        row = {"id": uuid4(), "subcategory": None, "strain": None, "sku": None, **fields,
               "brand_name": brand["name"], "created_at": _now()}  # fmt: skip
        return _unique(
            self._t.products, "product_name_key", lambda r: (r["brand_id"], r["name"].lower()), row
        )

    async def lots(
        self, vendor_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]:
        rows = sorted(
            (r for r in self._t.lots.values() if r["vendor_id"] == vendor_id),
            key=lambda r: (r["created_at"], r["id"]),
        )
        return [r for r in rows if after is None or (r["created_at"], r["id"]) > after][:limit]

    async def lot(self, lot_id: UUID) -> Row | None:
        return self._t.lots.get(lot_id)

    async def find_or_create_lot(self, *, vendor_id: UUID, code: str) -> Row:
        for row in self._t.lots.values():
            if row["vendor_id"] == vendor_id and row["code"] == code:
                return row
        row = {"id": uuid4(), "vendor_id": vendor_id, "code": code, "created_at": _now()}
        self._t.lots[row["id"]] = row
        return row


class FakeViews:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def visible_to(self, owner_id: str) -> list[Row]:
        return [
            r for r in self._db.tables.views.values()
            if r["deleted_at"] is None and (r["owner_id"] == owner_id or r["is_shared"])
        ]  # fmt: skip

    async def create(
        self, *, owner_id: str, name: str, filters_json: str, is_shared: bool, now: datetime
    ) -> UUID:
        row = {"id": uuid4(), "owner_id": owner_id, "name": name, "filters": filters_json,
               "is_shared": is_shared, "created_at": now, "updated_at": now, "deleted_at": None}  # fmt: skip
        live = {k: v for k, v in self._db.tables.views.items() if v["deleted_at"] is None}
        _unique(live, "saved_view_name_key", lambda r: (r["owner_id"], r["name"].lower()), row)
        self._db.tables.views[row["id"]] = row
        return UUID(str(row["id"]))

    async def lock(self, view_id: UUID) -> Row | None:
        row = self._db.tables.views.get(view_id)
        return None if row is None or row["deleted_at"] is not None else row

    async def soft_delete(self, view_id: UUID, now: datetime) -> None:
        self._db.tables.views[view_id]["deleted_at"] = now

    async def audit(
        self,
        *,
        view_id: UUID,
        action: str,
        actor: str,
        actor_name: str | None,
        now: datetime,
        request_id: str | None,
    ) -> None:
        self._db.tables.view_audits.append({"view_id": view_id, "action": action, "actor": actor})


class FakeCultivation:
    """Plant batches, plants and harvests in memory (``CultivationRepository``): names unique
    per site, tags unique per site, saves conditional on the version read."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    @property
    def _t(self) -> Tables:
        return self._db.tables

    async def lock_plant_batch(self, plant_batch_id: UUID) -> PlantBatchState | None:
        return self._t.plant_batches.get(str(plant_batch_id))

    plant_batch = lock_plant_batch

    def _append(self, table: list[tuple[int, Any]], rows: Iterable[Any]) -> list[int]:
        ids = []
        for row in rows:
            ids.append(len(table) + 1)
            table.append((ids[-1], row))
        return ids

    async def insert_plant_batch(self, change: Any, written: Any) -> list[int]:
        state = change.state
        if any(
            b.site_id == state.site_id and b.name == state.name
            for b in self._t.plant_batches.values()
        ):
            raise DuplicateKeyError("plant_batch_name_key")
        self._t.plant_batches[state.plant_batch_id] = state
        return self._append(self._t.plant_movements, change.movements)

    async def save_plant_batch(self, before_version: int, change: Any, written: Any) -> list[int]:
        state = change.state
        assert self._t.plant_batches[state.plant_batch_id].version == before_version
        self._t.plant_batches[state.plant_batch_id] = state
        return self._append(self._t.plant_movements, change.movements)

    async def insert_plants(self, plants: Sequence[Plant]) -> None:
        taken = {(p.site_id, p.tag) for p in self._t.plants.values()}
        if any((p.site_id, p.tag) in taken for p in plants):
            raise DuplicateKeyError("plant_tag_key")
        self._t.plants.update({p.plant_id: p for p in plants})

    async def lock_plants(self, site_id: str, tags: Sequence[str]) -> dict[str, Plant]:
        wanted = set(tags)
        return {
            p.tag: p for p in self._t.plants.values() if p.site_id == site_id and p.tag in wanted
        }

    async def save_plants(self, plants: Sequence[Plant]) -> None:
        self._t.plants.update({p.plant_id: p for p in plants})

    async def lock_harvest(self, harvest_id: UUID) -> HarvestState | None:
        return self._t.harvests.get(str(harvest_id))

    harvest = lock_harvest

    async def insert_harvest(self, change: Any, written: Any) -> list[int]:
        state = change.state
        if any(
            h.site_id == state.site_id and h.name == state.name for h in self._t.harvests.values()
        ):
            raise DuplicateKeyError("harvest_name_key")
        self._t.harvests[state.harvest_id] = state
        return self._append(self._t.harvest_movements, change.movements)

    async def save_harvest(self, before_version: int, change: Any, written: Any) -> list[int]:
        state = change.state
        assert self._t.harvests[state.harvest_id].version == before_version
        self._t.harvests[state.harvest_id] = state
        return self._append(self._t.harvest_movements, change.movements)

    async def write_events(self, events: Sequence[OutboxMessage]) -> None:
        self._t.outbox.extend(events)

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"{name}: the read side is tested on PostgreSQL")


@dataclass
class FakeDatabase:
    tables: Tables = field(default_factory=Tables)
    commits: int = 0
    before_optimistic_read: Callable[[], Any] | None = None
    """Runs once, just before the next unlocked read (another writer getting there first)."""

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def reader(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, autocommit=True)


class FakeUnitOfWork:
    """Implements ``inventory.service_layer.ports.UnitOfWork`` in memory."""

    def __init__(self, db: FakeDatabase, *, autocommit: bool = False) -> None:
        self._db = db
        self.autocommit = autocommit
        self.batches = FakeBatches(db)
        self.reference = FakeReference(db)
        self.views = FakeViews(db)
        self.cultivation = FakeCultivation(db)
        self._snapshot: Tables | None = None

    @property
    def queries(self) -> Any:
        raise NotImplementedError("the read side is tested on PostgreSQL")

    @property
    def idempotency_keys(self) -> Any:
        raise NotImplementedError("Idempotency-Key runs are tested on PostgreSQL")

    async def __aenter__(self) -> Self:
        if not self.autocommit:
            self._snapshot = copy.deepcopy(self._db.tables)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._snapshot is not None:  # left without committing: undo everything
            self._db.tables = self._snapshot
            self._snapshot = None

    async def commit(self) -> None:
        if self.autocommit:
            raise RuntimeError("an autocommit unit of work has nothing to commit")
        self._snapshot = None
        self._db.commits += 1

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        saved = copy.deepcopy(self._db.tables)
        try:
            yield
        except BaseException:
            self._db.tables = saved
            raise

    def another_connection(self) -> Any:
        raise NotImplementedError("the read side is tested on PostgreSQL")


@dataclass
class World:
    """A site with one location, reference rows, and callers to act as."""

    db: FakeDatabase
    site_id: UUID
    location_a: UUID
    location_b: UUID
    admin: Caller
    stranger: Caller

    def caller(self, *sites: str, subject: str = "user-1") -> Caller:
        identity = Identity(subject=subject, permissions=("inventory:update",), sites=sites)
        return Caller(identity=identity, request_id="req-1")

    def intake(self, **overrides: Any) -> c.Intake:
        fields: dict[str, Any] = {
            "site_id": self.site_id,
            "vendor": c.VendorChoice(name="Green Valley Farms"),
            "brand": c.BrandChoice(name="Valley Gold"),
            "product": c.ProductChoice(
                name="Blue Dream 3.5g",
                category="Flower",
                strain="Blue Dream",
                unit_of_measure="Grams",
            ),
            "lot": c.LotChoice(code="GV-2026-03"),
            "location": c.LocationChoice(id=self.location_a),
            "quantity": Decimal("100"),
            "cogs_mode": CogsMode.FIXED,
            "unit_cogs": Decimal("2.5000"),
            "payment_terms": PaymentTerms.NET_30,
            "code": "B-0001",
        }
        fields.update(overrides)
        return c.Intake(**fields)


@pytest.fixture
def world() -> World:
    db = FakeDatabase()
    site_id, a, b = uuid4(), uuid4(), uuid4()
    db.tables.sites[site_id] = {"id": site_id, "name": "Eugene", "license_number": "OR-1",
                                "state": "OR", "created_at": _now()}  # fmt: skip
    for location_id, zone in ((a, "Vault"), (b, "Floor")):
        db.tables.locations[location_id] = {
            "id": location_id, "site_id": site_id, "zone": zone, "rack": None, "shelf": None,
            "bin": None, "label": zone, "created_at": _now(),
        }  # fmt: skip
    admin = Caller(
        identity=Identity(subject="admin", kind="user", display_name="Ada", sites=(ALL_SITES,)),
        request_id="req-42",
    )
    stranger = Caller(identity=Identity(subject="eve", sites=(str(uuid4()),)), request_id="req-7")
    return World(db=db, site_id=site_id, location_a=a, location_b=b, admin=admin, stranger=stranger)
