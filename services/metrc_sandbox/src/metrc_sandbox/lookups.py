"""Resolving names and labels in a posted row into records, with Metrc's row messages on failure."""

from __future__ import annotations

from decimal import Decimal

from metrc_sandbox import catalog
from metrc_sandbox.jsonio import decimal_text
from metrc_sandbox.model import Item, Location, Package, Plant, PlantBatch, Strain, Tag
from metrc_sandbox.rows import RowReader
from metrc_sandbox.tags import is_tag_label

_STATUS_PROBLEMS = {
    "onhold": "is on hold",
    "intransit": "is in transit",
    "finished": "is finished",
    "inactive": "has been discontinued",
}


def unit(reader: RowReader, field: str, *, required: bool = True) -> catalog.UnitOfMeasure | None:
    name = reader.text(field, required=required)
    if name is None:
        return None
    found = catalog.unit_named(name)
    if found is None:
        reader.fail(f"Unit of Measure {name} is not valid.")
    return found


def weight_unit(reader: RowReader, field: str) -> catalog.UnitOfMeasure | None:
    found = unit(reader, field)
    if found is not None and found.quantity_type != "WeightBased":
        reader.fail(f"{field} {found.name} is not a unit of weight.")
        return None
    return found


def location(
    reader: RowReader, field: str, *, purpose: str, required: bool = True
) -> Location | None:
    """An active location of this facility whose type allows ``purpose`` (packages, plants ...)."""
    name = reader.text(field, required=required)
    if name is None:
        return None
    found = reader.ctx.state.location_named(reader.ctx.facility.id, name)
    if found is None:
        reader.fail(f"Location {name} does not exist in the current Facility.")
        return None
    location_type = catalog.location_type_named(found.location_type)
    allowed = location_type is not None and getattr(location_type, f"for_{purpose}")
    if not allowed:
        reader.fail(f"Location {found.name} cannot hold {purpose.replace('_', ' ')}.")
        return None
    return found


def item(reader: RowReader, field: str, *, required: bool = True) -> Item | None:
    name = reader.text(field, required=required)
    if name is None:
        return None
    found = reader.ctx.state.item_named(reader.ctx.facility.id, name)
    if found is None:
        reader.fail(f"Item {name} does not exist in the current Facility.")
    return found


def strain(reader: RowReader, field: str) -> Strain | None:
    name = reader.text(field)
    if name is None:
        return None
    found = reader.ctx.state.strain_named(reader.ctx.facility.id, name)
    if found is None:
        reader.fail(f"Strain {name} does not exist in the current Facility.")
    return found


def plant_batch(reader: RowReader, field: str) -> PlantBatch | None:
    name = reader.text(field)
    if name is None:
        return None
    found = reader.ctx.state.plant_batch_named(reader.ctx.facility.id, name)
    if found is None:
        reader.fail(f"Plant Batch {name} does not exist in the current Facility.")
    return found


def free_tag(reader: RowReader, label: str | None, kind: str) -> Tag | None:
    """An unused tag of ``kind`` owned by this facility; checks only, marks nothing."""
    if label is None:
        return None
    found = reader.ctx.state.tags.get_key(label) if is_tag_label(label) else None
    if found is None or found.facility_id != reader.ctx.facility.id or found.kind != kind:
        reader.fail(f"Tag {label} is not valid.")
        return None
    if found.used:
        reader.fail(f"Tag {label} has already been used.")
        return None
    return found


def package(
    reader: RowReader, label: str | None, *, statuses: tuple[str, ...] = ("active",)
) -> Package | None:
    """The package labelled ``label`` in this facility, if its status is one of ``statuses``."""
    if label is None:
        return None
    found = reader.ctx.state.packages.get_key(label)
    if found is None or found.facility_id != reader.ctx.facility.id:
        reader.fail(f"Package {label} does not exist in the current Facility.")
        return None
    if found.status not in statuses:
        reader.fail(f"Package {label} {_STATUS_PROBLEMS.get(found.status, 'is not active')}.")
        return None
    return found


def plant(reader: RowReader, *, id_field: str = "Id", label_field: str = "Label") -> Plant | None:
    """A tracked plant of this facility, named by Id or by Label."""
    state, facility = reader.ctx.state, reader.ctx.facility
    found: Plant | None
    if reader.has(id_field):
        plant_id = reader.integer(id_field)
        if plant_id is None:
            return None
        found, key = state.plants.get(plant_id), str(plant_id)
    else:
        label = reader.text(label_field)
        if label is None:
            return None
        found, key = state.plants.get_key(label), label
    if found is None or found.facility_id != facility.id:
        reader.fail(f"Plant {key} does not exist in the current Facility.")
        return None
    if found.state != "Tracked":
        reader.fail(f"Plant {found.label} has been {found.state.lower()}.")
        return None
    return found


def describe(quantity: Decimal, unit_name: str) -> str:
    return f"{decimal_text(quantity)} {unit_name}"
