"""The cultivation calls of ``CultivationPort`` in the fake: a plant batch planted from a package,
split, adjusted and moved; plants moved, destroyed and manicured; the waste lists. Writes of any
size go out as the client sends them, ``max_write_objects`` at a time (``batched``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from compliance.adapters.metrc.cultivation_payloads import (
    PlantBatchAdjust,
    PlantBatchFromPackage,
    PlantBatchLocationChange,
    PlantBatchSplit,
    PlantDestroy,
    PlantLocationChange,
    PlantManicure,
)
from compliance.adapters.metrc.cultivation_read_back import CultivationReadBack
from compliance.adapters.metrc.errors import MetrcError
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.fake.transfer_reads import FakeTransferReads
from compliance.adapters.metrc.payloads import MetrcPayload
from compliance.adapters.metrc.schemas import PlantBatch, WriteResult
from compliance.adapters.metrc.transfer_schemas import WasteMethod, WasteReason

__all__ = ["FakeCultivation"]

_P = TypeVar("_P", bound=MetrcPayload)
_PLANTABLE = ("Immature Plants", "Seeds")


class FakeCultivation(FakeTransferReads, CultivationReadBack):
    def batched(
        self,
        operation: str,
        license_number: str,
        objects: Sequence[_P],
        row: Callable[[Rows, FakeFacility, _P], list[int]],
        *,
        method: str,
        path: str,
    ) -> WriteResult:
        """``write`` per ``max_write_objects`` objects; a failure says what earlier ones applied."""
        if not objects:
            raise ValueError("a Metrc write needs at least one object")
        ids: list[int] = []
        size = self.max_write_objects
        for start in range(0, len(objects), size):
            try:
                done = self.write(
                    operation,
                    license_number,
                    objects[start : start + size],
                    row,
                    method=method,
                    path=path,
                    grows=True,
                )
            except MetrcError as error:
                error.applied_before = start
                error.applied_ids = tuple(ids)
                raise
            ids += done.ids
        return WriteResult(ids=ids)

    def _stamp_batch(self, facility: FakeFacility, batch: PlantBatch, **changes: object) -> None:
        facility.plant_batches[batch.id] = batch.model_copy(
            update={**changes, "last_modified": self.now()}
        )

    # --- plant batches ---------------------------------------------------------------------------

    async def create_plant_batches_from_packages(
        self, license_number: str, plantings: Sequence[PlantBatchFromPackage]
    ) -> WriteResult:
        def plant(rows: Rows, facility: FakeFacility, posted: PlantBatchFromPackage) -> list[int]:
            package = self.package(rows, facility, posted.package_label)
            self.positive(rows, "PackageAdjustmentAmount", posted.package_adjustment_amount)
            unit = self.unit(rows, posted.package_adjustment_unit_of_measure_name)
            self._new_batch_name(rows, facility, posted.plant_batch_name)
            kind = catalog.one_of(catalog.PLANT_BATCH_TYPES, posted.plant_batch_type)
            if kind is None:
                rows.fail(
                    f"PlantBatchType {posted.plant_batch_type} is not valid. "
                    "Valid values are: Seed, Clone."
                )
            if posted.plant_count <= 0:
                rows.fail("PlantCount must be greater than 0.")
            location = self.location(rows, facility, posted.location_name, "plant batches")
            strain = self.existing(rows, facility.strains, "Strain", posted.strain_name)
            self.past_date(rows, facility, "PlantedDate", posted.planted_date)
            self.past_date(rows, facility, "UnpackagedDate", posted.unpackaged_date)
            taken = None
            if package is not None:
                item = package.item
                if item is None or item.product_category_name not in _PLANTABLE:
                    rows.fail(f"Package {package.label} does not contain seeds or immature plants.")
                held = catalog.named(catalog.UNITS, package.unit_of_measure_name)
                if unit is not None and held is not None:
                    if unit.quantity_type != held.quantity_type:
                        rows.fail(
                            f"Unit of Measure {unit.name} cannot be used for Package "
                            f"{package.label}."
                        )
                    else:
                        taken = catalog.convert(posted.package_adjustment_amount, unit, held)
                        if taken > package.quantity:
                            rows.fail(
                                f"Package {package.label} holds "
                                f"{catalog.number_text(package.quantity)} {held.name}; "
                                f"{catalog.number_text(taken)} {held.name} cannot be taken."
                            )
            if not rows.ok or package is None or taken is None or kind is None:
                return []
            assert location is not None
            assert strain is not None
            self._touch(facility, package, quantity=package.quantity - taken)
            return self._add_plant_batch(
                facility,
                name=posted.plant_batch_name,
                kind=kind,
                location=location,
                strain=strain,
                patient_license_number=posted.patient_license_number,
                count=posted.plant_count,
                planted_date=posted.planted_date,
                source_package_label=package.label,
            )

        return self.batched(
            "create_plant_batches_from_packages",
            license_number,
            plantings,
            plant,
            method="POST",
            path="/packages/v2/plantings",
        )

    async def split_plant_batches(
        self, license_number: str, splits: Sequence[PlantBatchSplit]
    ) -> WriteResult:
        def split(rows: Rows, facility: FakeFacility, posted: PlantBatchSplit) -> list[int]:
            source = self._batch(rows, facility, posted.plant_batch)
            self._new_batch_name(rows, facility, posted.group_name)
            location = self.location(rows, facility, posted.location, "plant batches")
            strain = self.existing(rows, facility.strains, "Strain", posted.strain)
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if posted.count <= 0:
                rows.fail("Count must be greater than 0.")
            elif source is not None and posted.count > source.untracked_count:
                rows.fail(
                    f"Plant Batch {source.name} has {source.untracked_count} untracked plants; "
                    f"{posted.count} cannot be split off."
                )
            if source is not None and strain is not None and strain.id != source.strain_id:
                rows.fail(f"Strain {strain.name} is not the strain of Plant Batch {source.name}.")
            if not rows.ok or source is None or location is None:
                return []
            self._stamp_batch(
                facility, source, untracked_count=source.untracked_count - posted.count
            )
            batch = source.model_copy(
                update={
                    "id": self.next_id("plant_batch"),
                    "name": posted.group_name,
                    "location_id": location.id,
                    "location_name": location.name,
                    "untracked_count": posted.count,
                    "tracked_count": 0,
                    "packaged_count": 0,
                    "destroyed_count": 0,
                    "source_package_label": None,
                    "patient_license_number": posted.patient_license_number,
                    "planted_date": posted.actual_date,
                    "last_modified": self.now(),
                }
            )
            facility.plant_batches[batch.id] = batch
            return [batch.id]

        return self.batched(
            "split_plant_batches",
            license_number,
            splits,
            split,
            method="POST",
            path="/plantbatches/v2/split",
        )

    async def adjust_plant_batches(
        self, license_number: str, adjustments: Sequence[PlantBatchAdjust]
    ) -> WriteResult:
        def adjust(rows: Rows, facility: FakeFacility, posted: PlantBatchAdjust) -> list[int]:
            batch = self._batch(rows, facility, posted.plant_batch_name)
            reason = catalog.one_of(tuple(catalog.ADJUST_REASONS), posted.adjustment_reason)
            if reason is None:
                valid = ", ".join(catalog.ADJUST_REASONS)
                rows.fail(
                    f"AdjustmentReason {posted.adjustment_reason} is not valid. "
                    f"Valid values are: {valid}."
                )
            elif catalog.ADJUST_REASONS[reason] and not posted.reason_note:
                rows.fail(f"A ReasonNote is required for the reason {reason}.")
            self.past_date(rows, facility, "AdjustmentDate", posted.adjustment_date)
            if posted.quantity == 0:
                rows.fail("Quantity cannot be 0.")
            if batch is not None and batch.untracked_count + posted.quantity < 0:
                rows.fail(
                    f"Plant Batch {batch.name} has {batch.untracked_count} untracked plants and "
                    f"cannot be adjusted by {posted.quantity}."
                )
            if not rows.ok or batch is None:
                return []
            self._stamp_batch(
                facility, batch, untracked_count=batch.untracked_count + posted.quantity
            )
            return [batch.id]

        return self.batched(
            "adjust_plant_batches",
            license_number,
            adjustments,
            adjust,
            method="POST",
            path="/plantbatches/v2/adjust",
        )

    async def change_plant_batch_locations(
        self, license_number: str, moves: Sequence[PlantBatchLocationChange]
    ) -> WriteResult:
        def move(rows: Rows, facility: FakeFacility, posted: PlantBatchLocationChange) -> list[int]:
            batch = self._batch(rows, facility, posted.name)
            location = self.location(rows, facility, posted.location, "plant batches")
            self.past_date(rows, facility, "MoveDate", posted.move_date)
            if not rows.ok or batch is None or location is None:
                return []
            self._stamp_batch(facility, batch, location_id=location.id, location_name=location.name)
            return []

        return self.batched(
            "change_plant_batch_locations",
            license_number,
            moves,
            move,
            method="PUT",
            path="/plantbatches/v2/location",
        )

    async def list_plant_batch_waste_reasons(self, license_number: str) -> list[WasteReason]:
        return await self.list_plant_waste_reasons(license_number)

    # --- plants ----------------------------------------------------------------------------------

    async def change_plant_locations(
        self, license_number: str, moves: Sequence[PlantLocationChange]
    ) -> WriteResult:
        def move(rows: Rows, facility: FakeFacility, posted: PlantLocationChange) -> list[int]:
            plant = self._tracked(rows, facility, posted.id, posted.label)
            location = self.location(rows, facility, posted.location, "plants")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if not rows.ok or plant is None or location is None:
                return []
            facility.plants[plant.id] = plant.model_copy(
                update={
                    "location_id": location.id,
                    "location_name": location.name,
                    "last_modified": self.now(),
                }
            )
            return []

        return self.batched(
            "change_plant_locations",
            license_number,
            moves,
            move,
            method="PUT",
            path="/plants/v2/location",
        )

    async def destroy_plants(
        self, license_number: str, destroys: Sequence[PlantDestroy]
    ) -> WriteResult:
        def destroy(rows: Rows, facility: FakeFacility, posted: PlantDestroy) -> list[int]:
            plant = self._tracked(rows, facility, posted.id, posted.label)
            for field, value, choices in (
                ("WasteMethodName", posted.waste_method_name, catalog.PLANT_WASTE_METHODS),
                ("WasteReasonName", posted.waste_reason_name, catalog.PLANT_WASTE_REASONS),
            ):
                if catalog.one_of(choices, value) is None:
                    rows.fail(
                        f"{field} {value} is not valid. Valid values are: {', '.join(choices)}."
                    )
            self.positive(rows, "WasteWeight", posted.waste_weight, allow_zero=True)
            self.weight_unit(rows, "WasteUnitOfMeasureName", posted.waste_unit_of_measure_name)
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if not rows.ok or plant is None:
                return []
            facility.plants[plant.id] = plant.model_copy(
                update={
                    "state": "Destroyed",
                    "destroyed_date": posted.actual_date,
                    "destroyed_note": posted.reason_note or posted.waste_reason_name,
                    "last_modified": self.now(),
                }
            )
            return [plant.id]

        return self.batched(
            "destroy_plants",
            license_number,
            destroys,
            destroy,
            method="DELETE",
            path="/plants/v2/",
        )

    async def manicure_plants(
        self, license_number: str, manicures: Sequence[PlantManicure]
    ) -> WriteResult:
        def manicure(rows: Rows, facility: FakeFacility, posted: PlantManicure) -> list[int]:
            plant = self._tracked(rows, facility, None, posted.plant)
            self.positive(rows, "Weight", posted.weight)
            unit = self.weight_unit(rows, "UnitOfWeight", posted.unit_of_weight)
            drying = self.location(rows, facility, posted.drying_location, "harvests")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            count = 1 if posted.plant_count is None else posted.plant_count
            if count <= 0:
                rows.fail("PlantCount must be greater than 0.")
            if plant is not None and plant.growth_phase != "Flowering":
                rows.fail(f"Plant {plant.label} is not in the Flowering phase.")
            if not rows.ok or plant is None or unit is None or drying is None:
                return []
            into = self.into_harvest(
                facility,
                plant,
                posted.weight,
                unit,
                drying,
                posted.harvest_name,
                posted.actual_date,
                plant_count=count,
            )
            facility.plants[plant.id] = plant.model_copy(
                update={"harvest_count": plant.harvest_count + 1, "last_modified": self.now()}
            )
            return [into.id]

        return self.batched(
            "manicure_plants",
            license_number,
            manicures,
            manicure,
            method="POST",
            path="/plants/v2/manicure",
        )

    async def list_plant_waste_reasons(self, license_number: str) -> list[WasteReason]:
        self.acting(license_number)
        return [
            WasteReason(name=name, requires_waste_weight=name == "Contamination")
            for name in catalog.PLANT_WASTE_REASONS
        ]

    async def list_plant_waste_methods(self) -> list[WasteMethod]:
        return [
            WasteMethod(name=name, for_plants=True, for_product_destruction=True)
            for name in catalog.PLANT_WASTE_METHODS
        ]
