"""Plant batch handlers: plant, split, adjust the count, move, destroy with waste, move plants
into growth. Each runs in the caller's unit of work: lock the plant batch, let the domain decide,
write its state, its ledger rows and one event (transactional outbox) together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from inventory.domain import (
    INTO_PLANT_BATCH,
    Batch,
    DomainError,
    FieldError,
    OperationResult,
    ValidationError,
)
from inventory.domain.cultivation import (
    Plant,
    PlantBatch,
    PlantBatchChange,
    PlantBatchState,
    PlantBatchType,
    Planting,
    PlantingSourceKind,
    PlantMovement,
    PlantWaste,
    facility_today,
)
from inventory.service_layer import cultivation_commands as c
from inventory.service_layer.batch_operations import locked_batch, operate
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.cultivation_events import plant_batch_event
from inventory.service_layer.cultivation_ports import Written
from inventory.service_layer.errors import DuplicateError, NotFoundError
from inventory.service_layer.ports import DuplicateKeyError, UnitOfWork
from inventory.service_layer.records import BatchRecord, LocationRow, SiteRow

__all__ = [
    "PlantBatchOutcome",
    "Site",
    "adjust_plant_count",
    "create_plant_batch",
    "destroy_plants",
    "move_into_growth",
    "move_plant_batch",
    "site_of",
    "split_plant_batch",
]


@dataclass(frozen=True, slots=True)
class Site:
    """A site and the locations a change names (events describe them in full)."""

    row: SiteRow
    places: dict[str, LocationRow] = field(default_factory=dict)

    async def know(self, uow: UnitOfWork, location_ids: Iterable[UUID | str | None]) -> None:
        """Look up each location in this site (NOT_FOUND for one elsewhere or absent)."""
        for location_id in location_ids:
            if location_id is None or str(location_id) in self.places:
                continue
            row = await uow.batches.location_in_site(str(location_id), self.row.id)
            if row is None:
                raise NotFoundError("location", str(location_id))
            self.places[row.id] = row


async def site_of(uow: UnitOfWork, caller: Caller, site_id: UUID | str) -> Site:
    """The site, which the caller must be granted (SITE_ACCESS_DENIED; NOT_FOUND if absent)."""
    caller.require_site(str(site_id))
    row = await uow.reference.site(UUID(str(site_id)))
    if row is None:
        raise NotFoundError("site", str(site_id))
    return Site(
        SiteRow(
            id=str(row["id"]),
            name=row["name"],
            license_number=row["license_number"],
            state=row["state"],
        )
    )


@dataclass(frozen=True, slots=True)
class PlantBatchOutcome:
    """A plant batch after a write, the ledger rows with their ids, and what a split made or
    growth tagged."""

    state: PlantBatchState
    movements: tuple[tuple[int, PlantMovement], ...]
    places: dict[str, LocationRow]
    actor_name: str | None
    new: PlantBatchOutcome | None = None
    plants: tuple[Plant, ...] = ()


def _written(caller: Caller) -> Written:
    return Written(actor_name=caller.actor_name, request_id=caller.request_id)


def _outcome(
    change: PlantBatchChange, ids: list[int], site: Site, caller: Caller
) -> PlantBatchOutcome:
    return PlantBatchOutcome(
        state=change.state,
        movements=tuple(zip(ids, change.movements, strict=True)),
        places=site.places,
        actor_name=caller.actor_name,
        plants=change.plants,
    )


async def _insert(uow: UnitOfWork, change: PlantBatchChange, caller: Caller) -> list[int]:
    # A savepoint keeps the transaction usable after the unique violation, so the refusal can
    # be answered (and stored with an Idempotency-Key) in it.
    try:
        async with uow.savepoint():
            return await uow.cultivation.insert_plant_batch(change, _written(caller))
    except DuplicateKeyError:
        raise DuplicateError("plant batch", "name", change.state.name) from None


async def _source_package(
    uow: UnitOfWork, caller: Caller, cmd: c.CreatePlantBatch, site: Site
) -> BatchRecord | None:
    """The locked batch a PACKAGE planting draws from (None for seeds or clones)."""
    if cmd.source is PlantingSourceKind.SPLIT:
        raise ValidationError.single("source", "SPLIT is made by splitting a plant batch")
    if cmd.source is not PlantingSourceKind.PACKAGE:
        if cmd.source_batch_id is not None or cmd.source_quantity is not None:
            raise ValidationError.single(
                "sourceBatchId", "only a planting from a PACKAGE names a source batch"
            )
        return None
    errors = [
        FieldError(name, "is required when the source is PACKAGE")
        for name, value in (
            ("sourceBatchId", cmd.source_batch_id),
            ("sourceQuantity", cmd.source_quantity),
        )
        if value is None
    ]
    if errors:
        raise ValidationError(errors)
    assert cmd.source_batch_id is not None
    record = await locked_batch(uow, caller, cmd.source_batch_id)
    if record.facts.site.id != site.row.id:
        raise ValidationError.single(
            "sourceBatchId",
            f"batch {record.state.details.code} is in another site; a plant batch is planted"
            " from a package of its own site",
        )
    return record


async def _draw_package(
    uow: UnitOfWork,
    caller: Caller,
    record: BatchRecord,
    quantity: Decimal,
    change: PlantBatchChange,
) -> PlantBatchChange:
    """Take ``quantity`` out of the package's batch into the new plant batch (CONSUMPTION
    referencing ``PLANT_BATCH <id>``); the planted event names the package."""
    name, into = change.state.name, change.state.plant_batch_id

    def consume(batch: Batch, now: datetime) -> OperationResult:
        return batch.consume(
            quantity=quantity,
            into_batch_id=into,
            into_type=INTO_PLANT_BATCH,
            notes=f"planted as plant batch {name}",
            actor=caller.actor,
            occurred_at=now,
        )

    try:
        await operate(
            uow,
            caller,
            record.state.batch_id,
            action="CONSUMPTION",
            reason=f"planted as plant batch {name}",
            record=record,
            operation=consume,
        )
    except ValidationError:
        raise
    except DomainError as error:
        raise error.concerning(
            "sourceQuantity", f"Source batch {record.state.details.code}"
        ) from None
    package = {
        "batch_id": record.state.batch_id,
        "batch_code": record.state.details.code,
        "package_tag": record.state.details.package_tag,
        "quantity": quantity,
        "unit": record.facts.unit_of_measure,
    }
    return replace(change, details={**change.details, "source_package": package})


async def create_plant_batch(
    uow: UnitOfWork, caller: Caller, cmd: c.CreatePlantBatch
) -> PlantBatchOutcome:
    site = await site_of(uow, caller, cmd.site_id)
    await site.know(uow, [cmd.location_id])
    package = await _source_package(uow, caller, cmd, site)
    now = utc_now()
    source = cmd.source or (
        PlantingSourceKind.SEEDS if cmd.type is PlantBatchType.SEED else PlantingSourceKind.CLONES
    )
    change = PlantBatch.plant(
        plant_batch_id=str(uuid4()),
        site_id=site.row.id,
        planting=Planting(
            name=cmd.name,
            type=cmd.type,
            count=cmd.count,
            strain=cmd.strain,
            location_id=str(cmd.location_id),
            planted_date=cmd.planted_date,
            source=source,
        ),
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    ids = await _insert(uow, change, caller)
    if package is not None:
        assert cmd.source_quantity is not None
        change = await _draw_package(uow, caller, package, cmd.source_quantity, change)
    await uow.cultivation.write_events([plant_batch_event(change, caller, site.row, site.places)])
    return _outcome(change, ids, site, caller)


async def _locked(
    uow: UnitOfWork, caller: Caller, plant_batch_id: UUID, version: int | None
) -> tuple[PlantBatch, Site]:
    state = caller.visible(
        await uow.cultivation.lock_plant_batch(plant_batch_id), "plant batch", plant_batch_id
    )
    batch = PlantBatch(state)
    batch.check_version(version)
    site = await site_of(uow, caller, state.site_id)
    await site.know(uow, [state.location_id])
    return batch, site


async def _save(
    uow: UnitOfWork,
    caller: Caller,
    before: PlantBatchState,
    change: PlantBatchChange,
    site: Site,
) -> PlantBatchOutcome:
    ids = await uow.cultivation.save_plant_batch(before.version, change, _written(caller))
    await uow.cultivation.write_events([plant_batch_event(change, caller, site.row, site.places)])
    return _outcome(change, ids, site, caller)


async def split_plant_batch(
    uow: UnitOfWork, caller: Caller, cmd: c.SplitPlantBatch
) -> PlantBatchOutcome:
    batch, site = await _locked(uow, caller, cmd.plant_batch_id, cmd.version)
    before = batch.state
    location_id = str(cmd.location_id or before.location_id)
    await site.know(uow, [location_id])
    now = utc_now()
    mine, new = batch.split(
        new_plant_batch_id=str(uuid4()),
        name=cmd.name,
        count=cmd.count,
        location_id=location_id,
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    new_ids = await _insert(uow, new, caller)
    ids = await uow.cultivation.save_plant_batch(before.version, mine, _written(caller))
    # One event for the split: the new batch travels in it (Metrc makes both in one call).
    await uow.cultivation.write_events(
        [plant_batch_event(mine, caller, site.row, site.places, new=new)]
    )
    outcome = _outcome(mine, ids, site, caller)
    return PlantBatchOutcome(
        state=outcome.state,
        movements=outcome.movements,
        places=outcome.places,
        actor_name=outcome.actor_name,
        new=_outcome(new, new_ids, site, caller),
    )


async def adjust_plant_count(
    uow: UnitOfWork, caller: Caller, cmd: c.AdjustPlantCount
) -> PlantBatchOutcome:
    batch, site = await _locked(uow, caller, cmd.plant_batch_id, cmd.version)
    before, now = batch.state, utc_now()
    change = batch.adjust(
        quantity=cmd.quantity,
        reason=cmd.reason,
        note=cmd.reason_note,
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    return await _save(uow, caller, before, change, site)


async def move_plant_batch(
    uow: UnitOfWork, caller: Caller, cmd: c.MovePlantBatch
) -> PlantBatchOutcome:
    batch, site = await _locked(uow, caller, cmd.plant_batch_id, cmd.version)
    await site.know(uow, [cmd.location_id])
    before, now = batch.state, utc_now()
    change = batch.move(
        location_id=str(cmd.location_id),
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    return await _save(uow, caller, before, change, site)


async def destroy_plants(
    uow: UnitOfWork, caller: Caller, cmd: c.DestroyPlants
) -> PlantBatchOutcome:
    batch, site = await _locked(uow, caller, cmd.plant_batch_id, cmd.version)
    before, now = batch.state, utc_now()
    change = batch.destroy(
        count=cmd.count,
        waste=PlantWaste(
            method=cmd.waste_method or "",
            reason=cmd.waste_reason or "",
            weight=cmd.waste_weight,
            unit=cmd.waste_unit,
            material_mixed=cmd.waste_material_mixed,
            note=cmd.reason_note,
        ),
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    return await _save(uow, caller, before, change, site)


async def move_into_growth(
    uow: UnitOfWork, caller: Caller, cmd: c.MoveIntoGrowth
) -> PlantBatchOutcome:
    batch, site = await _locked(uow, caller, cmd.plant_batch_id, cmd.version)
    before = batch.state
    location_id = str(cmd.location_id or before.location_id)
    await site.know(uow, [location_id])
    now = utc_now()
    change = batch.grow(
        count=cmd.count,
        starting_tag=cmd.starting_tag,
        phase=cmd.growth_phase,
        location_id=location_id,
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        plant_ids=[str(uuid4()) for _ in range(max(cmd.count, 0))],
        actor=caller.actor,
        occurred_at=now,
    )
    try:
        async with uow.savepoint():
            await uow.cultivation.insert_plants(change.plants)
    except DuplicateKeyError:
        raise DuplicateError(
            "plant", "tag", f"{change.plants[0].tag}..{change.plants[-1].tag}"
        ) from None
    return await _save(uow, caller, before, change, site)
