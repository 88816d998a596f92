"""``MetrcClient``: one typed method per Metrc v2 call Canopy makes.

Reads page through everything (see ``MetrcClientBase.stream``) and return complete lists; writes
take a sequence of payload models (Metrc's bodies are arrays, at most 10 objects) and return the
``WriteResult``. Errors are the tree in ``errors.py``.

The cultivation and transfer calls that the port does not have come from ``CultivationCalls``
(they take any number of objects and send them 10 at a time).

The read-back helpers come from ``ReadBack`` (``find_package``, ``recent_packages``,
``package_adjustments_since``, ``find_plant_batch``) and ``CultivationReadBack`` (``find_plants``,
``find_harvest``, ``find_transfer_templates``, ``find_outgoing_transfer``): what the compliance
service uses after a ``MetrcUnknownOutcomeError`` to learn whether its write was applied, instead
of resending it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from compliance.adapters.metrc import endpoints as ep
from compliance.adapters.metrc.cultivation_calls import CultivationCalls
from compliance.adapters.metrc.cultivation_read_back import CultivationReadBack
from compliance.adapters.metrc.endpoints import (
    HarvestStatus,
    PackageStatus,
    PlantBatchStatus,
    PlantStatus,
    TransferDirection,
)
from compliance.adapters.metrc.paging import ProgressCallback
from compliance.adapters.metrc.payloads import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestUnfinish,
    HarvestWaste,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageLocationChange,
    PackageUnfinish,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
    TransferTemplateCreate,
    TransferTemplateUpdate,
)
from compliance.adapters.metrc.read_back import ReadBack
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
    WriteResult,
)

__all__ = ["MetrcClient"]


class MetrcClient(CultivationCalls, ReadBack, CultivationReadBack):
    """The Metrc v2 client. Build one per (vendor key, user key) and share its ``limiter`` with
    every other client on the same vendor key. Use as ``async with MetrcClient(...) as metrc:``.

    Example::

        metrc = MetrcClient(
            base_url=metrc_base_url("co"),
            credentials=MetrcCredentials(vendor_key=..., user_key=...),
        )
        packages = await metrc.list_packages("403-X0001", "active", on_progress=print)
    """

    # --- facilities and lookups ---------------------------------------------------------------

    async def list_facilities(self) -> list[Facility]:
        """Facilities the user key can act for; also the cheapest check that the keys work."""
        return await self.pull(ep.FACILITIES)

    async def list_locations(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Location]:
        return await self.pull(ep.ACTIVE_LOCATIONS, license_number, since=since, until=until)

    async def list_items(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Item]:
        return await self.pull(ep.ACTIVE_ITEMS, license_number, since=since, until=until)

    async def list_item_categories(self, license_number: str) -> list[ItemCategory]:
        return await self.pull(ep.ITEM_CATEGORIES, license_number)

    async def list_strains(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Strain]:
        return await self.pull(ep.ACTIVE_STRAINS, license_number, since=since, until=until)

    async def list_units_of_measure(self) -> list[UnitOfMeasure]:
        return await self.pull(ep.ACTIVE_UNITS_OF_MEASURE)

    async def list_available_tags(
        self, license_number: str, kind: Literal["package", "plant"] = "package"
    ) -> list[Tag]:
        endpoint = ep.AVAILABLE_PACKAGE_TAGS if kind == "package" else ep.AVAILABLE_PLANT_TAGS
        return await self.pull(endpoint, license_number)

    # --- packages -----------------------------------------------------------------------------

    async def list_packages(
        self,
        license_number: str,
        status: PackageStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Package]:
        """All packages in one status. With ``since``/``until`` only those last modified in that
        range, read in windows of at most 24 hours, oldest first."""
        return await self.pull(
            ep.PACKAGES_BY_STATUS[status],
            license_number,
            since=since,
            until=until,
            on_progress=on_progress,
        )

    async def get_package(self, license_number: str, id_or_label: int | str) -> Package:
        """One package by Metrc Id or by label; ``MetrcNotFoundError`` if there is none."""
        return await self._get_one(
            Package,
            "/packages/v2/{key}",
            license_number=license_number,
            path_params={"key": id_or_label},
        )

    async def list_package_adjust_reasons(self, license_number: str) -> list[PackageAdjustReason]:
        return await self.pull(ep.PACKAGE_ADJUST_REASONS, license_number)

    async def list_package_adjustments(
        self, license_number: str, *, on_progress: ProgressCallback | None = None
    ) -> list[PackageAdjustment]:
        """The facility's whole adjustment history (Metrc offers no time filter on it)."""
        return await self.pull(ep.PACKAGE_ADJUSTMENTS, license_number, on_progress=on_progress)

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult:
        """``POST /packages/v2/``: from source packages (``ingredients``) or, without them, as
        opening balances. Not idempotent; each consumes its tag."""
        return await self._write("POST", "/packages/v2/", license_number, packages)

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        """``POST /packages/v2/adjust`` with signed deltas. Not idempotent."""
        return await self._write("POST", "/packages/v2/adjust", license_number, adjustments)

    async def change_package_locations(
        self, license_number: str, moves: Sequence[PackageLocationChange]
    ) -> WriteResult:
        return await self._write("PUT", "/packages/v2/location", license_number, moves)

    async def finish_packages(
        self, license_number: str, finishes: Sequence[PackageFinish]
    ) -> WriteResult:
        return await self._write("PUT", "/packages/v2/finish", license_number, finishes)

    async def unfinish_packages(
        self, license_number: str, unfinishes: Sequence[PackageUnfinish]
    ) -> WriteResult:
        return await self._write("PUT", "/packages/v2/unfinish", license_number, unfinishes)

    async def discontinue_package(self, license_number: str, package_id: int) -> WriteResult:
        return await self._delete("/packages/v2/{id}", license_number, {"id": package_id})

    # --- plant batches and plants ---------------------------------------------------------------

    async def list_plant_batches(
        self,
        license_number: str,
        status: PlantBatchStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[PlantBatch]:
        return await self.pull(
            ep.PLANT_BATCHES_BY_STATUS[status], license_number, since=since, until=until
        )

    async def create_plant_batch_plantings(
        self, license_number: str, plantings: Sequence[PlantBatchPlanting]
    ) -> WriteResult:
        return await self._write("POST", "/plantbatches/v2/plantings", license_number, plantings)

    async def change_plant_batch_growth_phase(
        self, license_number: str, changes: Sequence[PlantBatchGrowthPhaseChange]
    ) -> WriteResult:
        return await self._write("POST", "/plantbatches/v2/growthphase", license_number, changes)

    async def destroy_plant_batches(
        self, license_number: str, destroys: Sequence[PlantBatchDestroy]
    ) -> WriteResult:
        """``DELETE /plantbatches/v2/`` with a JSON body (one of Metrc's DELETEs that has one)."""
        return await self._write("DELETE", "/plantbatches/v2/", license_number, destroys)

    async def list_plants(
        self,
        license_number: str,
        status: PlantStatus = "vegetative",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Plant]:
        return await self.pull(
            ep.PLANTS_BY_STATUS[status], license_number, since=since, until=until
        )

    async def get_plant(self, license_number: str, id_or_label: int | str) -> Plant:
        return await self._get_one(
            Plant,
            "/plants/v2/{key}",
            license_number=license_number,
            path_params={"key": id_or_label},
        )

    async def change_plant_growth_phases(
        self, license_number: str, changes: Sequence[PlantGrowthPhaseChange]
    ) -> WriteResult:
        return await self._write("PUT", "/plants/v2/growthphase", license_number, changes)

    async def harvest_plants(
        self, license_number: str, harvests: Sequence[PlantHarvest]
    ) -> WriteResult:
        return await self._write("PUT", "/plants/v2/harvest", license_number, harvests)

    # --- harvests -------------------------------------------------------------------------------

    async def list_harvests(
        self,
        license_number: str,
        status: HarvestStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Harvest]:
        return await self.pull(
            ep.HARVESTS_BY_STATUS[status], license_number, since=since, until=until
        )

    async def create_harvest_packages(
        self, license_number: str, packages: Sequence[HarvestPackageCreate]
    ) -> WriteResult:
        return await self._write("POST", "/harvests/v2/packages", license_number, packages)

    async def record_harvest_waste(
        self, license_number: str, wastes: Sequence[HarvestWaste]
    ) -> WriteResult:
        return await self._write("POST", "/harvests/v2/waste", license_number, wastes)

    async def finish_harvests(
        self, license_number: str, finishes: Sequence[HarvestFinish]
    ) -> WriteResult:
        return await self._write("PUT", "/harvests/v2/finish", license_number, finishes)

    async def unfinish_harvests(
        self, license_number: str, unfinishes: Sequence[HarvestUnfinish]
    ) -> WriteResult:
        return await self._write("PUT", "/harvests/v2/unfinish", license_number, unfinishes)

    # --- transfers --------------------------------------------------------------------------------

    async def list_transfer_types(self, license_number: str) -> list[TransferType]:
        return await self.pull(ep.TRANSFER_TYPES, license_number)

    async def list_transfers(
        self,
        license_number: str,
        direction: TransferDirection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Transfer]:
        """Incoming or outgoing manifests (one row per delivery)."""
        return await self.pull(
            ep.TRANSFERS_BY_DIRECTION[direction], license_number, since=since, until=until
        )

    async def list_transfer_deliveries(self, transfer_id: int) -> list[TransferDelivery]:
        return await self.pull(ep.TRANSFER_DELIVERIES, path_params={"id": transfer_id})

    async def list_transfer_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]:
        return await self.pull(ep.TRANSFER_DELIVERY_PACKAGES, path_params={"id": delivery_id})

    async def list_outgoing_transfer_templates(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Transfer]:
        return await self.pull(
            ep.OUTGOING_TRANSFER_TEMPLATES, license_number, since=since, until=until
        )

    async def create_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateCreate]
    ) -> WriteResult:
        """The only way to start a licensed transfer through the API: a template that a user
        then registers in the Metrc UI."""
        return await self._write(
            "POST", "/transfers/v2/templates/outgoing", license_number, templates
        )

    async def update_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateUpdate]
    ) -> WriteResult:
        return await self._write(
            "PUT", "/transfers/v2/templates/outgoing", license_number, templates
        )

    async def delete_outgoing_transfer_template(
        self, license_number: str, template_id: int
    ) -> WriteResult:
        return await self._delete(
            "/transfers/v2/templates/outgoing/{id}", license_number, {"id": template_id}
        )

    async def list_transfer_template_deliveries(
        self, template_id: int
    ) -> list[TransferTemplateDelivery]:
        return await self.pull(ep.TRANSFER_TEMPLATE_DELIVERIES, path_params={"id": template_id})

    async def list_transfer_template_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]:
        return await self.pull(
            ep.TRANSFER_TEMPLATE_DELIVERY_PACKAGES, path_params={"id": delivery_id}
        )
