"""Records of the emulated Metrc, one dataclass per table.

Records are mutable, but sequence fields are tuples and are replaced, never changed in place: the
transaction journal (store.Tx) snapshots a record's ``__dict__`` shallowly before a write and relies on
that to roll a failed write back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

EPOCH = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


@dataclass(eq=False)
class Record:
    id: int
    facility_id: int
    last_modified: datetime = field(default=EPOCH, kw_only=True)


@dataclass(eq=False)
class Facility:
    id: int
    license_number: str
    name: str
    state: str
    license_type: str
    can_create_opening_balance_packages: bool
    can_grow_plants: bool
    tag_block: str
    timezone: str
    hire_date: date


@dataclass(eq=False)
class User:
    user_key: str
    name: str
    facility_ids: frozenset[int]


@dataclass(eq=False)
class Location(Record):
    name: str
    location_type: str
    active: bool = True


@dataclass(eq=False)
class Strain(Record):
    name: str
    testing_status: str = "None"
    thc_level: Decimal | None = None
    cbd_level: Decimal | None = None
    indica_percentage: Decimal = Decimal(50)
    sativa_percentage: Decimal = Decimal(50)
    active: bool = True


@dataclass(eq=False)
class Item(Record):
    name: str
    category: str
    unit_of_measure: str
    strain_id: int | None = None
    brand: str | None = None
    active: bool = True


@dataclass(eq=False)
class Tag(Record):
    label: str
    kind: str  # "Package" | "Plant"
    used: bool = False


@dataclass(eq=False)
class Package(Record):
    label: str
    item_id: int
    quantity: Decimal
    unit_of_measure: str
    packaged_date: date
    location_id: int | None = None
    status: str = "active"  # active | onhold | intransit | finished | inactive
    original_quantity: Decimal = Decimal(0)
    package_type: str = "Product"
    finished_date: date | None = None
    archived_date: date | None = None
    note: str | None = None
    patient_license_number: str | None = None
    source_package_labels: tuple[str, ...] = ()
    source_harvest_names: tuple[str, ...] = ()
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_trade_sample: bool = False
    is_donation: bool = False
    is_finished_good: bool = False
    product_requires_remediation: bool = False
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None
    received_from_manifest_number: str | None = None
    received_from_facility_id: int | None = None
    received_date_time: datetime | None = None


@dataclass(eq=False)
class Adjustment(Record):
    package_id: int
    quantity: Decimal
    unit_of_measure: str
    reason: str
    note: str | None
    adjustment_date: date
    user_name: str


@dataclass(eq=False)
class PlantBatch(Record):
    name: str
    batch_type: str
    strain_id: int
    location_id: int
    planted_date: date
    untracked_count: int
    tracked_count: int = 0
    packaged_count: int = 0
    destroyed_count: int = 0
    patient_license_number: str | None = None
    active: bool = True
    source_package_id: int | None = None
    source_package_label: str | None = None
    source_plant_batch_ids: tuple[int, ...] = ()


@dataclass(eq=False)
class Plant(Record):
    label: str
    plant_batch_id: int
    strain_id: int
    location_id: int
    growth_phase: str  # Vegetative | Flowering
    planted_date: date
    vegetative_date: date
    flowering_date: date | None = None
    state: str = "Tracked"  # Tracked | Harvested | Destroyed
    harvest_id: int | None = None
    harvested_date: date | None = None
    harvested_wet_weight: Decimal | None = None
    harvested_unit_of_weight: str | None = None
    harvest_count: int = 0
    destroyed_date: date | None = None
    destroyed_note: str | None = None


@dataclass(eq=False)
class Harvest(Record):
    name: str
    drying_location_id: int
    unit_of_weight: str
    harvest_start_date: date
    strain_ids: tuple[int, ...] = ()
    plant_count: int = 0
    total_wet_weight: Decimal = Decimal(0)
    current_weight: Decimal = Decimal(0)
    total_waste_weight: Decimal = Decimal(0)
    total_packaged_weight: Decimal = Decimal(0)
    package_count: int = 0
    finished_date: date | None = None
    harvest_type: str = "WholePlant"


@dataclass(eq=False)
class HarvestWaste(Record):
    harvest_id: int
    waste_type: str
    weight: Decimal
    unit_of_weight: str
    actual_date: date


@dataclass(frozen=True)
class TemplatePackage:
    package_id: int
    wholesale_price: Decimal | None
    gross_weight: Decimal | None
    gross_unit_of_weight: str | None


@dataclass(eq=False)
class TemplateDestination(Record):
    template_id: int
    recipient_facility_id: int
    transfer_type: str
    planned_route: str
    estimated_departure: str
    estimated_arrival: str
    invoice_number: str | None
    transporters: tuple[dict[str, Any], ...]
    packages: tuple[TemplatePackage, ...]


@dataclass(eq=False)
class TransferTemplate(Record):
    name: str
    transport: dict[str, str | None]
    created_at: datetime
    destination_ids: tuple[int, ...] = ()
    archived: bool = False
    sent_transfer_id: int | None = None


@dataclass(frozen=True)
class DeliveryPackage:
    package_id: int
    shipped_quantity: Decimal
    shipped_unit_of_measure: str
    state: str = "Shipped"  # Shipped | Accepted | Rejected
    received_quantity: Decimal | None = None
    wholesale_price: Decimal | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None


@dataclass(eq=False)
class Delivery(Record):
    """One destination of a sent manifest; ``facility_id`` is the shipper."""

    transfer_id: int
    delivery_number: int
    recipient_facility_id: int
    transfer_type: str
    planned_route: str
    estimated_departure: str
    estimated_arrival: str
    invoice_number: str | None
    actual_departure: datetime
    packages: tuple[DeliveryPackage, ...]
    received_date_time: datetime | None = None


@dataclass(eq=False)
class Transfer(Record):
    """A manifest, created when a template is sent; ``facility_id`` is the shipper."""

    manifest_number: str
    template_id: int
    name: str
    transport: dict[str, str | None]
    created_at: datetime
    delivery_ids: tuple[int, ...] = ()
