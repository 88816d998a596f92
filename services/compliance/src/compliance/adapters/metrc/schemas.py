"""What Metrc returns, in Metrc's vocabulary.

Attributes are snake_case; Metrc's PascalCase names are the aliases, so ``Package.model_validate``
takes a Metrc record as-is and ``Package(label=...)`` works in tests and in the fake. Every model
ignores fields it does not declare (Metrc adds fields without notice) and is frozen.

Only identity fields are required; everything else has a default because Metrc's examples, states
and sandboxes disagree on which fields are present.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

from compliance.adapters.metrc._types import IntOrStr, MetrcDate, MetrcDateTime, Quantity

__all__ = [
    "Facility",
    "FacilityLicense",
    "FacilityType",
    "Harvest",
    "Item",
    "ItemCategory",
    "Location",
    "MetrcModel",
    "Package",
    "PackageAdjustReason",
    "PackageAdjustment",
    "Plant",
    "PlantBatch",
    "Strain",
    "Tag",
    "Transfer",
    "TransferDelivery",
    "TransferDeliveryPackage",
    "TransferTemplateDelivery",
    "TransferType",
    "UnitOfMeasure",
    "WriteResult",
]


class MetrcModel(BaseModel):
    """Base of every Metrc record: PascalCase aliases, unknown fields ignored, immutable."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
        frozen=True,
    )


class WriteResult(MetrcModel):
    """Metrc's answer to a write: the new Ids in the order of the posted objects (empty for the
    many PUT/DELETE calls that answer with an empty body) and Metrc's warnings, if any."""

    ids: list[int] = Field(default_factory=list)
    warnings: str | None = None


# --- facilities and lookups -----------------------------------------------------------------


class FacilityLicense(MetrcModel):
    number: str
    employee_license_number: str | None = None
    start_date: MetrcDate = None
    end_date: MetrcDate = None
    license_type: str | None = None


class FacilityType(MetrcModel):
    """The capability flags that matter to Canopy; Metrc sends about a hundred more."""

    model_config = ConfigDict(extra="allow")

    is_medical: bool = False
    is_retail: bool = False
    is_hemp: bool = False
    can_grow_plants: bool = False
    can_tag_plant_batches: bool = False
    can_track_vegetative_plants: bool = False
    can_create_opening_balance_packages: bool = False
    can_create_derived_packages: bool = False
    can_assign_locations_to_packages: bool = False
    can_update_locations_on_packages: bool = False
    can_transfer_from_external_facilities: bool = False
    can_test_packages: bool = False


class Facility(MetrcModel):
    facility_id: int | None = None
    name: str
    alias: str | None = None
    display_name: str | None = None
    hire_date: MetrcDate = None
    credentialed_date: MetrcDate = None
    is_owner: bool = False
    is_manager: bool = False
    license: FacilityLicense
    facility_type: FacilityType = Field(default_factory=FacilityType)

    @property
    def license_number(self) -> str:
        return self.license.number


class Location(MetrcModel):
    id: int
    name: str
    location_type_id: int | None = None
    location_type_name: str | None = None
    for_plant_batches: bool = False
    for_plants: bool = False
    for_harvests: bool = False
    for_packages: bool = False
    last_modified: MetrcDateTime = None


class ItemCategory(MetrcModel):
    name: str
    product_category_type: IntOrStr | None = None
    quantity_type: IntOrStr | None = None
    requires_strain: bool = False
    requires_item_brand: bool = False
    requires_unit_weight: bool = False
    requires_unit_volume: bool = False
    can_contain_seeds: bool = False
    can_be_remediated: bool = False
    can_be_destroyed: bool = False


class Item(MetrcModel):
    """An item (product). Enum-like fields are ``str | int``: the items endpoint sends names, the
    copy nested in a package has been seen with integers."""

    id: int
    name: str
    product_category_name: str | None = None
    product_category_type: IntOrStr | None = None
    quantity_type: IntOrStr | None = None
    default_lab_testing_state: IntOrStr | None = None
    unit_of_measure_name: str | None = None
    approval_status: IntOrStr | None = None
    approval_status_date_time: MetrcDateTime = None
    strain_id: int | None = None
    strain_name: str | None = None
    item_brand_id: int | None = None
    item_brand_name: str | None = None
    global_product_name: str | None = None
    unit_thc_percent: Quantity | None = None
    unit_cbd_percent: Quantity | None = None
    unit_weight: Quantity | None = None
    unit_weight_unit_of_measure_name: str | None = None
    unit_volume: Quantity | None = None
    unit_volume_unit_of_measure_name: str | None = None
    is_used: bool = False
    last_modified: MetrcDateTime = None


class Strain(MetrcModel):
    id: int
    name: str
    testing_status: str | None = None
    thc_level: Quantity | None = None
    cbd_level: Quantity | None = None
    indica_percentage: Quantity | None = None
    sativa_percentage: Quantity | None = None
    genetics: str | None = None
    is_used: bool = False
    last_modified: MetrcDateTime = None


class UnitOfMeasure(MetrcModel):
    name: str
    abbreviation: str | None = None
    quantity_type: str | None = None


class Tag(MetrcModel):
    label: str
    id: int | None = None
    tag_type_name: str | None = None
    tag_inventory_type_name: str | None = None
    group_tag_type_name: str | None = None
    max_group_size: int | None = None
    facility_id: int | None = None


# --- packages ---------------------------------------------------------------------------------


class Package(MetrcModel):
    id: int
    label: str
    package_type: str | None = None
    quantity: Quantity
    original_package_quantity: Quantity | None = None
    unit_of_measure_name: str
    unit_of_measure_abbreviation: str | None = None
    item: Item | None = None
    external_id: str | None = None
    location_id: int | None = None
    location_name: str | None = None
    location_type_name: str | None = None
    sublocation_name: str | None = None
    patient_license_number: str | None = None
    note: str | None = None
    source_harvest_names: str | None = None
    source_package_labels: str | None = None
    source_harvest_count: int = 0
    source_package_count: int = 0
    packaged_date: MetrcDate = None
    expiration_date: MetrcDate = None
    sell_by_date: MetrcDate = None
    use_by_date: MetrcDate = None
    finished_date: MetrcDate = None
    archived_date: MetrcDate = None
    lab_testing_state: IntOrStr | None = None
    lab_testing_state_date: MetrcDate = None
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_trade_sample: bool = False
    is_donation: bool = False
    is_testing_sample: bool = False
    product_requires_remediation: bool = False
    is_on_hold: bool = False
    is_on_recall: bool | None = None
    is_finished: bool = False
    is_finished_good: bool = False
    received_date_time: MetrcDateTime = None
    received_from_manifest_number: str | None = None
    received_from_facility_license_number: str | None = None
    last_modified: MetrcDateTime = None

    @property
    def item_name(self) -> str | None:
        return self.item.name if self.item is not None else None


class PackageAdjustReason(MetrcModel):
    name: str
    requires_note: bool = False
    requires_waste_weight: bool = False
    requires_immature_waste_weight: bool = False
    requires_mature_waste_weight: bool = False


class PackageAdjustment(MetrcModel):
    """One line of ``/packages/v2/adjustments`` (adjustment history)."""

    package_id: int | None = None
    package_label: str
    item_name: str | None = None
    item_category_name: str | None = None
    adjustment_quantity: Quantity
    adjustment_unit_of_measure_name: str | None = None
    adjustment_unit_of_measure_abbreviation: str | None = None
    adjustment_reason_name: str | None = None
    adjustment_note: str | None = None
    adjustment_date: MetrcDateTime = None
    packaged_date: MetrcDateTime = None
    adjusted_by_user_name: str | None = None


# --- plants, plant batches, harvests --------------------------------------------------------


class PlantBatch(MetrcModel):
    id: int
    name: str
    plant_batch_type_id: int | None = None
    plant_batch_type_name: str | None = None
    location_id: int | None = None
    location_name: str | None = None
    sublocation_name: str | None = None
    strain_id: int | None = None
    strain_name: str | None = None
    patient_license_number: str | None = None
    untracked_count: int = 0
    tracked_count: int = 0
    packaged_count: int = 0
    destroyed_count: int = 0
    source_package_label: str | None = None
    source_plant_label: str | None = None
    planted_date: MetrcDate = None
    is_on_hold: bool = False
    last_modified: MetrcDateTime = None


class Plant(MetrcModel):
    id: int
    label: str
    state: str | None = None
    growth_phase: str | None = None
    plant_batch_id: int | None = None
    plant_batch_name: str | None = None
    plant_batch_type_name: str | None = None
    strain_id: int | None = None
    strain_name: str | None = None
    location_id: int | None = None
    location_name: str | None = None
    sublocation_name: str | None = None
    patient_license_number: str | None = None
    harvest_id: int | None = None
    harvested_unit_of_weight_name: str | None = None
    harvested_wet_weight: Quantity | None = None
    harvest_count: int = 0
    is_on_hold: bool = False
    planted_date: MetrcDate = None
    vegetative_date: MetrcDate = None
    flowering_date: MetrcDate = None
    harvested_date: MetrcDate = None
    destroyed_date: MetrcDate = None
    destroyed_note: str | None = None
    last_modified: MetrcDateTime = None


class Harvest(MetrcModel):
    id: int
    name: str
    harvest_type: IntOrStr | None = None
    source_strain_count: int = 0
    source_strain_names: str | None = None
    drying_location_id: int | None = None
    drying_location_name: str | None = None
    drying_sublocation_name: str | None = None
    patient_license_number: str | None = None
    current_weight: Quantity = Decimal(0)
    total_waste_weight: Quantity = Decimal(0)
    total_wet_weight: Quantity = Decimal(0)
    total_restored_weight: Quantity = Decimal(0)
    total_packaged_weight: Quantity = Decimal(0)
    plant_count: int = 0
    package_count: int = 0
    unit_of_weight_name: str | None = None
    lab_testing_state: IntOrStr | None = None
    is_on_hold: bool = False
    harvest_start_date: MetrcDate = None
    finished_date: MetrcDate = None
    archived_date: MetrcDate = None
    last_modified: MetrcDateTime = None


# --- transfers --------------------------------------------------------------------------------


class TransferType(MetrcModel):
    name: str
    transaction_type: str | None = None
    for_licensed_shipments: bool = False
    for_external_incoming_shipments: bool = False
    for_external_outgoing_shipments: bool = False


class Transfer(MetrcModel):
    """A manifest row (incoming, outgoing) or an outgoing template. Incoming/outgoing lists have
    one row per delivery, hence the delivery and recipient fields."""

    id: int
    manifest_number: str | None = None
    name: str | None = None
    shipper_facility_license_number: str | None = None
    shipper_facility_name: str | None = None
    transporter_facility_license_number: str | None = None
    transporter_facility_name: str | None = None
    driver_name: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate_number: str | None = None
    delivery_count: int = 0
    received_delivery_count: int = 0
    package_count: int = 0
    received_package_count: int = 0
    is_voided: bool = False
    created_date_time: MetrcDateTime = None
    created_by_user_name: str | None = None
    delivery_id: int | None = None
    recipient_facility_license_number: str | None = None
    recipient_facility_name: str | None = None
    shipment_type_name: str | None = None
    shipment_transaction_type: IntOrStr | None = None
    estimated_departure_date_time: MetrcDateTime = None
    actual_departure_date_time: MetrcDateTime = None
    estimated_arrival_date_time: MetrcDateTime = None
    actual_arrival_date_time: MetrcDateTime = None
    received_date_time: MetrcDateTime = None
    originating_template_id: int | None = None
    last_modified: MetrcDateTime = None


class TransferDelivery(MetrcModel):
    id: int
    manifest_number: str | None = None
    delivery_number: int | None = None
    recipient_facility_license_number: str | None = None
    recipient_facility_name: str | None = None
    shipment_type_name: str | None = None
    shipment_transaction_type: IntOrStr | None = None
    invoice_number: str | None = None
    planned_route: str | None = None
    estimated_departure_date_time: MetrcDateTime = None
    actual_departure_date_time: MetrcDateTime = None
    estimated_arrival_date_time: MetrcDateTime = None
    actual_arrival_date_time: MetrcDateTime = None
    gross_weight: Quantity | None = None
    gross_unit_of_weight_name: str | None = None
    delivery_package_count: int = 0
    delivery_received_package_count: int = 0
    received_date_time: MetrcDateTime = None
    rejected_packages_returned: bool = False


TransferTemplateDelivery = TransferDelivery
"""Template deliveries have the delivery shape (Metrc documents no separate one)."""


class TransferDeliveryPackage(MetrcModel):
    package_id: int
    package_label: str
    package_type: str | None = None
    item_id: int | None = None
    item_name: str | None = None
    item_category_name: str | None = None
    item_strain_name: str | None = None
    lab_testing_state: IntOrStr | None = None
    production_batch_number: str | None = None
    shipment_package_state: IntOrStr | None = None
    shipped_quantity: Quantity | None = None
    shipped_unit_of_measure_name: str | None = None
    received_quantity: Quantity | None = None
    received_unit_of_measure_name: str | None = None
    packaged_date: MetrcDate = None
    is_trade_sample: bool = False
    is_donation: bool = False
    is_testing_sample: bool = False
    gross_weight: Quantity | None = None
    gross_unit_of_weight_name: str | None = None
    shipper_wholesale_price: Quantity | None = None
    receiver_wholesale_price: Quantity | None = None
    external_id: str | None = None
