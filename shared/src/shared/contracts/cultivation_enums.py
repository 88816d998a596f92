"""Closed value sets of cultivation (plant batches, tracked plants, harvests), defined once: the
inventory domain speaks them, its HTTP contract and its cultivation events publish them.

Values are spelled as the compliance guide and Metrc spell them (``Seed``, ``Clone``,
``Vegetative``, ``Flowering``, the harvest waste types), so compliance passes them through.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "GrowthPhase",
    "HarvestMovementType",
    "HarvestStatus",
    "HarvestWasteType",
    "PlantBatchType",
    "PlantMovementType",
    "PlantState",
    "PlantingSourceKind",
]


class PlantBatchType(StrEnum):
    """How the plants of a plant batch started (the guide's rule: "Seed" or "Clone")."""

    SEED = "Seed"
    CLONE = "Clone"


class PlantingSourceKind(StrEnum):
    """What a plant batch was planted from: loose seeds or clones, or a package (a batch of
    seeds or clones, whose stock the planting consumes)."""

    SEEDS = "SEEDS"
    CLONES = "CLONES"
    PACKAGE = "PACKAGE"
    SPLIT = "SPLIT"
    """Split off another plant batch (``parentPlantBatchId``)."""


class GrowthPhase(StrEnum):
    """The phase of a tracked plant (Metrc's growth phases)."""

    VEGETATIVE = "Vegetative"
    FLOWERING = "Flowering"


class PlantState(StrEnum):
    """A tracked plant: growing, harvested (whole), or destroyed."""

    TRACKED = "TRACKED"
    HARVESTED = "HARVESTED"
    DESTROYED = "DESTROYED"


class PlantMovementType(StrEnum):
    """Why a plant batch's untracked count changed (its own ledger: whole plants, not stock)."""

    PLANTED = "PLANTED"
    """The batch was planted (+count)."""
    SPLIT_OUT = "SPLIT_OUT"
    """Plants split off into a new plant batch (-count)."""
    SPLIT_IN = "SPLIT_IN"
    """The new batch of a split received them (+count)."""
    ADJUSTMENT = "ADJUSTMENT"
    """Counted by hand, with a reason (+/-)."""
    MOVE = "MOVE"
    """Moved to another location (change 0; the row names the new location)."""
    DESTROYED = "DESTROYED"
    """Destroyed, with waste (method, reason, weight) (-count)."""
    GROWTH_PHASE = "GROWTH_PHASE"
    """Moved into growth as tracked plants with tags (-count)."""


class HarvestStatus(StrEnum):
    ACTIVE = "ACTIVE"
    FINISHED = "FINISHED"


class HarvestMovementType(StrEnum):
    """Why a harvest's current weight changed (its own ledger, in its unit of weight)."""

    HARVESTED = "HARVESTED"
    """Wet weight of plants harvested into it (+)."""
    WASTE = "WASTE"
    """A waste record (-)."""
    PACKAGED = "PACKAGED"
    """Weight packaged into a batch (-)."""


class HarvestWasteType(StrEnum):
    """Metrc's harvest waste types."""

    PLANT_MATERIAL = "Plant Material"
    FIBROUS = "Fibrous"
    ROOT_BALL = "Root Ball"
