"""Metrc write bodies as the tests of the contract world send them: the values that do not
matter to a test (the world's flower and Blue Dream strain, grams, the Vault, the Grow Room, one
driver and van) set once, and any field a test cares about changed by keyword (``**changes``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from compliance.adapters.metrc.payloads import (
    PackageAdjust,
    PackageCreate,
    PlantBatchPlanting,
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
    TransferTransporter,
)
from compliance.adapters.metrc.testing.world import GROWER

__all__ = [
    "DEPARTURE",
    "DRIVER",
    "FLOWER",
    "opening_package",
    "package_adjustment",
    "planting",
    "transfer_destination",
    "transfer_template",
]

FLOWER = "Blue Dream Flower"
"""The contract world's flower item, counted in grams."""
DRIVER = {
    "driver_name": "Sam",
    "driver_occupational_license_number": "D-1",
    "driver_license_number": "DL-1",
    "vehicle_make": "Ford",
    "vehicle_model": "Transit",
    "vehicle_license_plate_number": "CANOPY1",
}
"""Who drives a transfer, and in what."""
DEPARTURE = datetime(2030, 1, 2, 15, 0, tzinfo=UTC)
"""When a transfer leaves; it arrives two hours later."""


def opening_package(tag: str, day: date, quantity: str = "10", **changes: object) -> PackageCreate:
    """An opening-balance package (no source packages) of ``quantity`` grams of flower in the
    Vault."""
    package = PackageCreate(
        tag=tag,
        item=FLOWER,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        actual_date=day,
        location="Vault",
    )
    return package.model_copy(update=changes)


def package_adjustment(
    label: str = "1A4FF0100000022000000001", quantity: str = "-1", **changes: object
) -> PackageAdjust:
    """``quantity`` grams of a package adjusted for drying, on a day in February 2026."""
    adjustment = PackageAdjust(
        label=label,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=date(2026, 2, 8),
    )
    return adjustment.model_copy(update=changes)


def planting(name: str, day: date, count: int = 10, **changes: object) -> PlantBatchPlanting:
    """``count`` Blue Dream clones planted in the Grow Room."""
    batch = PlantBatchPlanting(
        name=name,
        type="Clone",
        count=count,
        strain="Blue Dream",
        location="Grow Room",
        actual_date=day,
    )
    return batch.model_copy(update=changes)


def transfer_destination(
    recipient: str, *labels: str, price: str = "100.00", **changes: object
) -> TransferDestination:
    """The packages ``labels`` to ``recipient`` (each at ``price``), driven by the grower's
    ``DRIVER`` at ``DEPARTURE``."""
    planned = TransferDestination(
        recipient_license_number=recipient,
        transfer_type_name="Transfer",
        planned_route="I-25 north",
        estimated_departure_date_time=DEPARTURE,
        estimated_arrival_date_time=DEPARTURE + timedelta(hours=2),
        transporters=[TransferTransporter(transporter_facility_license_number=GROWER, **DRIVER)],
        packages=[
            TransferTemplatePackage(package_label=label, wholesale_price=Decimal(price))
            for label in labels
        ],
    )
    return planned.model_copy(update=changes)


def transfer_template(name: str, *destinations: TransferDestination) -> TransferTemplateCreate:
    """A template of the grower's, carried by itself with its ``DRIVER``."""
    return TransferTemplateCreate(
        name=name,
        destinations=list(destinations),
        transporter_facility_license_number=GROWER,
        **DRIVER,
    )
