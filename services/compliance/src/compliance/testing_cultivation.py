"""Test helpers for cultivation: a plant batch's and a harvest's changes recorded as the
cultivation consumer records inventory's events (``record_cultivation_changes``), on the
in-memory harness of ``testing``, and what ``FakeMetrc`` then holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from compliance.adapters.metrc import Harvest, PlantBatch
from compliance.domain import IngredientDraw, Submission
from compliance.domain.cultivation_intents import (
    CultivationChange,
    CultivationIntent,
    HarvestPlant,
    HarvestWasteRecord,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantGrowthPhase,
    PlantingSource,
)
from compliance.service_layer.record_cultivation import record_cultivation_changes
from compliance.testing import LICENSE, STRAIN, ComplianceHarness

__all__ = [
    "DAY",
    "Crop",
    "CultivationHarness",
    "Grow",
    "grown_and_flowering",
    "metrc_batch",
    "metrc_harvest",
    "no_metrc_batch",
    "record_change",
]

DAY = date(2026, 3, 1)


class CultivationHarness(ComplianceHarness):
    """The harness with 20 plant tags issued (``plant_tags``)."""

    def __init__(self, *, package_tags: int = 0) -> None:
        super().__init__(package_tags=package_tags)
        self.plant_tags = self.fake.issue_tags(LICENSE, "Plant", 20)


async def record_change(
    h: ComplianceHarness, aggregate_id: UUID, intent: CultivationIntent | IngredientDraw
) -> Submission | None:
    """``intent`` recorded as the cultivation consumer records an event's write."""
    change = CultivationChange(
        site_id=h.site_id,
        aggregate_id=aggregate_id,
        intent=intent,
        actor="grower",
        occurred_at=h.clock.now(),
        event_id=uuid4(),
    )
    async with h.db.uow() as uow:
        (recorded,) = await record_cultivation_changes(uow, [change], now=h.clock.now())
        await uow.commit()
    return recorded


class Grow:
    """A plant batch's changes as inventory's events would carry them."""

    def __init__(self, h: ComplianceHarness, name: str, count: int = 100) -> None:
        self.h = h
        self.id = uuid4()
        self.name = name
        self.count = count
        self.vault = next(k for k, v in h.location_map.items() if v == "Vault")

    async def record(self, intent: CultivationIntent, plant_batch_id: UUID | None = None) -> None:
        await record_change(self.h, plant_batch_id or self.id, intent)

    async def planted(
        self, *, strain: str = STRAIN, type: str = "Clone", source: PlantingSource | None = None
    ) -> None:
        await self.record(
            PlantBatchPlanting(
                name=self.name,
                plant_type=type,
                count=self.count,
                strain=strain,
                location_id=self.vault,
                date=DAY,
                source=source,
            )
        )

    async def adjusted(self, quantity: int) -> None:
        before, self.count = self.count, self.count + quantity
        await self.record(
            PlantBatchCountChange(
                name=self.name, quantity=quantity, reason="Waste", note="mold", date=DAY,
                count_before=before, count_after=self.count,
            )
        )  # fmt: skip

    async def into_growth(self, tags: list[str], phase: str = "Vegetative") -> None:
        before, self.count = self.count, self.count - len(tags)
        await self.record(
            PlantBatchGrowthPhase(
                name=self.name, count=len(tags), tags=tuple(tags), growth_phase=phase,
                location_id=self.vault, date=DAY, count_before=before, count_after=self.count,
            )
        )  # fmt: skip

    async def moved(self, to: str) -> None:
        await self.record(PlantBatchMove(name=self.name, location_id=to, date=DAY))

    async def destroyed(self, count: int) -> None:
        before, self.count = self.count, self.count - count
        await self.record(
            PlantBatchDestroy(
                name=self.name, count=count, waste_method="Grinder", waste_reason="Male plants",
                waste_weight=Decimal("120.5"), waste_unit="Grams", material_mixed="Soil",
                note=None, date=DAY, count_before=before, count_after=self.count,
            )
        )  # fmt: skip

    async def split(self, group: str, count: int) -> Grow:
        new = Grow(self.h, group, count)
        before, self.count = self.count, self.count - count
        await self.record(
            PlantBatchSplitOff(
                name=self.name, group_name=group, new_plant_batch_id=new.id, count=count,
                strain=STRAIN, location_id=self.vault, date=DAY, count_before=before,
                count_after=self.count,
            )
        )  # fmt: skip
        return new


class Crop:
    """A harvest's changes as inventory's events would carry them."""

    def __init__(self, h: ComplianceHarness, name: str, unit: str = "Grams") -> None:
        self.h, self.id, self.name, self.unit = h, uuid4(), name, unit
        self.dry = next(k for k, v in h.location_map.items() if v == "Back Room")
        self.wet = self.waste = Decimal(0)

    async def record(
        self, intent: CultivationIntent | IngredientDraw, aggregate: UUID | None = None
    ) -> None:
        await record_change(self.h, aggregate or self.id, intent)

    async def flowering(self, grow: Grow, tag: str) -> UUID:
        plant_id = uuid4()
        await self.record(
            PlantGrowthPhase(
                tag=tag, plant_batch_id=grow.id, growth_phase="Flowering",
                location_id=grow.vault, date=DAY,
            ),
            plant_id,
        )  # fmt: skip
        return plant_id

    async def harvested(
        self, plants: dict[str, tuple[UUID, str]], *, partial: bool = False
    ) -> None:
        for tag, (plant_id, weight) in plants.items():
            before, self.wet = self.wet, self.wet + Decimal(weight)
            await self.record(
                HarvestPlant(
                    harvest_name=self.name, plant_id=plant_id, tag=tag, weight=Decimal(weight),
                    unit=self.unit, drying_location_id=self.dry, date=DAY, partial=partial,
                    wet_before=before, wet_after=self.wet,
                )
            )  # fmt: skip

    async def wasted(self, weight: str) -> None:
        before, self.waste = self.waste, self.waste + Decimal(weight)
        await self.record(
            HarvestWasteRecord(
                harvest_name=self.name, waste_type="Plant Material", weight=Decimal(weight),
                unit=self.unit, date=DAY, waste_before=before, waste_after=self.waste,
            )
        )  # fmt: skip

    async def packaged(self, batch_id: UUID, weight: str) -> None:
        """The harvest's ``inventory.harvest.packaged`` for one package (batch ``batch_id``)."""
        await self.record(IngredientDraw(into_batch_id=batch_id, quantity=Decimal(weight)))


def metrc_batch(h: ComplianceHarness, name: str) -> PlantBatch:
    found = [b for b in h.fake.facilities[LICENSE].plant_batches.values() if b.name == name]
    assert len(found) == 1, f"{len(found)} Metrc plant batches named {name}"
    return found[0]


def no_metrc_batch(h: ComplianceHarness, name: str) -> bool:
    return not any(b.name == name for b in h.fake.facilities[LICENSE].plant_batches.values())


def metrc_harvest(h: ComplianceHarness, name: str) -> Harvest:
    (found,) = [x for x in h.fake.facilities[LICENSE].harvests.values() if x.name == name]
    return found


async def grown_and_flowering(h: CultivationHarness, crop: Crop, n: int) -> dict[str, UUID]:
    """A plant batch planted, ``n`` of its plants tagged and flowering: their ids by tag."""
    grow = Grow(h, f"BD-{crop.name}", 20)
    await grow.planted()
    tags = h.plant_tags[:n]
    del h.plant_tags[:n]
    await grow.into_growth(tags)
    return {tag: await crop.flowering(grow, tag) for tag in tags}
