"""What Canopy sends to Metrc: one model per element of a write body.

Metrc write bodies are JSON arrays of these objects even for a single record. Fields are
snake_case with Metrc's PascalCase names as aliases; ``None`` fields are left out of the body.
Quantities are ``Decimal`` and go on the wire as JSON numbers written from the decimal's own
digits (see ``encode_body``), never through a float.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

from compliance.adapters.metrc._types import Quantity

__all__ = [
    "HarvestFinish",
    "HarvestPackageCreate",
    "HarvestPackageIngredient",
    "HarvestUnfinish",
    "HarvestWaste",
    "MetrcPayload",
    "PackageAdjust",
    "PackageCreate",
    "PackageFinish",
    "PackageIngredient",
    "PackageLocationChange",
    "PackageUnfinish",
    "PlantBatchDestroy",
    "PlantBatchGrowthPhaseChange",
    "PlantBatchPlanting",
    "PlantGrowthPhaseChange",
    "PlantHarvest",
    "TransferDestination",
    "TransferTemplateCreate",
    "TransferTemplatePackage",
    "TransferTemplateUpdate",
    "TransferTransporter",
    "TransferTransporterDetail",
    "encode_body",
]


class MetrcPayload(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        frozen=True,
    )


# --- packages ---------------------------------------------------------------------------------


class PackageIngredient(MetrcPayload):
    package: str = Field(description="Label (tag) of the source package")
    quantity: Quantity
    unit_of_measure: str


class PackageCreate(MetrcPayload):
    """``POST /packages/v2/``. With ``ingredients`` the quantity is taken from source packages;
    without, it is an opening-balance package (facility needs CanCreateOpeningBalancePackages)."""

    tag: str
    item: str | None = None
    quantity: Quantity
    unit_of_measure: str
    actual_date: date
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    note: str | None = None
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_donation: bool = False
    is_trade_sample: bool = False
    is_finished_good: bool = False
    product_requires_remediation: bool = False
    use_same_item: bool = False
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None
    ingredients: list[PackageIngredient] | None = None
    required_lab_test_batches: list[str] | None = None


class PackageAdjust(MetrcPayload):
    """``POST /packages/v2/adjust``: ``quantity`` is a signed delta. Metrc has no idempotency
    key; putting the caller's intent id in ``reason_note`` makes the adjustment findable in the
    adjustment history after an unknown outcome."""

    label: str
    quantity: Quantity
    unit_of_measure: str
    adjustment_reason: str
    adjustment_date: date
    reason_note: str | None = None


class PackageLocationChange(MetrcPayload):
    label: str
    location: str
    sublocation: str | None = None
    move_date: date


class PackageFinish(MetrcPayload):
    label: str
    actual_date: date


class PackageUnfinish(MetrcPayload):
    label: str


# --- plant batches and plants ---------------------------------------------------------------


class PlantBatchPlanting(MetrcPayload):
    name: str
    type: str = Field(description='"Clone" or "Seed"')
    count: int
    strain: str
    location: str
    actual_date: date
    sublocation: str | None = None
    patient_license_number: str | None = None


class PlantBatchGrowthPhaseChange(MetrcPayload):
    """Moves ``count`` plants out of a batch into tracked plants, consuming sequential plant tags
    from ``starting_tag``."""

    name: str
    count: int
    starting_tag: str
    growth_phase: str
    new_location: str
    growth_date: date
    new_sublocation: str | None = None
    patient_license_number: str | None = None


class PlantBatchDestroy(MetrcPayload):
    plant_batch: str
    count: int
    waste_method_name: str | None = None
    waste_material_mixed: str | None = None
    waste_reason_name: str | None = None
    reason_note: str | None = None
    waste_weight: Quantity | None = None
    waste_unit_of_measure: str | None = None
    actual_date: date


class PlantGrowthPhaseChange(MetrcPayload):
    id: int | None = None
    label: str | None = None
    new_tag: str | None = None
    growth_phase: str
    new_location: str
    new_sublocation: str | None = None
    growth_date: date


class PlantHarvest(MetrcPayload):
    plant: str = Field(description="Plant label")
    weight: Quantity
    unit_of_weight: str
    drying_location: str
    drying_sublocation: str | None = None
    harvest_name: str | None = None
    patient_license_number: str | None = None
    actual_date: date


# --- harvests ---------------------------------------------------------------------------------


class HarvestPackageIngredient(MetrcPayload):
    harvest_id: int
    harvest_name: str | None = None
    weight: Quantity
    unit_of_weight: str


class HarvestPackageCreate(MetrcPayload):
    tag: str
    item: str
    unit_of_weight: str
    actual_date: date
    ingredients: list[HarvestPackageIngredient]
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    note: str | None = None
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_trade_sample: bool = False
    is_donation: bool = False
    product_requires_remediation: bool = False
    remediate_product: bool = False
    product_requires_decontamination: bool = False
    decontaminate_product: bool = False
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None


class HarvestWaste(MetrcPayload):
    id: int = Field(description="Harvest Id")
    waste_type: str
    unit_of_weight: str
    waste_weight: Quantity
    actual_date: date


class HarvestFinish(MetrcPayload):
    id: int
    actual_date: date


class HarvestUnfinish(MetrcPayload):
    id: int


# --- transfer templates -----------------------------------------------------------------------


class TransferTransporterDetail(MetrcPayload):
    driver_occupational_license_number: str | None = None
    driver_name: str | None = None
    driver_license_number: str | None = None
    driver_layover_leg: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate_number: str | None = None


class TransferTransporter(MetrcPayload):
    transporter_facility_license_number: str
    driver_occupational_license_number: str | None = None
    driver_name: str | None = None
    driver_license_number: str | None = None
    driver_layover_leg: str | None = None
    phone_number_for_questions: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate_number: str | None = None
    is_layover: bool = False
    estimated_departure_date_time: datetime | None = None
    estimated_arrival_date_time: datetime | None = None
    transporter_details: list[TransferTransporterDetail] | None = None


class TransferTemplatePackage(MetrcPayload):
    package_label: str
    wholesale_price: Quantity | None = None
    gross_weight: Quantity | None = None
    gross_unit_of_weight_name: str | None = None


class TransferDestination(MetrcPayload):
    recipient_license_number: str
    transfer_type_name: str
    planned_route: str
    estimated_departure_date_time: datetime
    estimated_arrival_date_time: datetime
    packages: list[TransferTemplatePackage]
    transfer_destination_id: int | None = Field(default=None, description="Required on update")
    invoice_number: str | None = None
    transporters: list[TransferTransporter] | None = None


class TransferTemplateCreate(MetrcPayload):
    name: str
    destinations: list[TransferDestination]
    transporter_facility_license_number: str | None = None
    driver_occupational_license_number: str | None = None
    driver_name: str | None = None
    driver_license_number: str | None = None
    phone_number_for_questions: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate_number: str | None = None


class TransferTemplateUpdate(TransferTemplateCreate):
    transfer_template_id: int


# --- encoding ---------------------------------------------------------------------------------


def _encode(value: Any) -> str:
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite quantity: {value}")
        # Positional notation: "1E+2" is valid JSON but not every server parses it as a decimal.
        return format(value, "f")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return json.dumps(aware.astimezone(UTC).isoformat().replace("+00:00", "Z"))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} for Metrc")


def encode_body(objects: Sequence[MetrcPayload]) -> bytes:
    """The JSON array Metrc expects, with decimals as exact JSON numbers."""
    rows = [o.model_dump(mode="python", by_alias=True, exclude_none=True) for o in objects]
    return _encode(rows).encode()
