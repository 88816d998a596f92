"""Harvests: lists, packages from harvest weight, waste, finish and unfinish."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups, views
from metrc_sandbox.context import CallerDep, FacilityDep
from metrc_sandbox.errors import bad_request
from metrc_sandbox.lookups import describe
from metrc_sandbox.model import Harvest, HarvestWaste, Package
from metrc_sandbox.paging import query_param
from metrc_sandbox.routes.common import listing, parse_id, record_stamp, respond, written
from metrc_sandbox.rows import RowReader, write
from metrc_sandbox.store import Tx
from metrc_sandbox.units import convert

router = APIRouter()


def _harvests(ctx: FacilityDep, active: bool) -> list[Harvest]:
    return [
        h
        for h in ctx.state.harvests
        if h.facility_id == ctx.facility.id and (h.finished_date is None) is active
    ]


@router.get("/harvests/v2/active")
async def active(ctx: FacilityDep) -> Response:
    render = lambda h: views.harvest_view(h, ctx.state)  # noqa: E731
    return listing(ctx, _harvests(ctx, True), render, last_modified=record_stamp)


@router.get("/harvests/v2/inactive")
async def inactive(ctx: FacilityDep) -> Response:
    render = lambda h: views.harvest_view(h, ctx.state)  # noqa: E731
    return listing(ctx, _harvests(ctx, False), render, last_modified=record_stamp)


@router.get("/harvests/v2/waste/types")
async def waste_types(ctx: CallerDep) -> Response:
    return listing(ctx, catalog.HARVEST_WASTE_TYPES, lambda name: {"Name": name})


@router.get("/harvests/v2/waste")
async def waste(ctx: FacilityDep) -> Response:
    raw = query_param(ctx.request, "harvestId")
    if raw is None or not raw.isdigit():
        raise bad_request("The harvestId parameter is required.")
    harvest = ctx.own(ctx.state.harvests.get(int(raw)), "harvest", f"Id {raw}")
    rows = [w for w in ctx.state.harvest_waste if w.harvest_id == harvest.id]
    return listing(ctx, rows, views.harvest_waste_view)


@router.get("/harvests/v2/{harvest_id}")
async def one(harvest_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(harvest_id, "harvest")
    found = ctx.own(ctx.state.harvests.get(key), "harvest", f"Id {key}")
    return respond(views.harvest_view(found, ctx.state))


def _harvest(reader: RowReader, field: str, *, finished: bool = False) -> Harvest | None:
    harvest_id = reader.integer(field)
    if harvest_id is None:
        return None
    found = reader.ctx.state.harvests.get(harvest_id)
    if found is None or found.facility_id != reader.ctx.facility.id:
        reader.fail(f"Harvest {harvest_id} does not exist in the current Facility.")
        return None
    if (found.finished_date is not None) is not finished:
        reader.fail(f"Harvest {found.name} is {'not ' if finished else ''}finished.")
        return None
    return found


@router.post("/harvests/v2/packages")
async def packages(ctx: FacilityDep) -> Response:
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        label = reader.text("Tag")
        tag = lookups.free_tag(reader, label, "Package")
        item = lookups.item(reader, "Item")
        unit = lookups.weight_unit(reader, "UnitOfWeight")
        location = lookups.location(reader, "Location", purpose="packages", required=False)
        actual_date = reader.date("ActualDate")
        ingredients = reader.objects("Ingredients") or []
        if not ingredients and reader.has("Ingredients"):
            reader.fail("Ingredients were not specified.")
        taken: dict[int, tuple[Harvest, Decimal]] = {}
        total = Decimal(0)
        for raw in ingredients:
            sub = reader.nested(raw)
            harvest = _harvest(sub, "HarvestId")
            weight = sub.positive("Weight")
            weight_unit = lookups.weight_unit(sub, "UnitOfWeight")
            if harvest is None or weight is None or weight_unit is None:
                continue
            harvest_unit = catalog.unit_named(harvest.unit_of_weight)
            assert harvest_unit is not None
            previous = taken.get(harvest.id, (harvest, Decimal(0)))[1]
            taken[harvest.id] = (harvest, previous + convert(weight, weight_unit, harvest_unit))
            if unit is not None:
                total += convert(weight, weight_unit, unit)
        for harvest, amount in taken.values():
            if amount > harvest.current_weight:
                reader.fail(
                    f"Harvest {harvest.name} has only "
                    f"{describe(harvest.current_weight, harvest.unit_of_weight)} remaining; "
                    f"{describe(amount, harvest.unit_of_weight)} was requested."
                )
        if item is not None and unit is not None:
            category = catalog.category_named(item.category)
            if category is not None and category.quantity_type != "WeightBased":
                reader.fail(f"Item {item.name} is not measured by weight.")
        if not reader.ok:
            return []
        assert tag
        assert item
        assert unit
        assert actual_date
        tx.touch(tag)
        tag.used = True
        for harvest, amount in taken.values():
            tx.touch(harvest)
            harvest.current_weight -= amount
            harvest.total_packaged_weight += amount
            harvest.package_count += 1
        package = Package(
            id=state.next_id("package"),
            facility_id=ctx.facility.id,
            label=tag.label,
            item_id=item.id,
            quantity=total,
            original_quantity=total,
            unit_of_measure=unit.name,
            packaged_date=actual_date,
            location_id=None if location is None else location.id,
            note=reader.text("Note", required=False),
            source_harvest_names=tuple(h.name for h, _ in taken.values()),
            is_production_batch=reader.boolean("IsProductionBatch"),
            production_batch_number=reader.text("ProductionBatchNumber", required=False),
            is_trade_sample=reader.boolean("IsTradeSample"),
            is_donation=reader.boolean("IsDonation"),
            product_requires_remediation=reader.boolean("ProductRequiresRemediation"),
            expiration_date=reader.any_date("ExpirationDate"),
            sell_by_date=reader.any_date("SellByDate"),
            use_by_date=reader.any_date("UseByDate"),
        )
        return [state.packages.add(package, tx).id]

    return written(await write(ctx, row))


@router.post("/harvests/v2/waste")
async def record_waste(ctx: FacilityDep) -> Response:
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        harvest = _harvest(reader, "Id")
        waste_type = reader.text("WasteType")
        unit = lookups.weight_unit(reader, "UnitOfWeight")
        weight = reader.positive("WasteWeight")
        actual_date = reader.date("ActualDate")
        canonical = (
            None if waste_type is None else catalog.one_of(waste_type, catalog.HARVEST_WASTE_TYPES)
        )
        if waste_type is not None and canonical is None:
            valid = ", ".join(catalog.HARVEST_WASTE_TYPES)
            reader.fail(f"Waste Type {waste_type} is not valid. Valid values are: {valid}.")
        if harvest is None or unit is None or weight is None or not reader.ok:
            return []
        assert canonical
        assert actual_date
        harvest_unit = catalog.unit_named(harvest.unit_of_weight)
        assert harvest_unit is not None
        amount = convert(weight, unit, harvest_unit)
        if amount > harvest.current_weight:
            reader.fail(
                f"Harvest {harvest.name} has only "
                f"{describe(harvest.current_weight, harvest.unit_of_weight)} remaining; "
                f"{describe(amount, harvest.unit_of_weight)} of waste cannot be recorded."
            )
            return []
        tx.touch(harvest)
        harvest.current_weight -= amount
        harvest.total_waste_weight += amount
        record = HarvestWaste(
            id=state.next_id("harvest_waste"),
            facility_id=ctx.facility.id,
            harvest_id=harvest.id,
            waste_type=canonical,
            weight=weight,
            unit_of_weight=unit.name,
            actual_date=actual_date,
        )
        return [state.harvest_waste.add(record, tx).id]

    return written(await write(ctx, row))


@router.put("/harvests/v2/finish")
async def finish(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        harvest = _harvest(reader, "Id")
        actual_date = reader.date("ActualDate")
        if harvest is None or actual_date is None or not reader.ok:
            return []
        if actual_date < harvest.harvest_start_date:
            reader.fail(f"ActualDate cannot be before the harvest date of Harvest {harvest.name}.")
            return []
        # Metrc books whatever weight is left as moisture loss; it does not demand zero.
        tx.touch(harvest)
        harvest.finished_date = actual_date
        return [harvest.id]

    return written(await write(ctx, row))


@router.put("/harvests/v2/unfinish")
async def unfinish(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        harvest = _harvest(reader, "Id", finished=True)
        if harvest is None or not reader.ok:
            return []
        tx.touch(harvest)
        harvest.finished_date = None
        return [harvest.id]

    return written(await write(ctx, row))
