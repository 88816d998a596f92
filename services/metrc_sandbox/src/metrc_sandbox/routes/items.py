"""Items (products), item categories and strains."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups, views
from metrc_sandbox.context import FacilityDep
from metrc_sandbox.model import Item, Strain
from metrc_sandbox.routes.common import listing, parse_id, record_stamp, respond, written
from metrc_sandbox.rows import RowReader, write
from metrc_sandbox.store import Tx

router = APIRouter()


def _items(ctx: FacilityDep, active: bool) -> list[Item]:
    return [i for i in ctx.state.items if i.facility_id == ctx.facility.id and i.active is active]


@router.get("/items/v2/active")
async def items_active(ctx: FacilityDep) -> Response:
    return listing(
        ctx, _items(ctx, True), lambda i: views.item_view(i, ctx.state), last_modified=record_stamp
    )


@router.get("/items/v2/inactive")
async def items_inactive(ctx: FacilityDep) -> Response:
    return listing(ctx, _items(ctx, False), lambda i: views.item_view(i, ctx.state))


@router.get("/items/v2/categories")
async def categories(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.ITEM_CATEGORIES, views.category_view)


@router.get("/items/v2/{item_id}")
async def item(item_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(item_id, "item")
    found = ctx.own(ctx.state.items.get(key), "item", f"Id {key}")
    return respond(views.item_view(found, ctx.state))


@router.post("/items/v2/")
async def create_items(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        category_name = reader.text("ItemCategory")
        name = reader.text("Name")
        unit = lookups.unit(reader, "UnitOfMeasure")
        category = None
        if category_name is not None:
            category = catalog.category_named(category_name)
            if category is None:
                valid = ", ".join(c.name for c in catalog.ITEM_CATEGORIES)
                reader.fail(
                    f"The Item Category {category_name} is invalid. Valid values are: {valid}."
                )
        strain = None
        if reader.has("Strain"):
            strain = lookups.strain(reader, "Strain")
        elif category is not None and category.requires_strain:
            reader.fail(f"Strain is required for Items of the {category.name} category.")
        if (
            category is not None
            and unit is not None
            and unit.quantity_type != category.quantity_type
        ):
            reader.fail(
                f"Unit of Measure {unit.name} is not valid for the {category.name} category "
                f"({category.quantity_type})."
            )
        if name is not None and ctx.state.item_named(ctx.facility.id, name) is not None:
            reader.fail(f"An Item named {name} already exists in the current Facility.")
        if not reader.ok or name is None or category is None or unit is None:
            return []
        new = Item(
            ctx.state.next_id("item"),
            ctx.facility.id,
            name,
            category.name,
            unit.name,
            strain_id=None if strain is None else strain.id,
            brand=reader.text("ItemBrand", required=False),
        )
        return [ctx.state.items.add(new, tx).id]

    return written(await write(ctx, row))


def _strains(ctx: FacilityDep, active: bool) -> list[Strain]:
    return [s for s in ctx.state.strains if s.facility_id == ctx.facility.id and s.active is active]


@router.get("/strains/v2/active")
async def strains_active(ctx: FacilityDep) -> Response:
    return listing(
        ctx,
        _strains(ctx, True),
        lambda s: views.strain_view(s, ctx.state),
        last_modified=record_stamp,
    )


@router.get("/strains/v2/inactive")
async def strains_inactive(ctx: FacilityDep) -> Response:
    return listing(ctx, _strains(ctx, False), lambda s: views.strain_view(s, ctx.state))


@router.get("/strains/v2/{strain_id}")
async def strain(strain_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(strain_id, "strain")
    found = ctx.own(ctx.state.strains.get(key), "strain", f"Id {key}")
    return respond(views.strain_view(found, ctx.state))


def _percentage(reader: RowReader, field: str) -> Decimal:
    value = reader.decimal(field, required=False)
    if value is None:
        return Decimal(0)
    if not Decimal(0) <= value <= Decimal(100):
        reader.fail(f"{field} must be between 0 and 100.")
    return value


@router.post("/strains/v2/")
async def create_strains(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        name = reader.text("Name")
        status = reader.text("TestingStatus", required=False) or "None"
        testing_status = catalog.one_of(status, catalog.STRAIN_TESTING_STATUSES)
        if testing_status is None:
            valid = ", ".join(catalog.STRAIN_TESTING_STATUSES)
            reader.fail(f"TestingStatus {status} is not valid. Valid values are: {valid}.")
        thc = reader.decimal("ThcLevel", required=False)
        cbd = reader.decimal("CbdLevel", required=False)
        indica = _percentage(reader, "IndicaPercentage")
        sativa = _percentage(reader, "SativaPercentage")
        if name is not None and ctx.state.strain_named(ctx.facility.id, name) is not None:
            reader.fail(f"A Strain named {name} already exists in the current Facility.")
        if not reader.ok or name is None or testing_status is None:
            return []
        new = Strain(
            ctx.state.next_id("strain"),
            ctx.facility.id,
            name,
            testing_status=testing_status,
            thc_level=thc,
            cbd_level=cbd,
            indica_percentage=indica,
            sativa_percentage=sativa,
        )
        return [ctx.state.strains.add(new, tx).id]

    return written(await write(ctx, row))
