"""Tracked plants: each has its own Metrc tag, taken from a sequence when plants leave their
plant batch for a growth phase, and ends harvested or destroyed."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final

from shared.contracts.cultivation_enums import GrowthPhase, PlantState

from inventory.domain.errors import FieldError, ValidationError

__all__ = ["PLANT_TAG", "Plant", "change_growth_phase", "sequential_tags"]

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


def change_growth_phase(
    plants: list[Plant],
    *,
    phase: GrowthPhase,
    location_id: str | None,
    actual_date: date,
    today: date,
    occurred_at: datetime,
) -> list[Plant]:
    """Move tracked plants into ``phase`` at ``location_id`` (None: where each is) (Metrc's plant growth phase
    change, e.g. Vegetative -> Flowering). Every problem of every plant is reported at once."""
    errors: list[FieldError] = []
    if actual_date > today:
        errors.append(
            FieldError("actualDate", f"must not be in the future (the facility's today is {today})")
        )
    if not plants:
        errors.append(FieldError("tags", "must name at least one plant"))
    if len({p.plant_id for p in plants}) != len(plants):
        errors.append(FieldError("tags", "must name each plant once"))
    for n, plant in enumerate(plants):
        if plant.state is not PlantState.TRACKED:
            errors.append(FieldError(f"tags[{n}]", f"plant {plant.tag} is {plant.state.value}"))
        elif plant.growth_phase is phase:
            errors.append(FieldError(f"tags[{n}]", f"plant {plant.tag} is {phase.value} already"))
        elif actual_date < plant.vegetative_date:
            errors.append(FieldError("actualDate", f"is before plant {plant.tag} started growing"))
    if errors:
        raise ValidationError(errors)
    return [
        replace(
            plant,
            growth_phase=phase,
            location_id=location_id or plant.location_id,
            flowering_date=actual_date if phase is GrowthPhase.FLOWERING else plant.flowering_date,
            version=plant.version + 1,
            updated_at=max(occurred_at, plant.updated_at),
        )
        for plant in plants
    ]
