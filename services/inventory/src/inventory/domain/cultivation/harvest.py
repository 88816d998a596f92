"""The harvest aggregate: weight taken from flowering plants, in one unit of weight, drying at a
location, going down by waste records and by the packages made from it.

``current = wet - waste - packaged`` is never below zero: waste or a package heavier than what
is left is refused (HARVEST_WEIGHT_EXCEEDED), exactly, in Decimal. A harvest is finished only
when nothing is left (HARVEST_NOT_EMPTY otherwise: record the drying loss as waste), and can be
unfinished. Each change writes rows to the harvest's own ledger (:class:`HarvestMovement`).

A *whole* harvest takes the plants (they become HARVESTED); a *partial* one (Metrc's manicure)
takes weight and leaves them flowering.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from shared.contracts.cultivation_enums import (
    GrowthPhase,
    HarvestMovementType,
    HarvestStatus,
    HarvestWasteType,
    PlantState,
)

from inventory.domain.cultivation.common import (
    HarvestNotEmptyError,
    HarvestWeightExceededError,
    check_date,
    check_name,
    check_version,
    check_weight,
    refuse,
)
from inventory.domain.cultivation.plants import Plant
from inventory.domain.errors import (
    FieldError,
    OperationNotAllowedError,
)

__all__ = [
    "UNITS_OF_WEIGHT",
    "Harvest",
    "HarvestChange",
    "HarvestMovement",
    "HarvestState",
    "HarvestedPlant",
]

UNITS_OF_WEIGHT: Final = ("Grams", "Kilograms", "Ounces", "Pounds")
ZERO: Final = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class HarvestedPlant:
    plant_id: str
    tag: str
    weight: Decimal


@dataclass(frozen=True, kw_only=True)
class HarvestState:
    harvest_id: str
    site_id: str
    name: str
    drying_location_id: str
    unit_of_weight: str
    harvest_date: date
    wet_weight: Decimal
    waste_weight: Decimal = ZERO
    packaged_weight: Decimal = ZERO
    plant_count: int
    strains: tuple[str, ...]
    status: HarvestStatus = HarvestStatus.ACTIVE
    finished_date: date | None = None
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def current_weight(self) -> Decimal:
        return self.wet_weight - self.waste_weight - self.packaged_weight


@dataclass(frozen=True, kw_only=True)
class HarvestMovement:
    """One row of a harvest's ledger; ``before + change == after`` (current weight)."""

    harvest_id: str
    version: int
    sequence: int
    type: HarvestMovementType
    change: Decimal
    before: Decimal
    after: Decimal
    actual_date: date
    plant_id: str | None = None
    batch_id: str | None = None
    waste_type: HarvestWasteType | None = None
    actor: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class HarvestChange:
    state: HarvestState
    movements: tuple[HarvestMovement, ...]
    kind: str
    details: dict[str, object]
    plants: tuple[Plant, ...] = ()
    """The plants after the change (a harvest's creation)."""


class Harvest:
    def __init__(self, state: HarvestState) -> None:
        self._state = state

    @property
    def state(self) -> HarvestState:
        return self._state

    def check_version(self, expected: int | None) -> None:
        check_version(expected, self._state.version)

    @classmethod
    def take(
        cls,
        *,
        harvest_id: str,
        site_id: str,
        name: str,
        drying_location_id: str,
        unit_of_weight: str,
        harvest_date: date,
        plants: list[tuple[Plant, Decimal]],
        partial: bool,
        waste_weight: Decimal | None,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> HarvestChange:
        """Harvest flowering ``plants`` (each with its wet weight); ``waste_weight`` at harvest
        time becomes the first waste record (Plant Material)."""
        errors: list[FieldError] = []
        name = check_name(errors, "name", name)
        check_date(errors, "harvestDate", harvest_date, today)
        if unit_of_weight not in UNITS_OF_WEIGHT:
            errors.append(
                FieldError("unitOfWeight", f"must be one of {', '.join(UNITS_OF_WEIGHT)}")
            )
        if not plants:
            errors.append(FieldError("plants", "must name at least one plant"))
        if len({p.plant_id for p, _ in plants}) != len(plants):
            errors.append(FieldError("plants", "must name each plant once"))
        weights = [
            check_weight(errors, f"plants[{n}].weight", w) for n, (_, w) in enumerate(plants)
        ]
        for n, (plant, _) in enumerate(plants):
            if (
                plant.state is not PlantState.TRACKED
                or plant.growth_phase is not GrowthPhase.FLOWERING
            ):
                errors.append(FieldError(f"plants[{n}].tag", f"plant {plant.tag} is not flowering"))
            elif plant.site_id != site_id:
                errors.append(FieldError(f"plants[{n}].tag", f"plant {plant.tag} is not here"))
        if waste_weight is not None:
            waste_weight = check_weight(errors, "wasteWeight", waste_weight)
        refuse(errors)
        wet = sum(weights, ZERO)
        state = HarvestState(
            harvest_id=harvest_id,
            site_id=site_id,
            name=name,
            drying_location_id=drying_location_id,
            unit_of_weight=unit_of_weight,
            harvest_date=harvest_date,
            wet_weight=wet,
            plant_count=len(plants),
            strains=tuple(sorted({p.strain for p, _ in plants})),
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )
        movements: list[HarvestMovement] = []
        current = ZERO
        for (plant, _), weight in zip(plants, weights, strict=True):
            movements.append(
                HarvestMovement(
                    harvest_id=harvest_id, version=1, sequence=len(movements),
                    type=HarvestMovementType.HARVESTED, change=weight, before=current,
                    after=current + weight, actual_date=harvest_date, plant_id=plant.plant_id,
                    actor=actor, occurred_at=occurred_at,
                )
            )  # fmt: skip
            current += weight
        if waste_weight is not None:
            if waste_weight > current:
                raise HarvestWeightExceededError(
                    name=name, requested=waste_weight, remaining=current, unit=unit_of_weight
                )
            movements.append(
                HarvestMovement(
                    harvest_id=harvest_id, version=1, sequence=len(movements),
                    type=HarvestMovementType.WASTE, change=-waste_weight, before=current,
                    after=current - waste_weight, actual_date=harvest_date,
                    waste_type=HarvestWasteType.PLANT_MATERIAL, actor=actor,
                    occurred_at=occurred_at,
                )
            )  # fmt: skip
            state = replace(state, waste_weight=waste_weight)
        taken = tuple(
            replace(
                plant,
                state=plant.state if partial else PlantState.HARVESTED,
                harvested_date=plant.harvested_date if partial else harvest_date,
                harvest_id=harvest_id,
                harvest_count=plant.harvest_count + 1,
                version=plant.version + 1,
                updated_at=max(occurred_at, plant.updated_at),
            )
            for plant, _ in plants
        )
        return HarvestChange(
            state=state,
            movements=tuple(movements),
            kind="created",
            details={
                "partial": partial,
                "plants": [
                    HarvestedPlant(plant_id=p.plant_id, tag=p.tag, weight=w)
                    for (p, _), w in zip(plants, weights, strict=True)
                ],
                "waste_weight": waste_weight,
            },
            plants=taken,
        )

    def _out(
        self,
        *,
        kind: str,
        type_: HarvestMovementType,
        weight: Decimal,
        actual_date: date,
        actor: str,
        occurred_at: datetime,
        details: dict[str, object],
        batch_id: str | None = None,
        waste_type: HarvestWasteType | None = None,
        sequence: int = 0,
        version_step: int = 1,
    ) -> HarvestChange:
        before = self._state
        if before.status is not HarvestStatus.ACTIVE:
            raise OperationNotAllowedError(operation=kind, status=before.status.value)
        remaining = before.current_weight
        if weight > remaining:
            raise HarvestWeightExceededError(
                name=before.name, requested=weight, remaining=remaining, unit=before.unit_of_weight
            )
        at = max(occurred_at, before.updated_at)
        after = replace(
            before,
            waste_weight=before.waste_weight
            + (weight if type_ is HarvestMovementType.WASTE else 0),
            packaged_weight=before.packaged_weight
            + (weight if type_ is HarvestMovementType.PACKAGED else 0),
            version=before.version + version_step,
            updated_at=at,
        )
        movement = HarvestMovement(
            harvest_id=before.harvest_id,
            version=after.version,
            sequence=sequence,
            type=type_,
            change=-weight,
            before=remaining,
            after=remaining - weight,
            actual_date=actual_date,
            batch_id=batch_id,
            waste_type=waste_type,
            actor=actor,
            occurred_at=at,
        )
        self._state = after
        return HarvestChange(state=after, movements=(movement,), kind=kind, details=details)

    def record_waste(
        self,
        *,
        waste_type: HarvestWasteType,
        weight: Decimal,
        actual_date: date,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> HarvestChange:
        errors: list[FieldError] = []
        weight = check_weight(errors, "weight", weight)
        check_date(errors, "actualDate", actual_date, today)
        if actual_date < self._state.harvest_date:
            errors.append(FieldError("actualDate", "must not be before the harvest date"))
        refuse(errors)
        return self._out(
            kind="waste_recorded",
            type_=HarvestMovementType.WASTE,
            weight=weight,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            waste_type=waste_type,
            details={"waste_type": waste_type, "weight": weight, "actual_date": actual_date},
        )

    def package(
        self,
        packages: list[tuple[str, Decimal]],
        *,
        actual_date: date,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> HarvestChange:
        """Take each (batch id, weight) out into its package, in one change (one version):
        together they must not weigh more than is left."""
        errors: list[FieldError] = []
        weights = [
            check_weight(errors, f"packages[{n}].weight", w) for n, (_, w) in enumerate(packages)
        ]
        check_date(errors, "actualDate", actual_date, today)
        if actual_date < self._state.harvest_date:
            errors.append(FieldError("actualDate", "must not be before the harvest date"))
        if not packages:
            errors.append(FieldError("packages", "must list at least one package"))
        refuse(errors)
        total = sum(weights, ZERO)
        if total > self._state.current_weight:
            raise HarvestWeightExceededError(
                name=self._state.name,
                requested=total,
                remaining=self._state.current_weight,
                unit=self._state.unit_of_weight,
            )
        movements: list[HarvestMovement] = []
        for n, ((batch_id, _), weight) in enumerate(zip(packages, weights, strict=True)):
            step = self._out(
                kind="packaged",
                type_=HarvestMovementType.PACKAGED,
                weight=weight,
                actual_date=actual_date,
                actor=actor,
                occurred_at=occurred_at,
                batch_id=batch_id,
                sequence=n,
                version_step=1 if n == 0 else 0,
                details={},
            )
            movements.extend(step.movements)
        return HarvestChange(
            state=self._state,
            movements=tuple(movements),
            kind="packaged",
            details={"actual_date": actual_date, "total_weight": total},
        )

    def finish(
        self, *, actual_date: date, today: date, actor: str, occurred_at: datetime
    ) -> HarvestChange:
        errors: list[FieldError] = []
        check_date(errors, "actualDate", actual_date, today)
        if actual_date < self._state.harvest_date:
            errors.append(FieldError("actualDate", "must not be before the harvest date"))
        refuse(errors)
        state = self._state
        if state.status is not HarvestStatus.ACTIVE:
            raise OperationNotAllowedError(operation="finish", status=state.status.value)
        if state.current_weight > 0:
            raise HarvestNotEmptyError(
                name=state.name, remaining=state.current_weight, unit=state.unit_of_weight
            )
        return self._status(HarvestStatus.FINISHED, actual_date, "finished", occurred_at)

    def unfinish(self, *, occurred_at: datetime) -> HarvestChange:
        if self._state.status is not HarvestStatus.FINISHED:
            raise OperationNotAllowedError(operation="unfinish", status=self._state.status.value)
        return self._status(HarvestStatus.ACTIVE, None, "unfinished", occurred_at)

    def _status(
        self, status: HarvestStatus, finished: date | None, kind: str, occurred_at: datetime
    ) -> HarvestChange:
        before = self._state
        self._state = replace(
            before,
            status=status,
            finished_date=finished,
            version=before.version + 1,
            updated_at=max(occurred_at, before.updated_at),
        )
        return HarvestChange(
            state=self._state, movements=(), kind=kind, details={"actual_date": finished}
        )
