"""``MetrcPort``: the part of Metrc the compliance service depends on: every call Canopy makes.

``MetrcClient`` implements it over HTTP; ``FakeMetrc`` implements it in memory for unit tests
of the service layer; one test suite runs against both (README, "Metrc"). Both raise the
exceptions in ``errors.py``. The contract every caller must
follow for writes:

* ``MetrcRejectedError``: final, nothing applied; show the row messages.
* ``MetrcTransientError`` (after the client's own retries): nothing applied; try later.
* ``MetrcUnknownOutcomeError``: maybe applied. Read back (``find_package`` by tag,
  ``recent_packages``, ``package_adjustments_since``, ``find_plant_batch``) and decide; never
  resend blindly. Wait a little before reading back: a request the client gave up on may still
  be running at Metrc, and "not there yet" is not "not applied". Adjustments have no natural
  key, so put the intent id in ``ReasonNote`` to recognise them in the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, Protocol

from compliance.adapters.metrc.cultivation_port import CultivationPort
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

__all__ = ["MetrcPort"]


class MetrcPort(CultivationPort, Protocol):
    # lookups
    async def list_facilities(self) -> list[Facility]: ...

    async def list_locations(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Location]: ...

    async def list_items(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Item]: ...

    async def list_item_categories(self, license_number: str) -> list[ItemCategory]: ...

    async def list_strains(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Strain]: ...

    async def list_units_of_measure(self) -> list[UnitOfMeasure]: ...

    async def list_available_tags(
        self, license_number: str, kind: Literal["package", "plant"] = "package"
    ) -> list[Tag]: ...

    async def list_package_adjust_reasons(
        self, license_number: str
    ) -> list[PackageAdjustReason]: ...

    # packages
    async def list_packages(
        self,
        license_number: str,
        status: PackageStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Package]: ...

    async def get_package(self, license_number: str, id_or_label: int | str) -> Package: ...

    async def list_package_adjustments(
        self, license_number: str, *, on_progress: ProgressCallback | None = None
    ) -> list[PackageAdjustment]: ...

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult: ...

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult: ...

    async def change_package_locations(
        self, license_number: str, moves: Sequence[PackageLocationChange]
    ) -> WriteResult: ...

    async def finish_packages(
        self, license_number: str, finishes: Sequence[PackageFinish]
    ) -> WriteResult: ...

    async def unfinish_packages(
        self, license_number: str, unfinishes: Sequence[PackageUnfinish]
    ) -> WriteResult: ...

    async def discontinue_package(self, license_number: str, package_id: int) -> WriteResult: ...

    # plant batches
    async def list_plant_batches(
        self,
        license_number: str,
        status: PlantBatchStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[PlantBatch]: ...

    async def create_plant_batch_plantings(
        self, license_number: str, plantings: Sequence[PlantBatchPlanting]
    ) -> WriteResult: ...

    async def change_plant_batch_growth_phase(
        self, license_number: str, changes: Sequence[PlantBatchGrowthPhaseChange]
    ) -> WriteResult: ...

    async def destroy_plant_batches(
        self, license_number: str, destroys: Sequence[PlantBatchDestroy]
    ) -> WriteResult: ...

    # plants
    async def list_plants(
        self,
        license_number: str,
        status: PlantStatus = "vegetative",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Plant]: ...

    async def get_plant(self, license_number: str, id_or_label: int | str) -> Plant: ...

    async def change_plant_growth_phases(
        self, license_number: str, changes: Sequence[PlantGrowthPhaseChange]
    ) -> WriteResult: ...

    async def harvest_plants(
        self, license_number: str, harvests: Sequence[PlantHarvest]
    ) -> WriteResult: ...

    # harvests
    async def list_harvests(
        self,
        license_number: str,
        status: HarvestStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Harvest]: ...

    async def create_harvest_packages(
        self, license_number: str, packages: Sequence[HarvestPackageCreate]
    ) -> WriteResult: ...

    async def record_harvest_waste(
        self, license_number: str, wastes: Sequence[HarvestWaste]
    ) -> WriteResult: ...

    async def finish_harvests(
        self, license_number: str, finishes: Sequence[HarvestFinish]
    ) -> WriteResult: ...

    async def unfinish_harvests(
        self, license_number: str, unfinishes: Sequence[HarvestUnfinish]
    ) -> WriteResult: ...

    # transfers
    async def list_transfer_types(self, license_number: str) -> list[TransferType]: ...

    async def list_transfers(
        self,
        license_number: str,
        direction: TransferDirection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Transfer]: ...

    async def list_transfer_deliveries(self, transfer_id: int) -> list[TransferDelivery]: ...

    async def list_transfer_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]: ...

    async def list_outgoing_transfer_templates(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Transfer]: ...

    async def create_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateCreate]
    ) -> WriteResult: ...

    async def update_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateUpdate]
    ) -> WriteResult: ...

    async def delete_outgoing_transfer_template(
        self, license_number: str, template_id: int
    ) -> WriteResult: ...

    async def list_transfer_template_deliveries(
        self, template_id: int
    ) -> list[TransferTemplateDelivery]: ...

    async def list_transfer_template_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]: ...

    # read-back after an unknown outcome
    async def find_package(self, license_number: str, label: str) -> Package | None: ...

    async def recent_packages(
        self,
        license_number: str,
        *,
        within: timedelta = ...,
        statuses: Sequence[PackageStatus] = ...,
    ) -> list[Package]: ...

    async def package_adjustments_since(
        self, license_number: str, label: str, since: datetime
    ) -> list[PackageAdjustment]: ...

    async def find_plant_batch(
        self, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> PlantBatch | None: ...
