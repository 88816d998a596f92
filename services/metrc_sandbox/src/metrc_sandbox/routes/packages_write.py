"""Package writes: create (from packages or opening balance), adjust, move, finish, discontinue."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups
from metrc_sandbox.context import FacilityDep
from metrc_sandbox.lookups import describe
from metrc_sandbox.model import Adjustment, Item, Package
from metrc_sandbox.routes.common import empty, parse_id, written
from metrc_sandbox.rows import RowReader, apply_rows, write
from metrc_sandbox.seed import facility_today
from metrc_sandbox.store import Tx
from metrc_sandbox.units import convert

router = APIRouter()


def _ingredients(reader: RowReader, rows: list[dict[str, object]]) -> list[tuple[Package, Decimal]]:
    """Source packages and the amount to take from each, in the source's own unit."""
    taken: dict[int, tuple[Package, Decimal]] = {}
    for raw in rows:
        sub = reader.nested(raw)
        label = sub.text("Package")
        quantity = sub.positive("Quantity")
        unit = lookups.unit(sub, "UnitOfMeasure")
        source = lookups.package(sub, label)
        if source is None or quantity is None or unit is None:
            continue
        source_unit = catalog.unit_named(source.unit_of_measure)
        assert source_unit is not None
        if unit.quantity_type != source_unit.quantity_type:
            reader.fail(
                f"Unit of Measure {unit.name} cannot be used with Package {source.label}, which is "
                f"measured in {source_unit.name} ({source_unit.quantity_type})."
            )
            continue
        previous = taken.get(source.id, (source, Decimal(0)))[1]
        taken[source.id] = (source, previous + convert(quantity, unit, source_unit))
    for source, amount in taken.values():
        if amount > source.quantity:
            reader.fail(
                f"Package {source.label} has only {describe(source.quantity, source.unit_of_measure)}"
                f" available; {describe(amount, source.unit_of_measure)} was requested."
            )
    return list(taken.values())


def _fits_item(reader: RowReader, item: Item, unit: catalog.UnitOfMeasure) -> None:
    category = catalog.category_named(item.category)
    if category is not None and category.quantity_type != unit.quantity_type:
        reader.fail(
            f"Unit of Measure {unit.name} is not valid for Item {item.name} "
            f"({category.quantity_type})."
        )


@router.post("/packages/v2/")
async def create(ctx: FacilityDep) -> Response:
    state, facility = ctx.state, ctx.facility

    def row(reader: RowReader, tx: Tx) -> list[int]:
        label = reader.text("Tag")
        tag = lookups.free_tag(reader, label, "Package")
        use_same_item = reader.boolean("UseSameItem")
        item = None if use_same_item else lookups.item(reader, "Item")
        quantity = reader.positive("Quantity")
        unit = lookups.unit(reader, "UnitOfMeasure")
        location = lookups.location(reader, "Location", purpose="packages", required=False)
        actual_date = reader.date("ActualDate")
        ingredient_rows = reader.objects("Ingredients", required=False) or []
        sources = _ingredients(reader, ingredient_rows)
        if not ingredient_rows and not facility.can_create_opening_balance_packages:
            reader.fail(
                "Ingredients were not specified. Facility "
                f"{facility.license_number} cannot create opening balance packages."
            )
        if use_same_item:
            if sources:
                item = state.items.get(sources[0][0].item_id)
            elif not ingredient_rows:
                reader.fail("UseSameItem requires at least one ingredient package.")
        if item is not None and unit is not None:
            _fits_item(reader, item, unit)
        expiration = reader.any_date("ExpirationDate")
        sell_by = reader.any_date("SellByDate")
        use_by = reader.any_date("UseByDate")
        if not reader.ok or tag is None or item is None or quantity is None or unit is None:
            return []
        assert actual_date is not None
        tx.touch(tag)
        tag.used = True
        for source, amount in sources:
            tx.touch(source)
            source.quantity -= amount
        harvests = tuple(dict.fromkeys(n for s, _ in sources for n in s.source_harvest_names))
        package = Package(
            id=state.next_id("package"),
            facility_id=facility.id,
            label=tag.label,
            item_id=item.id,
            quantity=quantity,
            original_quantity=quantity,
            unit_of_measure=unit.name,
            packaged_date=actual_date,
            location_id=None if location is None else location.id,
            note=reader.text("Note", required=False),
            patient_license_number=reader.text("PatientLicenseNumber", required=False),
            source_package_labels=tuple(s.label for s, _ in sources),
            source_harvest_names=harvests,
            is_production_batch=reader.boolean("IsProductionBatch"),
            production_batch_number=reader.text("ProductionBatchNumber", required=False),
            is_trade_sample=reader.boolean("IsTradeSample"),
            is_donation=reader.boolean("IsDonation"),
            is_finished_good=reader.boolean("IsFinishedGood"),
            product_requires_remediation=reader.boolean("ProductRequiresRemediation"),
            expiration_date=expiration,
            sell_by_date=sell_by,
            use_by_date=use_by,
        )
        return [state.packages.add(package, tx).id]

    return written(await write(ctx, row))


@router.post("/packages/v2/adjust")
async def adjust(ctx: FacilityDep) -> Response:
    state, facility = ctx.state, ctx.facility

    def row(reader: RowReader, tx: Tx) -> list[int]:
        package = lookups.package(reader, reader.text("Label"))
        delta = reader.decimal("Quantity")
        unit = lookups.unit(reader, "UnitOfMeasure")
        reason_name = reader.text("AdjustmentReason")
        adjustment_date = reader.date("AdjustmentDate")
        note = reader.text("ReasonNote", required=False)
        reason = None
        if reason_name is not None:
            reason = catalog.reason_named(reason_name)
            if reason is None:
                reader.fail(f"Adjustment Reason {reason_name} is not valid.")
            elif reason.requires_note and note is None:
                reader.fail(f"ReasonNote is required for the Adjustment Reason {reason.name}.")
        if delta is not None and delta == 0:
            reader.fail("Quantity cannot be 0.")
        if package is None or unit is None or delta is None or not reader.ok:
            return []
        package_unit = catalog.unit_named(package.unit_of_measure)
        assert package_unit is not None
        assert reason is not None
        assert adjustment_date is not None
        if unit.quantity_type != package_unit.quantity_type:
            reader.fail(
                f"Unit of Measure {unit.name} cannot be used with Package {package.label}, which is "
                f"measured in {package_unit.name} ({package_unit.quantity_type})."
            )
            return []
        after = package.quantity + convert(delta, unit, package_unit)
        if after < 0:
            reader.fail(
                f"Package {package.label} cannot be adjusted below zero: it holds "
                f"{describe(package.quantity, package.unit_of_measure)} and the adjustment is "
                f"{describe(delta, unit.name)}."
            )
            return []
        tx.touch(package)
        package.quantity = after
        adjustment = Adjustment(
            id=state.next_id("adjustment"),
            facility_id=facility.id,
            package_id=package.id,
            quantity=delta,
            unit_of_measure=unit.name,
            reason=reason.name,
            note=note,
            adjustment_date=adjustment_date,
            user_name=ctx.caller.user.name,
        )
        state.adjustments.add(adjustment, tx)
        return [package.id]

    return written(await write(ctx, row))


@router.put("/packages/v2/location")
async def move(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        package = lookups.package(reader, reader.text("Label"), statuses=("active", "onhold"))
        location = lookups.location(reader, "Location", purpose="packages")
        reader.date("MoveDate")
        if package is None or location is None or not reader.ok:
            return []
        tx.touch(package)
        package.location_id = location.id
        return []

    await write(ctx, row)
    return empty()


@router.put("/packages/v2/finish")
async def finish(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        package = lookups.package(reader, reader.text("Label"))
        actual_date = reader.date("ActualDate")
        if package is None or actual_date is None or not reader.ok:
            return []
        if package.quantity != 0:
            reader.fail(
                f"Package {package.label} cannot be finished while it holds "
                f"{describe(package.quantity, package.unit_of_measure)}; its quantity must be 0."
            )
            return []
        tx.touch(package)
        package.status = "finished"
        package.finished_date = actual_date
        return []

    await write(ctx, row)
    return empty()


@router.put("/packages/v2/unfinish")
async def unfinish(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        label = reader.text("Label")
        package = lookups.package(reader, label, statuses=("finished", "active"))
        if package is None:
            return []
        if package.status != "finished":
            reader.fail(f"Package {package.label} is not finished.")
            return []
        tx.touch(package)
        package.status = "active"
        package.finished_date = None
        return []

    await write(ctx, row)
    return empty()


@router.delete("/packages/v2/{package_id}")
async def discontinue(package_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(package_id, "package")
    package = ctx.own(ctx.state.packages.get(key), "package", f"Id {key}")

    def row(reader: RowReader, tx: Tx) -> list[int]:
        if lookups.package(reader, package.label, statuses=("active", "onhold")) is None:
            return []
        tx.touch(package)
        package.status = "inactive"
        package.archived_date = facility_today(ctx.facility)
        return []

    await apply_rows(ctx, [{}], row)
    return empty()
