"""Deciding whether a plant batch write with an unknown outcome was applied, from what Metrc shows.

Metrc's plant batch writes have no idempotency key either, so after a lost answer or a crash the
recovery reads Metrc back and decides (``read_back.py`` does the same for packages):

* planting, split: the batch with the (new) name exists -> applied, with its Metrc id; absent ->
  not applied;
* growth phase: the plants with the tags it consumed exist -> applied (their ids); none ->
  not applied; some -> conflict;
* count adjustment, destroy: the batch's untracked count is the count after -> applied; the count
  before -> not applied; anything else -> conflict (writes to one plant batch go one at a time,
  so Metrc holds one or the other unless someone changed the batch outside Canopy);
* move: the batch is at the sent location -> applied (a move is idempotent anyway);
* a tracked plant's growth phase: the plant is in it -> applied;
* a harvest's plant (or manicure), its waste: the harvest's wet (waste) weight is the weight after
  -> applied; before (or no harvest yet, for a plant) -> not applied; else conflict; finish and
  unfinish: the harvest is (not) finished.

Before ``sent_at + wait`` the answer is ``TOO_EARLY`` (a request given up on may still run).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestPlant,
    HarvestUnfinish,
    HarvestWasteRecord,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantGrowthPhase,
)
from compliance.domain.problems import ProblemCode, problem
from compliance.domain.read_back import Decision, Verdict, read_back_due_at
from compliance.domain.submissions import Submission

__all__ = [
    "MetrcHarvestView",
    "MetrcPlantBatchView",
    "PlantBatchReadBack",
    "decide_plant_batch",
    "read_back_name",
]


@dataclass(frozen=True, kw_only=True)
class MetrcPlantBatchView:
    id: int
    name: str
    untracked_count: int
    location: str | None


@dataclass(frozen=True, kw_only=True)
class MetrcHarvestView:
    id: int
    name: str
    wet_weight: Decimal
    waste_weight: Decimal
    finished: bool


@dataclass(frozen=True, kw_only=True)
class PlantBatchReadBack:
    """What Metrc showed: the batch named by ``read_back_name`` (None: Metrc has none); for a
    growth phase change, the Ids of the plants found with its tags; for a plant's own write, its
    growth phase (None: no such plant); for a harvest's, the harvest."""

    batch: MetrcPlantBatchView | None
    plants: Mapping[str, int] | None = None
    plant_phase: str | None = None
    harvest: MetrcHarvestView | None = None


def read_back_name(s: Submission) -> str:
    """The record whose state tells: the new batch for a split, the harvest for a harvest's
    write, the plant's tag for a plant's, else the batch written."""
    intent = s.intent
    if isinstance(intent, PlantBatchSplitOff):
        return intent.group_name
    if isinstance(intent, HarvestPlant | HarvestWasteRecord | HarvestFinish | HarvestUnfinish):
        return intent.harvest_name
    if isinstance(intent, PlantGrowthPhase):
        return intent.tag
    name = getattr(intent, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"{s.kind} is not a plant batch write")
    return name


def decide_plant_batch(
    s: Submission, seen: PlantBatchReadBack, *, now: datetime, wait: timedelta
) -> Decision:
    due = read_back_due_at(s, wait)
    if due is None or now < due:
        return Decision(Verdict.TOO_EARLY)
    intent, batch = s.intent, seen.batch
    if isinstance(intent, PlantGrowthPhase):
        if seen.plant_phase is None:
            return _conflict(f"Metrc has no plant {intent.tag}.")
        there = seen.plant_phase.casefold() == intent.growth_phase.casefold()
        return Decision(Verdict.APPLIED if there else Verdict.NOT_APPLIED)
    if isinstance(intent, HarvestPlant | HarvestWasteRecord | HarvestFinish | HarvestUnfinish):
        return _decide_harvest(s, seen.harvest)
    if isinstance(intent, PlantBatchPlanting | PlantBatchSplitOff):
        if batch is None:
            return Decision(Verdict.NOT_APPLIED)
        return Decision(Verdict.APPLIED, metrc_ids=(batch.id,))
    if isinstance(intent, PlantBatchGrowthPhase):
        found = seen.plants or {}
        if not found:
            return Decision(Verdict.NOT_APPLIED)
        if len(found) == len(intent.tags):
            return Decision(Verdict.APPLIED, metrc_ids=tuple(found[t] for t in intent.tags))
        return _conflict(
            f"Plant batch {intent.name}: Metrc has {len(found)} of the {len(intent.tags)} plant "
            "tags Canopy sent."
        )
    if batch is None:
        return _conflict(f"Metrc has no plant batch {read_back_name(s)}.")
    if isinstance(intent, PlantBatchCountChange | PlantBatchDestroy):
        if batch.untracked_count == intent.count_after:
            return Decision(Verdict.APPLIED)
        if batch.untracked_count == intent.count_before:
            return Decision(Verdict.NOT_APPLIED)
        return _conflict(
            f"Plant batch {intent.name} holds {batch.untracked_count} plants in Metrc; Canopy "
            f"expected {intent.count_before} before this change or {intent.count_after} after."
        )
    if isinstance(intent, PlantBatchMove):
        sent = (s.sent_as.location if s.sent_as else None) or ""
        there = (batch.location or "").casefold() == sent.casefold()
        return Decision(Verdict.APPLIED if there else Verdict.NOT_APPLIED)
    raise TypeError(f"{s.kind} is not a plant batch write")


def _decide_harvest(s: Submission, harvest: MetrcHarvestView | None) -> Decision:
    intent = s.intent
    if harvest is None:
        if isinstance(intent, HarvestPlant):
            return Decision(Verdict.NOT_APPLIED)  # the harvest's first plant makes it
        return _conflict(f"Metrc has no harvest {read_back_name(s)}.")
    if isinstance(intent, HarvestFinish):
        return Decision(Verdict.APPLIED if harvest.finished else Verdict.NOT_APPLIED)
    if isinstance(intent, HarvestUnfinish):
        return Decision(Verdict.NOT_APPLIED if harvest.finished else Verdict.APPLIED)
    if isinstance(intent, HarvestPlant):
        held, before, after = harvest.wet_weight, intent.wet_before, intent.wet_after
        what = "wet weight"
    else:
        assert isinstance(intent, HarvestWasteRecord)
        held, before, after = harvest.waste_weight, intent.waste_before, intent.waste_after
        what = "waste weight"
    if held == after:
        return Decision(Verdict.APPLIED, metrc_ids=(harvest.id,))
    if held == before:
        return Decision(Verdict.NOT_APPLIED)
    return _conflict(
        f"Harvest {harvest.name} has a {what} of {held} in Metrc; Canopy expected {before} before"
        f" this write or {after} after."
    )


def _conflict(message: str) -> Decision:
    return Decision(Verdict.CONFLICT, problem=problem(ProblemCode.PLANT_BATCH_CONFLICT, message))
