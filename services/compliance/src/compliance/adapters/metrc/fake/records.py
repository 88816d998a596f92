"""What the fake holds: each facility's records, and the transfers between facilities.

Metrc records are kept as the adapter's own response models (``Package``, ``Plant`` ...), which
are immutable: a change replaces the record. Transfers are kept in plain records here and turned
into Metrc's shapes when read, because one manifest shows up as several kinds of response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from compliance.adapters.metrc.payloads import TransferTransporter
from compliance.adapters.metrc.schemas import (
    Harvest,
    Item,
    Location,
    Package,
    PackageAdjustment,
    Plant,
    PlantBatch,
    Strain,
    Tag,
)

__all__ = [
    "Delivery",
    "Destination",
    "FakeFacility",
    "Manifest",
    "Shipped",
    "Shipping",
    "Template",
    "TemplatePackage",
]


@dataclass
class FakeFacility:
    """One facility's state. Tests may read it; change it through ``FakeMetrc``'s methods."""

    license_number: str
    name: str
    facility_id: int
    time_zone: str = "America/Denver"
    license_type: str = "Marijuana Cultivation"
    can_create_opening_balance_packages: bool = True
    can_grow_plants: bool = True
    accessible: bool = True
    """Whether the fake's user may act for it; any call for it is a 401 otherwise."""
    items: list[Item] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    strains: list[Strain] = field(default_factory=list)
    tags: dict[str, Tag] = field(default_factory=dict)
    """Every tag issued to the facility, by label, in the order issued."""
    used_tags: set[str] = field(default_factory=set)
    packages: dict[str, Package] = field(default_factory=dict)
    adjustments: list[PackageAdjustment] = field(default_factory=list)
    plant_batches: dict[int, PlantBatch] = field(default_factory=dict)
    plants: dict[int, Plant] = field(default_factory=dict)
    harvests: dict[int, Harvest] = field(default_factory=dict)
    harvest_waste: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
    """waste record Id -> (harvest Id, weight in the harvest's unit)"""

    @property
    def is_medical(self) -> bool:
        return "medical" in self.license_type.casefold()

    @property
    def is_retail(self) -> bool:
        return "retail" in self.license_type.casefold()


@dataclass(frozen=True)
class TemplatePackage:
    package_id: int
    wholesale_price: Decimal | None
    gross_weight: Decimal | None
    gross_unit_of_weight_name: str | None


@dataclass
class Destination:
    """One destination of a template (a "template delivery")."""

    id: int
    template_id: int
    recipient: str
    transfer_type: str
    planned_route: str
    estimated_departure: datetime
    estimated_arrival: datetime
    invoice_number: str | None
    transporters: list[TransferTransporter]
    packages: list[TemplatePackage]
    last_modified: datetime


@dataclass
class Template:
    id: int
    shipper: str
    name: str
    transport: dict[str, str | None]
    created_at: datetime
    last_modified: datetime
    destination_ids: list[int] = field(default_factory=list)
    archived: bool = False
    sent_as: int | None = None
    """The manifest (transfer Id) it was registered as."""


@dataclass(frozen=True)
class Shipped:
    package_id: int
    quantity: Decimal
    unit_of_measure: str
    wholesale_price: Decimal | None
    gross_weight: Decimal | None
    gross_unit_of_weight_name: str | None
    state: str = "Shipped"
    """Shipped, Accepted or Rejected"""
    received_quantity: Decimal | None = None


@dataclass
class Delivery:
    """One destination of a manifest."""

    id: int
    transfer_id: int
    number: int
    recipient: str
    transfer_type: str
    planned_route: str
    estimated_departure: datetime
    estimated_arrival: datetime
    invoice_number: str | None
    departed_at: datetime
    packages: list[Shipped]
    last_modified: datetime
    received_at: datetime | None = None


@dataclass
class Manifest:
    """A template registered in Metrc's web UI: the transfer itself."""

    id: int
    number: str
    shipper: str
    template_id: int
    name: str
    transport: dict[str, str | None]
    created_at: datetime
    last_modified: datetime
    delivery_ids: list[int] = field(default_factory=list)


@dataclass
class Shipping:
    """Every template, manifest and delivery, whichever facilities they join."""

    templates: dict[int, Template] = field(default_factory=dict)
    destinations: dict[int, Destination] = field(default_factory=dict)
    manifests: dict[int, Manifest] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
