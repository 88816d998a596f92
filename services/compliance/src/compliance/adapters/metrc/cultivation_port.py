"""``CultivationPort``: the cultivation and transfer calls ``MetrcPort`` gained for issue 13
(``MetrcPort`` extends it). ``MetrcClient`` implements it over HTTP (``CultivationCalls``,
``CultivationReadBack``), ``FakeMetrc`` in memory. Writes take any number of objects and go out
in requests of at most 10; a failed request's error carries ``applied_before`` and
``applied_ids`` (``errors.MetrcError``). After a ``MetrcUnknownOutcomeError`` read back with the
``find_*`` calls before sending again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from compliance.adapters.metrc.cultivation_payloads import (
    PlantBatchAdjust,
    PlantBatchFromPackage,
    PlantBatchLocationChange,
    PlantBatchSplit,
    PlantDestroy,
    PlantLocationChange,
    PlantManicure,
)
from compliance.adapters.metrc.schemas import Harvest, Plant, Transfer, WriteResult
from compliance.adapters.metrc.transfer_schemas import (
    DeliveryTransporter,
    DeliveryTransporterDetail,
    DeliveryWholesalePrice,
    ManifestPdf,
    TransferredPackage,
    WasteMethod,
    WasteReason,
)

__all__ = ["CultivationPort"]


class CultivationPort(Protocol):
    # plant batches
    async def create_plant_batches_from_packages(
        self, license_number: str, plantings: Sequence[PlantBatchFromPackage]
    ) -> WriteResult: ...

    async def split_plant_batches(
        self, license_number: str, splits: Sequence[PlantBatchSplit]
    ) -> WriteResult: ...

    async def adjust_plant_batches(
        self, license_number: str, adjustments: Sequence[PlantBatchAdjust]
    ) -> WriteResult: ...

    async def change_plant_batch_locations(
        self, license_number: str, moves: Sequence[PlantBatchLocationChange]
    ) -> WriteResult: ...

    async def list_plant_batch_waste_reasons(self, license_number: str) -> list[WasteReason]: ...

    # plants
    async def change_plant_locations(
        self, license_number: str, moves: Sequence[PlantLocationChange]
    ) -> WriteResult: ...

    async def destroy_plants(
        self, license_number: str, destroys: Sequence[PlantDestroy]
    ) -> WriteResult: ...

    async def manicure_plants(
        self, license_number: str, manicures: Sequence[PlantManicure]
    ) -> WriteResult: ...

    async def list_plant_waste_reasons(self, license_number: str) -> list[WasteReason]: ...

    async def list_plant_waste_methods(self) -> list[WasteMethod]: ...

    # transfers
    async def list_rejected_transfers(self, license_number: str) -> list[Transfer]: ...

    async def list_transferred_packages(
        self,
        license_number: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TransferredPackage]: ...

    async def list_delivery_wholesale_prices(
        self, delivery_id: int
    ) -> list[DeliveryWholesalePrice]: ...

    async def list_delivery_transporters(self, delivery_id: int) -> list[DeliveryTransporter]: ...

    async def list_delivery_transporter_details(
        self, delivery_id: int
    ) -> list[DeliveryTransporterDetail]: ...

    async def get_manifest_html(self, license_number: str, transfer_id: int) -> str: ...

    async def get_manifest_pdf(self, license_number: str, transfer_id: int) -> ManifestPdf: ...

    # read-back
    async def find_plants(
        self,
        license_number: str,
        labels: Collection[str],
        *,
        modified_since: datetime | None = None,
    ) -> dict[str, Plant]: ...

    async def find_harvest(
        self, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> Harvest | None: ...

    async def find_transfer_templates(
        self, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> list[Transfer]: ...

    async def find_outgoing_transfer(
        self,
        license_number: str,
        manifest_number: str,
        *,
        modified_since: datetime | None = None,
    ) -> list[Transfer]: ...
