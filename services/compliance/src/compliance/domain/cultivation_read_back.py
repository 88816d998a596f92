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
* move: the batch is at the sent location -> applied (a move is idempotent anyway).

Before ``sent_at + wait`` the answer is ``TOO_EARLY`` (a request given up on may still run).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from compliance.domain.cultivation_intents import (
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
)
from compliance.domain.problems import ProblemCode, problem
from compliance.domain.read_back import Decision, Verdict, read_back_due_at
from compliance.domain.submissions import Submission

__all__ = ["MetrcPlantBatchView", "PlantBatchReadBack", "decide_plant_batch", "read_back_name"]


@dataclass(frozen=True, kw_only=True)
class MetrcPlantBatchView:
    id: int
    name: str
    untracked_count: int
    location: str | None


@dataclass(frozen=True, kw_only=True)
class PlantBatchReadBack:
    """What Metrc showed: the batch named by ``read_back_name`` (None: Metrc has none) and, for
    a growth phase change, the Ids of the plants found with its tags."""

    batch: MetrcPlantBatchView | None
    plants: Mapping[str, int] | None = None


def read_back_name(s: Submission) -> str:
    """The plant batch whose state tells: the new batch for a split, else the batch written."""
    intent = s.intent
    if isinstance(intent, PlantBatchSplitOff):
        return intent.group_name
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


def _conflict(message: str) -> Decision:
    return Decision(Verdict.CONFLICT, problem=problem(ProblemCode.PLANT_BATCH_CONFLICT, message))
