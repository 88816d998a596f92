"""Plant batch and plant writes beyond planting and growth phase (METRC.md 4.7-4.9): a batch planted
from a package, split, adjusted with a reason, moved; plants moved, destroyed, partly harvested; and
the reason and method lists those writes are checked against."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups
from metrc_sandbox.context import CallerDep, FacilityDep, require_capability
from metrc_sandbox.harvesting import add_to_harvest
from metrc_sandbox.lookups import describe
from metrc_sandbox.model import PlantBatch
from metrc_sandbox.routes.common import empty, listing, written
from metrc_sandbox.rows import RowReader, write
from metrc_sandbox.store import Tx
from metrc_sandbox.units import convert

router = APIRouter()

# Items whose packages hold something that can be planted.
_PLANTABLE_CATEGORIES = ("Immature Plants", "Seeds")


def _grower(ctx: FacilityDep) -> None:
    require_capability(ctx, ctx.facility.can_grow_plants, "grow plants")


def _batch_type(reader: RowReader, field: str) -> str | None:
    raw = reader.text(field)
    found = None if raw is None else catalog.one_of(raw, ("Seed", "Clone"))
    if raw is not None and found is None:
        reader.fail(f"{field} {raw} is not valid. Valid values are: Seed, Clone.")
    return found


def _new_name(reader: RowReader, field: str) -> str | None:
    name = reader.text(field)
    ctx = reader.ctx
    if name is not None and ctx.state.plant_batch_named(ctx.facility.id, name) is not None:
        reader.fail(f"A Plant Batch named {name} already exists in the current Facility.")
        return None
    return name


def _count(reader: RowReader, field: str) -> int | None:
    count = reader.integer(field)
    if count is not None and count <= 0:
        reader.fail(f"{field} must be greater than 0.")
        return None
    return count


def _reason(reader: RowReader, field: str, choices: tuple[str, ...]) -> str | None:
    raw = reader.text(field)
    found = None if raw is None else catalog.one_of(raw, choices)
    if raw is not None and found is None:
        reader.fail(f"{field} {raw} is not valid. Valid values are: {', '.join(choices)}.")
    return found


@router.get("/plantbatches/v2/waste/reasons")
async def batch_waste_reasons(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.PLANT_WASTE_REASONS, _waste_reason_view)


@router.get("/plants/v2/waste/reasons")
async def plant_waste_reasons(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.PLANT_WASTE_REASONS, _waste_reason_view)


@router.get("/plants/v2/waste/methods/all")
async def plant_waste_methods(ctx: CallerDep) -> Response:
    return listing(
        ctx,
        catalog.PLANT_WASTE_METHODS,
        lambda name: {"Name": name, "ForPlants": True, "ForProductDestruction": True},
    )


def _waste_reason_view(name: str) -> dict[str, object]:
    return {"Name": name, "RequiresNote": False, "RequiresWasteWeight": name == "Contamination"}


@router.post("/packages/v2/plantings")
async def plantings_from_package(ctx: FacilityDep) -> Response:
    """A plant batch planted from a package of seeds or clones, which goes down by the amount."""
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        package = lookups.package(reader, reader.text("PackageLabel"))
        amount = reader.positive("PackageAdjustmentAmount")
        unit = lookups.unit(reader, "PackageAdjustmentUnitOfMeasureName")
        name = _new_name(reader, "PlantBatchName")
        batch_type = _batch_type(reader, "PlantBatchType")
        count = _count(reader, "PlantCount")
        location = lookups.location(reader, "LocationName", purpose="plant_batches")
        strain = lookups.strain(reader, "StrainName")
        planted = reader.date("PlantedDate")
        reader.date("UnpackagedDate")
        taken = None
        if package is not None:
            item = state.items.get(package.item_id)
            if item is None or item.category not in _PLANTABLE_CATEGORIES:
                reader.fail(f"Package {package.label} does not contain seeds or immature plants.")
            package_unit = catalog.unit_named(package.unit_of_measure)
            if unit is not None and amount is not None and package_unit is not None:
                if unit.quantity_type != package_unit.quantity_type:
                    reader.fail(
                        f"Unit of Measure {unit.name} cannot be used for Package {package.label}."
                    )
                else:
                    taken = convert(amount, unit, package_unit)
                    if taken > package.quantity:
                        reader.fail(
                            f"Package {package.label} holds "
                            f"{describe(package.quantity, package.unit_of_measure)}; "
                            f"{describe(taken, package.unit_of_measure)} cannot be taken."
                        )
        if not reader.ok:
            return []
        assert package
        assert taken is not None
        assert name
        assert batch_type
        assert count
        assert location
        assert strain
        assert planted
        tx.touch(package)
        package.quantity -= taken
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
            source_package_id=package.id,
            source_package_label=package.label,
        )
        return [state.plant_batches.add(new, tx).id]

    return written(await write(ctx, row))


@router.post("/plantbatches/v2/split")
async def split(ctx: FacilityDep) -> Response:
    """Some untracked plants of a batch become a new batch (``GroupName``)."""
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        source = lookups.plant_batch(reader, "PlantBatch")
        name = _new_name(reader, "GroupName")
        count = _count(reader, "Count")
        location = lookups.location(reader, "Location", purpose="plant_batches")
        strain = lookups.strain(reader, "Strain")
        actual = reader.date("ActualDate")
        if source is not None and count is not None and count > source.untracked_count:
            reader.fail(
                f"Plant Batch {source.name} has {source.untracked_count} untracked plants; "
                f"{count} cannot be split off."
            )
        if source is not None and strain is not None and strain.id != source.strain_id:
            reader.fail(f"Strain {strain.name} is not the strain of Plant Batch {source.name}.")
        if not reader.ok:
            return []
        assert source
        assert name
        assert count
        assert location
        assert strain
        assert actual
        tx.touch(source)
        source.untracked_count -= count
        source.active = source.untracked_count > 0
        new = PlantBatch(
            id=state.next_id("plant_batch"),
            facility_id=ctx.facility.id,
            name=name,
            batch_type=source.batch_type,
            strain_id=source.strain_id,
            location_id=location.id,
            planted_date=actual,
            untracked_count=count,
            patient_license_number=reader.text("PatientLicenseNumber", required=False),
            source_plant_batch_ids=(source.id,),
        )
        return [state.plant_batches.add(new, tx).id]

    return written(await write(ctx, row))


@router.post("/plantbatches/v2/adjust")
async def adjust(ctx: FacilityDep) -> Response:
    """A signed change of a batch's untracked count, with one of the adjustment reasons."""
    _grower(ctx)
    reasons = tuple(r.name for r in catalog.ADJUST_REASONS)

    def row(reader: RowReader, tx: Tx) -> list[int]:
        batch = lookups.plant_batch(reader, "PlantBatchName")
        quantity = reader.integer("Quantity")
        reason = _reason(reader, "AdjustmentReason", reasons)
        reader.date("AdjustmentDate")
        note = reader.text("ReasonNote", required=False)
        if quantity == 0:
            reader.fail("Quantity cannot be 0.")
        needs_note = any(r.requires_note for r in catalog.ADJUST_REASONS if r.name == reason)
        if needs_note and note is None:
            reader.fail(f"A ReasonNote is required for the reason {reason}.")
        if batch is not None and quantity is not None and batch.untracked_count + quantity < 0:
            reader.fail(
                f"Plant Batch {batch.name} has {batch.untracked_count} untracked plants and "
                f"cannot be adjusted by {quantity}."
            )
        if not reader.ok:
            return []
        assert batch
        assert quantity is not None
        tx.touch(batch)
        batch.untracked_count += quantity
        batch.active = batch.untracked_count > 0
        return [batch.id]

    return written(await write(ctx, row))


@router.put("/plantbatches/v2/location")
async def move_batches(ctx: FacilityDep) -> Response:
    _grower(ctx)

    def row(reader: RowReader, tx: Tx) -> list[int]:
        batch = lookups.plant_batch(reader, "Name")
        location = lookups.location(reader, "Location", purpose="plant_batches")
        reader.date("MoveDate")
        if batch is not None and not batch.active:
            reader.fail(f"Plant Batch {batch.name} has no untracked plants left.")
        if not reader.ok:
            return []
        assert batch
        assert location
        tx.touch(batch)
        batch.location_id = location.id
        return []

    await write(ctx, row)
    return empty()


@router.put("/plants/v2/location")
async def move_plants(ctx: FacilityDep) -> Response:
    _grower(ctx)

    def row(reader: RowReader, tx: Tx) -> list[int]:
        plant = lookups.plant(reader)
        location = lookups.location(reader, "Location", purpose="plants")
        reader.date("ActualDate")
        if not reader.ok:
            return []
        assert plant
        assert location
        tx.touch(plant)
        plant.location_id = location.id
        return []

    await write(ctx, row)
    return empty()


@router.delete("/plants/v2/")
async def destroy_plants(ctx: FacilityDep) -> Response:
    """Destroy tracked plants (a JSON body on DELETE); they leave the growth lists."""
    _grower(ctx)

    def row(reader: RowReader, tx: Tx) -> list[int]:
        plant = lookups.plant(reader)
        _reason(reader, "WasteMethodName", catalog.PLANT_WASTE_METHODS)
        reason = _reason(reader, "WasteReasonName", catalog.PLANT_WASTE_REASONS)
        reader.positive("WasteWeight", allow_zero=True)
        lookups.weight_unit(reader, "WasteUnitOfMeasureName")
        reader.text("WasteMaterialMixed", required=False)
        destroyed = reader.date("ActualDate")
        note = reader.text("ReasonNote", required=False)
        if not reader.ok:
            return []
        assert plant
        assert reason
        assert destroyed
        tx.touch(plant)
        plant.state = "Destroyed"
        plant.destroyed_date = destroyed
        plant.destroyed_note = note or reason
        return [plant.id]

    return written(await write(ctx, row))


@router.post("/plants/v2/manicure")
async def manicure(ctx: FacilityDep) -> Response:
    """A partial harvest: weight cut from flowering plants that stay tracked."""
    _grower(ctx)
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        plant = lookups.plant(reader, id_field="PlantId", label_field="Plant")
        weight = reader.positive("Weight")
        unit = lookups.weight_unit(reader, "UnitOfWeight")
        drying = lookups.location(reader, "DryingLocation", purpose="harvests")
        harvest_name = reader.text("HarvestName", required=False)
        actual = reader.date("ActualDate")
        plant_count = _count(reader, "PlantCount") if reader.has("PlantCount") else 1
        if plant is not None and plant.growth_phase != "Flowering":
            reader.fail(f"Plant {plant.label} is not in the Flowering phase.")
        if not reader.ok:
            return []
        assert plant
        assert weight
        assert unit
        assert drying
        assert actual
        assert plant_count
        harvest = add_to_harvest(
            state,
            tx,
            plant,
            weight=weight,
            unit=unit,
            drying=drying,
            harvest_name=harvest_name,
            actual_date=actual,
            plant_count=plant_count,
        )
        tx.touch(plant)
        plant.harvest_count += 1
        return [harvest.id]

    return written(await write(ctx, row))
