"""``CultivationCalls``: the cultivation and transfer calls of issue 13 that ``MetrcClient`` adds to
the port's (plant batches planted from a package, split, adjusted, moved; plants moved, destroyed,
manicured; the waste lists; a delivery's prices and transporters; rejected manifests; the printable
manifest).

Writes take any number of objects and send them in requests of at most ``max_write_objects`` (10,
Metrc's limit), one after another, in order (``batched``). Metrc applies each request all or
nothing, not the whole call: when request *k* fails, the error carries ``applied_before`` (how many
leading objects earlier requests applied) and their ``applied_ids``, so a caller resumes from there
instead of resending what was applied. Like every write here they are not retried by the client
after a lost response (``MetrcUnknownOutcomeError``): read back first (``CultivationReadBack``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from compliance.adapters.metrc._core import MetrcClientBase
from compliance.adapters.metrc.cultivation_payloads import (
    PlantBatchAdjust,
    PlantBatchFromPackage,
    PlantBatchLocationChange,
    PlantBatchSplit,
    PlantDestroy,
    PlantLocationChange,
    PlantManicure,
)
from compliance.adapters.metrc.errors import MetrcError
from compliance.adapters.metrc.paging import ListEndpoint
from compliance.adapters.metrc.payloads import MetrcPayload
from compliance.adapters.metrc.schemas import Transfer, WriteResult
from compliance.adapters.metrc.transfer_schemas import (
    DeliveryTransporter,
    DeliveryTransporterDetail,
    DeliveryWholesalePrice,
    ManifestPdf,
    TransferredPackage,
    WasteMethod,
    WasteReason,
)

__all__ = ["CultivationCalls"]

_METRC_OBJECT_LIMIT = 10

REJECTED_TRANSFERS = ListEndpoint("/transfers/v2/rejected", Transfer)
TRANSFERRED_PACKAGES = ListEndpoint("/packages/v2/transferred", TransferredPackage, time_aware=True)
DELIVERY_WHOLESALE = ListEndpoint(
    "/transfers/v2/deliveries/{id}/packages/wholesale", DeliveryWholesalePrice, licensed=False
)
DELIVERY_TRANSPORTERS = ListEndpoint(
    "/transfers/v2/deliveries/{id}/transporters", DeliveryTransporter, licensed=False
)
DELIVERY_TRANSPORTER_DETAILS = ListEndpoint(
    "/transfers/v2/deliveries/{id}/transporters/details",
    DeliveryTransporterDetail,
    licensed=False,
)
PLANT_WASTE_REASONS = ListEndpoint("/plants/v2/waste/reasons", WasteReason)
PLANT_BATCH_WASTE_REASONS = ListEndpoint("/plantbatches/v2/waste/reasons", WasteReason)
PLANT_WASTE_METHODS = ListEndpoint("/plants/v2/waste/methods/all", WasteMethod, licensed=False)


class CultivationCalls(MetrcClientBase):
    async def batched(
        self, method: str, path: str, license_number: str, objects: Sequence[MetrcPayload]
    ) -> WriteResult:
        """``objects`` in requests of at most ``max_write_objects``, in order; the Ids of all."""
        if not objects:
            raise ValueError("a Metrc write needs at least one object")
        size = self.max_write_objects or _METRC_OBJECT_LIMIT
        ids: list[int] = []
        warnings: list[str] = []
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            try:
                result = await self._write(method, path, license_number, chunk)
            except MetrcError as error:
                error.applied_before = start
                error.applied_ids = tuple(ids)
                raise
            ids.extend(result.ids)
            if result.warnings:
                warnings.append(result.warnings)
        return WriteResult(ids=ids, warnings="; ".join(warnings) or None)

    # --- plant batches ----------------------------------------------------------------------------

    async def create_plant_batches_from_packages(
        self, license_number: str, plantings: Sequence[PlantBatchFromPackage]
    ) -> WriteResult:
        """``POST /packages/v2/plantings``; Ids of the new plant batches."""
        return await self.batched("POST", "/packages/v2/plantings", license_number, plantings)

    async def split_plant_batches(
        self, license_number: str, splits: Sequence[PlantBatchSplit]
    ) -> WriteResult:
        """``POST /plantbatches/v2/split``; Ids of the new batches. A replay is refused (the
        group name exists), so ``find_plant_batch(group_name)`` tells whether it was applied."""
        return await self.batched("POST", "/plantbatches/v2/split", license_number, splits)

    async def adjust_plant_batches(
        self, license_number: str, adjustments: Sequence[PlantBatchAdjust]
    ) -> WriteResult:
        """``POST /plantbatches/v2/adjust`` with signed counts. Not idempotent, no natural key:
        never resend after an unknown outcome without reading the batch's count back."""
        return await self.batched("POST", "/plantbatches/v2/adjust", license_number, adjustments)

    async def change_plant_batch_locations(
        self, license_number: str, moves: Sequence[PlantBatchLocationChange]
    ) -> WriteResult:
        """``PUT /plantbatches/v2/location`` (idempotent; empty answer)."""
        return await self.batched("PUT", "/plantbatches/v2/location", license_number, moves)

    async def list_plant_batch_waste_reasons(self, license_number: str) -> list[WasteReason]:
        return await self.pull(PLANT_BATCH_WASTE_REASONS, license_number)

    # --- plants -----------------------------------------------------------------------------------

    async def change_plant_locations(
        self, license_number: str, moves: Sequence[PlantLocationChange]
    ) -> WriteResult:
        """``PUT /plants/v2/location`` (idempotent; empty answer)."""
        return await self.batched("PUT", "/plants/v2/location", license_number, moves)

    async def destroy_plants(
        self, license_number: str, destroys: Sequence[PlantDestroy]
    ) -> WriteResult:
        """``DELETE /plants/v2/`` with a JSON body; a replay is refused (already destroyed)."""
        return await self.batched("DELETE", "/plants/v2/", license_number, destroys)

    async def manicure_plants(
        self, license_number: str, manicures: Sequence[PlantManicure]
    ) -> WriteResult:
        """``POST /plants/v2/manicure`` (partial harvest); Ids of the harvests. Not idempotent:
        read the harvest's weight back (``find_harvest``) before resending."""
        return await self.batched("POST", "/plants/v2/manicure", license_number, manicures)

    async def list_plant_waste_reasons(self, license_number: str) -> list[WasteReason]:
        return await self.pull(PLANT_WASTE_REASONS, license_number)

    async def list_plant_waste_methods(self) -> list[WasteMethod]:
        return await self.pull(PLANT_WASTE_METHODS)

    # --- transfers --------------------------------------------------------------------------------

    async def list_rejected_transfers(self, license_number: str) -> list[Transfer]:
        """Manifests this facility shipped whose recipient rejected packages (one row per
        delivery)."""
        return await self.pull(REJECTED_TRANSFERS, license_number)

    async def list_transferred_packages(
        self,
        license_number: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TransferredPackage]:
        """Packages this facility shipped that left it (in transit or accepted)."""
        return await self.pull(TRANSFERRED_PACKAGES, license_number, since=since, until=until)

    async def list_delivery_wholesale_prices(
        self, delivery_id: int
    ) -> list[DeliveryWholesalePrice]:
        return await self.pull(DELIVERY_WHOLESALE, path_params={"id": delivery_id})

    async def list_delivery_transporters(self, delivery_id: int) -> list[DeliveryTransporter]:
        return await self.pull(DELIVERY_TRANSPORTERS, path_params={"id": delivery_id})

    async def list_delivery_transporter_details(
        self, delivery_id: int
    ) -> list[DeliveryTransporterDetail]:
        return await self.pull(DELIVERY_TRANSPORTER_DETAILS, path_params={"id": delivery_id})

    async def get_manifest_html(self, license_number: str, transfer_id: int) -> str:
        """The manifest as Metrc prints it (for the driver and an inspector)."""
        html: str = await self._call(
            "GET",
            "/transfers/v2/manifest/{id}/html",
            license_number=license_number,
            path_params={"id": transfer_id},
            text=True,
        )
        return html

    async def get_manifest_pdf(self, license_number: str, transfer_id: int) -> ManifestPdf:
        return await self._get_one(
            ManifestPdf,
            "/transfers/v2/manifest/{id}/pdf",
            license_number=license_number,
            path_params={"id": transfer_id},
        )
