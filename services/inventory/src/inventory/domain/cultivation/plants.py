"""Tracked plants: each has its own Metrc tag, taken from a sequence when plants leave their
plant batch for a growth phase, and ends harvested or destroyed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from shared.contracts.cultivation_enums import GrowthPhase, PlantState

from inventory.domain.errors import FieldError

__all__ = ["PLANT_TAG", "Plant", "sequential_tags"]

PLANT_TAG: Final = re.compile(r"[0-9A-Z]{24}")
"""A Metrc tag: 24 digits and capital letters (as for packages)."""
_TRAILING_DIGITS: Final = re.compile(r"(\d+)$")


@dataclass(frozen=True, kw_only=True)
class Plant:
    plant_id: str
    tag: str
    site_id: str
    plant_batch_id: str
    plant_batch_name: str
    strain: str
    location_id: str
    growth_phase: GrowthPhase
    state: PlantState = PlantState.TRACKED
    planted_date: date
    vegetative_date: date
    flowering_date: date | None = None
    harvested_date: date | None = None
    harvest_id: str | None = None
    harvest_count: int = 0
    """How many harvests took weight from it (partial harvests leave it growing)."""
    version: int
    created_at: datetime
    updated_at: datetime


def sequential_tags(
    errors: list[FieldError], field: str, starting_tag: str, count: int
) -> list[str]:
    """``count`` tags from ``starting_tag`` on: the number its trailing digits spell goes up by
    one per tag at the same width, as Metrc hands tags out. Adds a problem to ``errors`` (and
    returns no tags) when the tag is malformed or the sequence would overflow its digits."""
    if not PLANT_TAG.fullmatch(starting_tag):
        errors.append(
            FieldError(
                field, "must be 24 characters, digits and capital letters (a Metrc plant tag)"
            )
        )
        return []
    digits = _TRAILING_DIGITS.search(starting_tag)
    if digits is None:
        errors.append(FieldError(field, "must end in digits (tags are numbered in sequence)"))
        return []
    prefix, number, width = (
        starting_tag[: digits.start()],
        int(digits.group(1)),
        len(digits.group(1)),
    )
    last = number + max(count, 1) - 1
    if len(str(last)) > width:
        errors.append(
            FieldError(field, f"has too few numbers left in its sequence for {count} plants")
        )
        return []
    return [f"{prefix}{n:0{width}d}" for n in range(number, last + 1)]
