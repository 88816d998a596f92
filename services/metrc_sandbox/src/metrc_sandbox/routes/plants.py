"""Plant batches (untracked plants) and tracked plants, up to the harvest."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups, views
from metrc_sandbox.context import CallerDep, FacilityDep, require_capability
from metrc_sandbox.errors import not_found
from metrc_sandbox.harvesting import add_to_harvest
from metrc_sandbox.model import Plant, PlantBatch
from metrc_sandbox.routes.common import empty, listing, parse_id, record_stamp, respond, written
from metrc_sandbox.rows import RowReader, write
from metrc_sandbox.store import Tx
from metrc_sandbox.tags import is_tag_label, next_labels

router = APIRouter()


def _grower(ctx: FacilityDep) -> None:
    require_capability(ctx, ctx.facility.can_grow_plants, "grow plants")


def _batches(ctx: FacilityDep, active: bool) -> list[PlantBatch]:
    return [
        b
        for b in ctx.state.plant_batches
        if b.facility_id == ctx.facility.id and b.active is active
    ]


@router.get("/plantbatches/v2/active")
async def batches_active(ctx: FacilityDep) -> Response:
    render = lambda b: views.plant_batch_view(b, ctx.state)  # noqa: E731
    return listing(ctx, _batches(ctx, True), render, last_modified=record_stamp)


@router.get("/plantbatches/v2/inactive")
async def batches_inactive(ctx: FacilityDep) -> Response:
    render = lambda b: views.plant_batch_view(b, ctx.state)  # noqa: E731
    return listing(ctx, _batches(ctx, False), render, last_modified=record_stamp)


@router.get("/plantbatches/v2/types")
async def batch_types(ctx: CallerDep) -> Response:
    return listing(
        ctx,
        catalog.PLANT_BATCH_TYPES,
        lambda t: {"Id": t[0], "Name": t[1], "CanBeCloned": t[2]},
    )


@router.get("/plantbatches/v2/{batch_id}")
async def batch(batch_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(batch_id, "plant batch")
    found = ctx.own(ctx.state.plant_batches.get(key), "plant batch", f"Id {key}")
    return respond(views.plant_batch_view(found, ctx.state))


@router.post("/plantbatches/v2/plantings")
async def plantings(ctx: FacilityDep) -> Response:
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        name = reader.text("Name")
        type_name = reader.text("Type")
        count = reader.integer("Count")
        strain = lookups.strain(reader, "Strain")
        location = lookups.location(reader, "Location", purpose="plant_batches")
        planted = reader.date("ActualDate")
        batch_type = None if type_name is None else catalog.one_of(type_name, ("Seed", "Clone"))
        if type_name is not None and batch_type is None:
            reader.fail(f"Type {type_name} is not valid. Valid values are: Seed, Clone.")
        if count is not None and count <= 0:
            reader.fail("Count must be greater than 0.")
        if name is not None and state.plant_batch_named(ctx.facility.id, name) is not None:
            reader.fail(f"A Plant Batch named {name} already exists in the current Facility.")
        if not reader.ok:
            return []
        assert name
        assert batch_type
        assert count
        assert strain
        assert location
        assert planted
        new = PlantBatch(
            id=state.next_id("plant_batch"),
            facility_id=ctx.facility.id,
            name=name,
            batch_type=batch_type,
            strain_id=strain.id,
            location_id=location.id,
            planted_date=planted,
            untracked_count=count,
            patient_license_number=reader.text("PatientLicenseNumber", required=False),
        )
        return [state.plant_batches.add(new, tx).id]

    return written(await write(ctx, row))


def _growth_phase(reader: RowReader, field: str) -> str | None:
    raw = reader.text(field)
    phase = None if raw is None else catalog.one_of(raw, catalog.GROWTH_PHASES)
    if raw is not None and phase is None:
        reader.fail(f"{field} {raw} is not valid. Valid values are: Vegetative, Flowering.")
    return phase


@router.post("/plantbatches/v2/growthphase")
async def batch_growth_phase(ctx: FacilityDep) -> Response:
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        plant_batch = lookups.plant_batch(reader, "Name")
        count = reader.integer("Count")
        starting = reader.text("StartingTag")
        phase = _growth_phase(reader, "GrowthPhase")
        location = lookups.location(reader, "NewLocation", purpose="plants")
        growth_date = reader.date("GrowthDate")
        if count is not None and count <= 0:
            reader.fail("Count must be greater than 0.")
            count = None
        if plant_batch is not None and count is not None and count > plant_batch.untracked_count:
            reader.fail(
                f"Plant Batch {plant_batch.name} has {plant_batch.untracked_count} untracked "
                f"plants; {count} cannot be moved."
            )
        tags = []
        if starting is not None and count is not None:
            labels = next_labels(starting, count) if is_tag_label(starting) else None
            if labels is None:
                reader.fail(f"Tag {starting} is not valid.")
            else:
                tags = [lookups.free_tag(reader, label, "Plant") for label in labels]
        if not reader.ok:
            return []
        assert plant_batch
        assert count
        assert phase
        assert location
        assert growth_date
        plant_ids = []
        for tag in tags:
            assert tag is not None
            tx.touch(tag)
            tag.used = True
            plant = Plant(
                id=state.next_id("plant"),
                facility_id=ctx.facility.id,
                label=tag.label,
                plant_batch_id=plant_batch.id,
                strain_id=plant_batch.strain_id,
                location_id=location.id,
                growth_phase=phase,
                planted_date=plant_batch.planted_date,
                vegetative_date=growth_date,
                flowering_date=growth_date if phase == "Flowering" else None,
            )
            plant_ids.append(state.plants.add(plant, tx).id)
        tx.touch(plant_batch)
        plant_batch.untracked_count -= count
        plant_batch.tracked_count += count
        plant_batch.active = plant_batch.untracked_count > 0
        return plant_ids

    return written(await write(ctx, row))


@router.delete("/plantbatches/v2/")
async def destroy_batch(ctx: FacilityDep) -> Response:
    _grower(ctx)

    def row(reader: RowReader, tx: Tx) -> list[int]:
        plant_batch = lookups.plant_batch(reader, "PlantBatch")
        count = reader.integer("Count")
        method = reader.text("WasteMethodName")
        reason = reader.text("WasteReasonName")
        reader.positive("WasteWeight", allow_zero=True)
        lookups.weight_unit(reader, "WasteUnitOfMeasure")
        reader.date("ActualDate")
        if method is not None and catalog.one_of(method, catalog.PLANT_WASTE_METHODS) is None:
            reader.fail(f"Waste Method {method} is not valid.")
        if reason is not None and catalog.one_of(reason, catalog.PLANT_WASTE_REASONS) is None:
            reader.fail(f"Waste Reason {reason} is not valid.")
        if count is not None and count <= 0:
            reader.fail("Count must be greater than 0.")
        elif plant_batch is not None and count is not None and count > plant_batch.untracked_count:
            reader.fail(
                f"Plant Batch {plant_batch.name} has {plant_batch.untracked_count} untracked "
                f"plants; {count} cannot be destroyed."
            )
        if not reader.ok:
            return []
        assert plant_batch is not None
        assert count is not None
        tx.touch(plant_batch)
        plant_batch.untracked_count -= count
        plant_batch.destroyed_count += count
        plant_batch.active = plant_batch.untracked_count > 0
        return [plant_batch.id]

    return written(await write(ctx, row))


def _plants(ctx: FacilityDep, *, phase: str | None) -> list[Plant]:
    return [
        p
        for p in ctx.state.plants
        if p.facility_id == ctx.facility.id
        and ((p.state == "Tracked" and p.growth_phase == phase) if phase else p.state != "Tracked")
    ]


def _plant_list(ctx: FacilityDep, phase: str | None) -> Response:
    render = lambda p: views.plant_view(p, ctx.state)  # noqa: E731
    return listing(ctx, _plants(ctx, phase=phase), render, last_modified=record_stamp)


@router.get("/plants/v2/vegetative")
async def vegetative(ctx: FacilityDep) -> Response:
    return _plant_list(ctx, "Vegetative")


@router.get("/plants/v2/flowering")
async def flowering(ctx: FacilityDep) -> Response:
    return _plant_list(ctx, "Flowering")


@router.get("/plants/v2/inactive")
async def plants_inactive(ctx: FacilityDep) -> Response:
    return _plant_list(ctx, None)


@router.get("/plants/v2/growthphases")
async def growth_phases(ctx: FacilityDep) -> Response:
    return respond(list(catalog.GROWTH_PHASES))


@router.get("/plants/v2/{id_or_label}")
async def plant(id_or_label: str, ctx: FacilityDep) -> Response:
    if id_or_label.isdigit():
        found, key = ctx.state.plants.get(int(id_or_label)), f"Id {id_or_label}"
    elif is_tag_label(id_or_label):
        found, key = ctx.state.plants.get_key(id_or_label), f"label {id_or_label}"
    else:
        raise not_found(f"No plant found with {id_or_label}.")
    return respond(views.plant_view(ctx.own(found, "plant", key), ctx.state))


@router.put("/plants/v2/growthphase")
async def plant_growth_phase(ctx: FacilityDep) -> Response:
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        found = lookups.plant(reader)
        new_tag = lookups.free_tag(reader, reader.text("NewTag", required=False), "Plant")
        phase = _growth_phase(reader, "GrowthPhase")
        location = lookups.location(reader, "NewLocation", purpose="plants")
        growth_date = reader.date("GrowthDate")
        if found is not None and phase == "Vegetative" and found.growth_phase == "Flowering":
            reader.fail(f"Plant {found.label} is Flowering and cannot go back to Vegetative.")
        if not reader.ok:
            return []
        assert found
        assert phase
        assert location
        assert growth_date
        tx.touch(found)
        if new_tag is not None:
            tx.touch(new_tag)
            new_tag.used = True
            state.plants.rekey(found, found.label, new_tag.label, tx)
            found.label = new_tag.label
        if phase == "Flowering" and found.growth_phase != "Flowering":
            found.flowering_date = growth_date
        found.growth_phase = phase
        found.location_id = location.id
        return []

    await write(ctx, row)
    return empty()


@router.put("/plants/v2/harvest")
async def harvest_plants(ctx: FacilityDep) -> Response:
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        found = lookups.plant(reader, id_field="PlantId", label_field="Plant")
        weight = reader.positive("Weight")
        unit = lookups.weight_unit(reader, "UnitOfWeight")
        drying = lookups.location(reader, "DryingLocation", purpose="harvests")
        harvest_name = reader.text("HarvestName", required=False)
        actual_date = reader.date("ActualDate")
        if found is not None and found.growth_phase != "Flowering":
            reader.fail(f"Plant {found.label} is not in the Flowering phase.")
        if not reader.ok:
            return []
        assert found
        assert weight
        assert unit
        assert drying
        assert actual_date
        harvest = add_to_harvest(
            state,
            tx,
            found,
            weight=weight,
            unit=unit,
            drying=drying,
            harvest_name=harvest_name,
            actual_date=actual_date,
        )
        tx.touch(found)
        found.state = "Harvested"
        found.harvest_count += 1
        found.harvest_id = harvest.id
        found.harvested_date = actual_date
        found.harvested_wet_weight = weight
        found.harvested_unit_of_weight = unit.name
        return []

    await write(ctx, row)
    return empty()
