"""Plant batch handlers: plant, split, adjust the count, move, destroy with waste, move plants
into growth. Each runs in the caller's unit of work: lock the plant batch, let the domain decide,
write its state, its ledger rows and one event (transactional outbox) together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from inventory.domain import ValidationError
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
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.cultivation_events import plant_batch_event
from inventory.service_layer.cultivation_ports import Written
from inventory.service_layer.errors import DuplicateError, NotFoundError
from inventory.service_layer.ports import DuplicateKeyError, UnitOfWork
from inventory.service_layer.records import LocationRow, SiteRow

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


async def create_plant_batch(
    uow: UnitOfWork, caller: Caller, cmd: c.CreatePlantBatch
) -> PlantBatchOutcome:
    if cmd.source not in (None, PlantingSourceKind.SEEDS, PlantingSourceKind.CLONES):
        # A planting from a package must draw the seeds or clones out of that batch (the
        # consumption of batch sources, not in this service yet); a split is its own command.
        raise ValidationError.single("source", f"{cmd.source} is not accepted by a planting yet")
    site = await site_of(uow, caller, cmd.site_id)
    await site.know(uow, [cmd.location_id])
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
    await uow.cultivation.write_events([plant_batch_event(change, caller, site.row, site.places)])
    return _outcome(change, ids, site, caller)


async def _locked(
    uow: UnitOfWork, caller: Caller, plant_batch_id: UUID, version: int | None
) -> tuple[PlantBatch, Site]:
    state = await uow.cultivation.lock_plant_batch(plant_batch_id)
    if state is None or not caller.can_access_site(state.site_id):
        raise NotFoundError("plant batch", str(plant_batch_id))
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
