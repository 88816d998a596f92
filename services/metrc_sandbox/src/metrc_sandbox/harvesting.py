"""Putting a plant's cut weight into a harvest: the whole plant (harvest) or part of it (manicure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from metrc_sandbox import catalog
from metrc_sandbox.catalog import UnitOfMeasure
from metrc_sandbox.model import Harvest, Location, Plant
from metrc_sandbox.store import SandboxState, Tx
from metrc_sandbox.units import convert


def add_to_harvest(
    state: SandboxState,
    tx: Tx,
    plant: Plant,
    *,
    weight: Decimal,
    unit: UnitOfMeasure,
    drying: Location,
    harvest_name: str | None,
    actual_date: date,
    plant_count: int = 1,
) -> Harvest:
    """The harvest named ``harvest_name`` (created on first use; Metrc names an unnamed one after
    the strain and date) with ``weight`` added to its wet and current weights."""
    strain = state.strains.get(plant.strain_id)
    name = harvest_name or f"{strain.name if strain else 'Harvest'} {actual_date.isoformat()}"
    harvest = state.harvest_named(plant.facility_id, name)
    if harvest is None:
        harvest = state.harvests.add(
            Harvest(
                id=state.next_id("harvest"),
                facility_id=plant.facility_id,
                name=name,
                drying_location_id=drying.id,
                unit_of_weight=unit.name,
                harvest_start_date=actual_date,
            ),
            tx,
        )
    harvest_unit = catalog.unit_named(harvest.unit_of_weight)
    assert harvest_unit is not None
    added = convert(weight, unit, harvest_unit)
    tx.touch(harvest)
    harvest.plant_count += plant_count
    harvest.total_wet_weight += added
    harvest.current_weight += added
    if plant.strain_id not in harvest.strain_ids:
        harvest.strain_ids = (*harvest.strain_ids, plant.strain_id)
    return harvest
