"""Write bodies of the cultivation calls beyond planting, growth phase, harvest and destroy-batch
(those are in ``payloads``): a batch planted from a package, split, adjusted, moved; plants moved,
destroyed, manicured. Field names are Metrc's (METRC.md 4.7-4.9); dates are the facility's dates."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from compliance.adapters.metrc._types import Quantity
from compliance.adapters.metrc.payloads import MetrcPayload

__all__ = [
    "PlantBatchAdjust",
    "PlantBatchFromPackage",
    "PlantBatchLocationChange",
    "PlantBatchSplit",
    "PlantDestroy",
    "PlantLocationChange",
    "PlantManicure",
]


class PlantBatchFromPackage(MetrcPayload):
    """``POST /packages/v2/plantings``: a plant batch planted from a package of seeds or clones;
    the package goes down by ``package_adjustment_amount``."""

    package_label: str
    package_adjustment_amount: Quantity
    package_adjustment_unit_of_measure_name: str
    plant_batch_name: str
    plant_batch_type: str = Field(description='"Clone" or "Seed"')
    plant_count: int
    location_name: str
    strain_name: str
    planted_date: date
    unpackaged_date: date
    sublocation_name: str | None = None
    patient_license_number: str | None = None


class PlantBatchSplit(MetrcPayload):
    """``POST /plantbatches/v2/split``: ``count`` untracked plants become batch ``group_name``."""

    plant_batch: str
    group_name: str
    count: int
    location: str
    strain: str
    actual_date: date
    sublocation: str | None = None
    patient_license_number: str | None = None


class PlantBatchAdjust(MetrcPayload):
    """``POST /plantbatches/v2/adjust``: a signed change of the untracked count. Not idempotent
    and without a natural key: put the intent id in ``reason_note``."""

    plant_batch_name: str
    quantity: int = Field(description="signed change of the untracked count")
    adjustment_reason: str
    adjustment_date: date
    reason_note: str | None = None


class PlantBatchLocationChange(MetrcPayload):
    name: str
    location: str
    move_date: date
    sublocation: str | None = None


class PlantLocationChange(MetrcPayload):
    id: int | None = None
    label: str | None = None
    location: str
    actual_date: date
    sublocation: str | None = None


class PlantDestroy(MetrcPayload):
    """``DELETE /plants/v2/`` (with a body): one tracked plant, by ``id`` or ``label``."""

    id: int | None = None
    label: str | None = None
    waste_method_name: str
    waste_reason_name: str
    waste_weight: Quantity
    waste_unit_of_measure_name: str
    actual_date: date
    waste_material_mixed: str | None = None
    reason_note: str | None = None
    count: int | None = None


class PlantManicure(MetrcPayload):
    """``POST /plants/v2/manicure``: a partial harvest; the plant stays tracked and the weight goes
    into harvest ``harvest_name``."""

    plant: str = Field(description="Plant label")
    weight: Quantity
    unit_of_weight: str
    drying_location: str
    actual_date: date
    harvest_name: str | None = None
    drying_sublocation: str | None = None
    patient_license_number: str | None = None
    plant_count: int | None = None
