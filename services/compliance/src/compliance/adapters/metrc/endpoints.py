"""The Metrc v2 list endpoints Canopy reads, for ``MetrcClient.pages/stream/pull``.

Which endpoints are paged, time-aware (``lastModifiedStart/End``) or facility-scoped
(``licenseNumber``) follows Metrc's v2 documentation (METRC.md §1.3, §1.6, §1.7, §4).
"""

from __future__ import annotations

from typing import Literal

from compliance.adapters.metrc.paging import ListEndpoint
from compliance.adapters.metrc.schemas import (
    Facility,
    Harvest,
    Item,
    ItemCategory,
    Location,
    Package,
    PackageAdjustment,
    PackageAdjustReason,
    Plant,
    PlantBatch,
    Strain,
    Tag,
    Transfer,
    TransferDelivery,
    TransferDeliveryPackage,
    TransferTemplateDelivery,
    TransferType,
    UnitOfMeasure,
)

FACILITIES = ListEndpoint("/facilities/v2/", Facility, licensed=False, paged=False)
ACTIVE_LOCATIONS = ListEndpoint("/locations/v2/active", Location, time_aware=True)
ACTIVE_ITEMS = ListEndpoint("/items/v2/active", Item, time_aware=True)
ITEM_CATEGORIES = ListEndpoint("/items/v2/categories", ItemCategory)
ACTIVE_STRAINS = ListEndpoint("/strains/v2/active", Strain, time_aware=True)
ACTIVE_UNITS_OF_MEASURE = ListEndpoint(
    "/unitsofmeasure/v2/active", UnitOfMeasure, licensed=False, paged=False
)
AVAILABLE_PACKAGE_TAGS = ListEndpoint("/tags/v2/package/available", Tag, paged=False)
AVAILABLE_PLANT_TAGS = ListEndpoint("/tags/v2/plant/available", Tag, paged=False)

ACTIVE_PACKAGES = ListEndpoint("/packages/v2/active", Package, time_aware=True)
INACTIVE_PACKAGES = ListEndpoint("/packages/v2/inactive", Package, time_aware=True)
ONHOLD_PACKAGES = ListEndpoint("/packages/v2/onhold", Package, time_aware=True)
INTRANSIT_PACKAGES = ListEndpoint("/packages/v2/intransit", Package, time_aware=True)
PACKAGE_ADJUST_REASONS = ListEndpoint("/packages/v2/adjust/reasons", PackageAdjustReason)
PACKAGE_ADJUSTMENTS = ListEndpoint("/packages/v2/adjustments", PackageAdjustment)

ACTIVE_PLANT_BATCHES = ListEndpoint("/plantbatches/v2/active", PlantBatch, time_aware=True)
INACTIVE_PLANT_BATCHES = ListEndpoint("/plantbatches/v2/inactive", PlantBatch, time_aware=True)

VEGETATIVE_PLANTS = ListEndpoint("/plants/v2/vegetative", Plant, time_aware=True)
FLOWERING_PLANTS = ListEndpoint("/plants/v2/flowering", Plant, time_aware=True)
INACTIVE_PLANTS = ListEndpoint("/plants/v2/inactive", Plant, time_aware=True)

ACTIVE_HARVESTS = ListEndpoint("/harvests/v2/active", Harvest, time_aware=True)
INACTIVE_HARVESTS = ListEndpoint("/harvests/v2/inactive", Harvest, time_aware=True)

TRANSFER_TYPES = ListEndpoint("/transfers/v2/types", TransferType)
INCOMING_TRANSFERS = ListEndpoint("/transfers/v2/incoming", Transfer, time_aware=True)
OUTGOING_TRANSFERS = ListEndpoint("/transfers/v2/outgoing", Transfer, time_aware=True)
TRANSFER_DELIVERIES = ListEndpoint(
    "/transfers/v2/{id}/deliveries", TransferDelivery, licensed=False
)
TRANSFER_DELIVERY_PACKAGES = ListEndpoint(
    "/transfers/v2/deliveries/{id}/packages", TransferDeliveryPackage, licensed=False
)
OUTGOING_TRANSFER_TEMPLATES = ListEndpoint(
    "/transfers/v2/templates/outgoing", Transfer, time_aware=True
)
TRANSFER_TEMPLATE_DELIVERIES = ListEndpoint(
    "/transfers/v2/templates/outgoing/{id}/deliveries", TransferTemplateDelivery, licensed=False
)
TRANSFER_TEMPLATE_DELIVERY_PACKAGES = ListEndpoint(
    "/transfers/v2/templates/outgoing/deliveries/{id}/packages",
    TransferDeliveryPackage,
    licensed=False,
)

PackageStatus = Literal["active", "inactive", "onhold", "intransit"]
PlantBatchStatus = Literal["active", "inactive"]
PlantStatus = Literal["vegetative", "flowering", "inactive"]
HarvestStatus = Literal["active", "inactive"]
TransferDirection = Literal["incoming", "outgoing"]

PACKAGES_BY_STATUS: dict[str, ListEndpoint[Package]] = {
    "active": ACTIVE_PACKAGES,
    "inactive": INACTIVE_PACKAGES,
    "onhold": ONHOLD_PACKAGES,
    "intransit": INTRANSIT_PACKAGES,
}
PLANT_BATCHES_BY_STATUS: dict[str, ListEndpoint[PlantBatch]] = {
    "active": ACTIVE_PLANT_BATCHES,
    "inactive": INACTIVE_PLANT_BATCHES,
}
PLANTS_BY_STATUS: dict[str, ListEndpoint[Plant]] = {
    "vegetative": VEGETATIVE_PLANTS,
    "flowering": FLOWERING_PLANTS,
    "inactive": INACTIVE_PLANTS,
}
HARVESTS_BY_STATUS: dict[str, ListEndpoint[Harvest]] = {
    "active": ACTIVE_HARVESTS,
    "inactive": INACTIVE_HARVESTS,
}
TRANSFERS_BY_DIRECTION: dict[str, ListEndpoint[Transfer]] = {
    "incoming": INCOMING_TRANSFERS,
    "outgoing": OUTGOING_TRANSFERS,
}
