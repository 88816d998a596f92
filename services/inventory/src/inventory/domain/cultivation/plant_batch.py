"""The plant batch aggregate: a group of immature plants counted, not tagged one by one.

Every change writes rows to the plant batch's own ledger (:class:`PlantMovement`, whole plants)
and one domain event; the batch's version goes up by one per change. Why a ledger of its own:
the batch ledger holds Decimal stock in buckets of a package, at locations; a plant batch holds
a count of living plants with none of those buckets, and its changes (split, growth, destroy
with waste) are Metrc operations of their own that compliance mirrors one by one.

Rules (the compliance guide's validation table): the name is unique per facility (the store's
constraint), the type is Seed or Clone, the count a positive whole number, the location one of
the facility's, the planted date not in the future.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from shared.contracts.cultivation_enums import (
    GrowthPhase,
    PlantBatchType,
    PlantingSourceKind,
    PlantMovementType,
)

from inventory.domain.cultivation.common import (
    InsufficientPlantsError,
    check_count,
    check_date,
    check_name,
    check_text,
    check_version,
    check_weight,
    refuse,
)
from inventory.domain.cultivation.plants import Plant, sequential_tags
from inventory.domain.errors import FieldError

__all__ = [
    "PlantBatch",
    "PlantBatchChange",
    "PlantBatchState",
    "PlantMovement",
    "PlantWaste",
    "Planting",
]


@dataclass(frozen=True, kw_only=True)
class PlantBatchState:
    plant_batch_id: str
    site_id: str
    name: str
    type: PlantBatchType
    strain: str
    location_id: str
    planted_date: date
    count: int
    """Untracked plants in the batch now."""
    tracked_count: int = 0
    """Plants moved out into growth (tracked, tagged) so far."""
    destroyed_count: int = 0
    source: PlantingSourceKind
    parent_plant_batch_id: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class PlantMovement:
    """One row of a plant batch's ledger; ``before + change == after`` (untracked count)."""

    plant_batch_id: str
    version: int
    sequence: int
    type: PlantMovementType
    change: int
    before: int
    after: int
    location_id: str
    actual_date: date
    reason: str | None = None
    notes: str | None = None
    actor: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class PlantWaste:
    """What destroying plants leaves (Metrc's destroy body)."""

    method: str
    reason: str
    weight: Decimal
    unit: str
    material_mixed: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Planting:
    """What a new plant batch says (the guide's Plant Batch Creation fields)."""

    name: str
    type: PlantBatchType
    count: int
    strain: str
    location_id: str
    planted_date: date
    source: PlantingSourceKind = PlantingSourceKind.CLONES


@dataclass(frozen=True, kw_only=True)
class PlantBatchChange:
    """A change: the state after it, its ledger rows, what happened (``kind`` names the event)
    and the details the event carries beyond the state."""

    state: PlantBatchState
    movements: tuple[PlantMovement, ...]
    kind: str
    details: dict[str, object]
    plants: tuple[Plant, ...] = ()


class PlantBatch:
    def __init__(self, state: PlantBatchState) -> None:
        self._state = state

    @property
    def state(self) -> PlantBatchState:
        return self._state

    def check_version(self, expected: int | None) -> None:
        check_version(expected, self._state.version)

    # ------------------------------------------------------------------ creation

    @classmethod
    def plant(
        cls,
        *,
        plant_batch_id: str,
        site_id: str,
        planting: Planting,
        today: date,
        actor: str,
        occurred_at: datetime,
        parent_plant_batch_id: str | None = None,
        movement_type: PlantMovementType = PlantMovementType.PLANTED,
    ) -> PlantBatchChange:
        errors: list[FieldError] = []
        name = check_name(errors, "name", planting.name)
        strain = check_name(errors, "strain", planting.strain)
        check_count(errors, "count", planting.count)
        check_date(errors, "plantedDate", planting.planted_date, today)
        refuse(errors)
        state = PlantBatchState(
            plant_batch_id=plant_batch_id,
            site_id=site_id,
            name=name,
            type=planting.type,
            strain=strain,
            location_id=planting.location_id,
            planted_date=planting.planted_date,
            count=planting.count,
            source=planting.source,
            parent_plant_batch_id=parent_plant_batch_id,
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )
        movement = PlantMovement(
            plant_batch_id=plant_batch_id,
            version=1,
            sequence=0,
            type=movement_type,
            change=planting.count,
            before=0,
            after=planting.count,
            location_id=planting.location_id,
            actual_date=planting.planted_date,
            actor=actor,
            occurred_at=occurred_at,
        )
        return PlantBatchChange(state=state, movements=(movement,), kind="planted", details={})

    # ------------------------------------------------------------------ changes

    def _change(
        self,
        *,
        kind: str,
        type_: PlantMovementType,
        change: int,
        actual_date: date,
        actor: str,
        occurred_at: datetime,
        details: dict[str, object],
        reason: str | None = None,
        notes: str | None = None,
        location_id: str | None = None,
        state_changes: dict[str, object] | None = None,
        plants: tuple[Plant, ...] = (),
    ) -> PlantBatchChange:
        before = self._state
        if before.count + change < 0:
            raise InsufficientPlantsError(
                name=before.name, requested=-change, available=before.count
            )
        # Time never goes backwards per plant batch: the ledger stays in the order it happened.
        at = max(occurred_at, before.updated_at)
        after = replace(
            before,
            count=before.count + change,
            version=before.version + 1,
            updated_at=at,
            **(state_changes or {}),  # type: ignore[arg-type]
        )
        movement = PlantMovement(
            plant_batch_id=before.plant_batch_id,
            version=after.version,
            sequence=0,
            type=type_,
            change=change,
            before=before.count,
            after=after.count,
            location_id=location_id or after.location_id,
            actual_date=actual_date,
            reason=reason,
            notes=notes,
            actor=actor,
            occurred_at=at,
        )
        self._state = after
        return PlantBatchChange(
            state=after, movements=(movement,), kind=kind, details=details, plants=plants
        )

    def _require_plants(self, count: int) -> None:
        if count > self._state.count:
            raise InsufficientPlantsError(
                name=self._state.name, requested=count, available=self._state.count
            )

    def split(
        self,
        *,
        new_plant_batch_id: str,
        name: str,
        count: int,
        location_id: str,
        actual_date: date,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> tuple[PlantBatchChange, PlantBatchChange]:
        """Move ``count`` plants into a new plant batch (same type and strain): SPLIT_OUT here,
        SPLIT_IN there. Returns (this batch's change, the new batch's)."""
        errors: list[FieldError] = []
        check_count(errors, "count", count)
        check_date(errors, "actualDate", actual_date, today)
        refuse(errors)
        self._require_plants(count)
        new = PlantBatch.plant(
            plant_batch_id=new_plant_batch_id,
            site_id=self._state.site_id,
            planting=Planting(
                name=name,
                type=self._state.type,
                count=count,
                strain=self._state.strain,
                location_id=location_id,
                planted_date=actual_date,
                source=PlantingSourceKind.SPLIT,
            ),
            today=today,
            actor=actor,
            occurred_at=occurred_at,
            parent_plant_batch_id=self._state.plant_batch_id,
            movement_type=PlantMovementType.SPLIT_IN,
        )
        mine = self._change(
            kind="split",
            type_=PlantMovementType.SPLIT_OUT,
            change=-count,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            details={"count": count, "actual_date": actual_date},
        )
        return mine, replace(new, kind="split_in")

    def adjust(
        self,
        *,
        quantity: int,
        reason: str | None,
        note: str | None,
        actual_date: date,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> PlantBatchChange:
        """Correct the count by ``quantity`` (signed, not zero), with a reason (Metrc's
        adjustment reasons are the state's; compliance checks the name against them)."""
        errors: list[FieldError] = []
        if quantity == 0 or abs(quantity) > 100_000:
            errors.append(
                FieldError("quantity", "must be a whole number from -100000 to 100000, not 0")
            )
        reason = check_text(errors, "reason", reason, required=True)
        note = check_text(errors, "reasonNote", note, required=False)
        check_date(errors, "actualDate", actual_date, today)
        refuse(errors)
        return self._change(
            kind="count_adjusted",
            type_=PlantMovementType.ADJUSTMENT,
            change=quantity,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            reason=reason,
            notes=note,
            details={
                "quantity": quantity,
                "reason": reason,
                "reason_note": note,
                "actual_date": actual_date,
            },
        )

    def move(
        self, *, location_id: str, actual_date: date, today: date, actor: str, occurred_at: datetime
    ) -> PlantBatchChange:
        errors: list[FieldError] = []
        if location_id == self._state.location_id:
            errors.append(FieldError("locationId", "is the plant batch's location already"))
        check_date(errors, "actualDate", actual_date, today)
        refuse(errors)
        return self._change(
            kind="moved",
            type_=PlantMovementType.MOVE,
            change=0,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            location_id=location_id,
            state_changes={"location_id": location_id},
            details={"from_location_id": self._state.location_id, "actual_date": actual_date},
        )

    def destroy(
        self,
        *,
        count: int,
        waste: PlantWaste,
        actual_date: date,
        today: date,
        actor: str,
        occurred_at: datetime,
    ) -> PlantBatchChange:
        errors: list[FieldError] = []
        check_count(errors, "count", count)
        method = check_text(errors, "wasteMethod", waste.method, required=True)
        reason = check_text(errors, "wasteReason", waste.reason, required=True)
        mixed = check_text(errors, "wasteMaterialMixed", waste.material_mixed, required=False)
        note = check_text(errors, "reasonNote", waste.note, required=False)
        weight = check_weight(errors, "wasteWeight", waste.weight)
        check_date(errors, "actualDate", actual_date, today)
        refuse(errors)
        self._require_plants(count)
        return self._change(
            kind="destroyed",
            type_=PlantMovementType.DESTROYED,
            change=-count,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            reason=reason,
            notes=note,
            state_changes={"destroyed_count": self._state.destroyed_count + count},
            details={
                "count": count,
                "waste": replace(
                    waste,
                    method=method or "",
                    reason=reason or "",
                    weight=weight,
                    material_mixed=mixed,
                    note=note,
                ),
                "actual_date": actual_date,
            },
        )

    def grow(
        self,
        *,
        count: int,
        starting_tag: str,
        phase: GrowthPhase,
        location_id: str,
        actual_date: date,
        today: date,
        plant_ids: list[str],
        actor: str,
        occurred_at: datetime,
    ) -> PlantBatchChange:
        """Move ``count`` plants out of the batch into ``phase`` as tracked plants tagged
        ``starting_tag`` onwards (Metrc consumes sequential tags the same way)."""
        errors: list[FieldError] = []
        check_count(errors, "count", count)
        check_date(errors, "actualDate", actual_date, today)
        tags = sequential_tags(errors, "startingTag", starting_tag, count)
        refuse(errors)
        self._require_plants(count)
        state = self._state
        plants = tuple(
            Plant(
                plant_id=plant_id,
                tag=tag,
                site_id=state.site_id,
                plant_batch_id=state.plant_batch_id,
                plant_batch_name=state.name,
                strain=state.strain,
                location_id=location_id,
                growth_phase=phase,
                planted_date=state.planted_date,
                vegetative_date=actual_date,
                flowering_date=actual_date if phase is GrowthPhase.FLOWERING else None,
                version=1,
                created_at=max(occurred_at, state.updated_at),
                updated_at=max(occurred_at, state.updated_at),
            )
            for plant_id, tag in zip(plant_ids, tags, strict=True)
        )
        return self._change(
            kind="growth_phase_changed",
            type_=PlantMovementType.GROWTH_PHASE,
            change=-count,
            actual_date=actual_date,
            actor=actor,
            occurred_at=occurred_at,
            location_id=location_id,
            state_changes={"tracked_count": state.tracked_count + count},
            details={
                "count": count,
                "growth_phase": phase,
                "starting_tag": tags[0],
                "location_id": location_id,
                "actual_date": actual_date,
            },
            plants=plants,
        )
