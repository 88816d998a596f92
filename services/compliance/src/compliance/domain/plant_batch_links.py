"""A plant batch's mirror in Metrc, read from its writes in the ledger (no table of its own):
its Metrc id is the Id Metrc gave its create (the planting, or the split that made it), which
the send or the read-back stored on that submission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from compliance.domain.cultivation_intents import PlantBatchSplitOff
from compliance.domain.submissions import CREATES_PLANT_BATCH, Submission, SubmissionState

__all__ = ["PlantBatchMetrc", "PlantBatchMetrcState", "plant_batch_metrc"]


class PlantBatchMetrcState(StrEnum):
    PENDING = "PENDING"
    IN_METRC = "IN_METRC"
    STOPPED = "STOPPED"


@dataclass(frozen=True, kw_only=True)
class PlantBatchMetrc:
    plant_batch_id: UUID
    site_id: UUID
    license_number: str
    name: str | None
    state: PlantBatchMetrcState
    metrc_id: int | None
    submissions: tuple[Submission, ...]
    """The create (for a split-off batch, the split on its parent) and the batch's own writes,
    in ledger order."""


def plant_batch_metrc(plant_batch_id: UUID, subs: Iterable[Submission]) -> PlantBatchMetrc | None:
    """None when the ledger holds nothing of the plant batch."""
    ordered = sorted(subs, key=lambda s: s.sequence)
    if not ordered:
        return None
    create = next((s for s in ordered if _creates(s, plant_batch_id)), None)
    state = PlantBatchMetrcState.PENDING
    metrc_id: int | None = None
    name: str | None = None
    if create is not None:
        intent = create.intent
        name = (
            intent.group_name
            if isinstance(intent, PlantBatchSplitOff)
            else getattr(intent, "name", None)
        )
        if create.state is SubmissionState.ACCEPTED:
            state = PlantBatchMetrcState.IN_METRC
            metrc_id = create.metrc_ids[0] if create.metrc_ids else None
        elif create.state in (SubmissionState.REJECTED, SubmissionState.FAILED):
            state = PlantBatchMetrcState.STOPPED
    first = ordered[0]
    return PlantBatchMetrc(
        plant_batch_id=plant_batch_id,
        site_id=first.site_id,
        license_number=first.license_number,
        name=name,
        state=state,
        metrc_id=metrc_id,
        submissions=tuple(ordered),
    )


def _creates(s: Submission, plant_batch_id: UUID) -> bool:
    if s.kind not in CREATES_PLANT_BATCH:
        return False
    if isinstance(s.intent, PlantBatchSplitOff):
        return s.intent.new_plant_batch_id == plant_batch_id
    return s.batch_id == plant_batch_id
