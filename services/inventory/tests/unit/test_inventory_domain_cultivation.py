"""Cultivation in the domain, without I/O: plant batches (the guide's validation rules, split,
adjust, move, destroy, growth with sequential tags) and harvests (exact weights, waste,
packages, finish and unfinish)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from inventory.domain import OperationNotAllowedError, OptimisticLockConflictError, ValidationError
from inventory.domain.cultivation import (
    GrowthPhase,
    Harvest,
    HarvestMovementType,
    HarvestNotEmptyError,
    HarvestStatus,
    HarvestWasteType,
    HarvestWeightExceededError,
    InsufficientPlantsError,
    Plant,
    PlantBatch,
    PlantBatchType,
    Planting,
    PlantMovementType,
    PlantState,
    PlantWaste,
    change_growth_phase,
    facility_today,
    sequential_tags,
)

T0 = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
TAG = "1A4FF0100000022000000101"


def planting(**overrides: object) -> Planting:
    fields: dict[str, object] = {
        "name": "BD-A",
        "type": PlantBatchType.CLONE,
        "count": 100,
        "strain": "Blue Dream",
        "location_id": "loc-1",
        "planted_date": TODAY,
    }
    fields.update(overrides)
    return Planting(**fields)  # type: ignore[arg-type]


def planted(**overrides: object) -> PlantBatch:
    change = PlantBatch.plant(
        plant_batch_id="pb-1",
        site_id="site-1",
        planting=planting(**overrides),
        today=TODAY,
        actor="u",
        occurred_at=T0,
    )
    return PlantBatch(change.state)


def grown(batch: PlantBatch, count: int, phase: GrowthPhase = GrowthPhase.FLOWERING) -> list[Plant]:
    change = batch.grow(
        count=count,
        starting_tag=TAG,
        phase=phase,
        location_id="loc-2",
        actual_date=TODAY,
        today=TODAY,
        plant_ids=[f"p-{n}" for n in range(count)],
        actor="u",
        occurred_at=T0,
    )
    return list(change.plants)


class TestPlanting:
    def test_a_planting_records_the_count_as_one_planted_row(self) -> None:
        change = PlantBatch.plant(
            plant_batch_id="pb-1", site_id="s", planting=planting(), today=TODAY, actor="u",
            occurred_at=T0,
        )  # fmt: skip
        assert change.state.count == 100
        assert change.state.version == 1
        (row,) = change.movements
        assert (row.type, row.change, row.before, row.after) == (
            PlantMovementType.PLANTED, 100, 0, 100,
        )  # fmt: skip

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"name": "  "}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"count": 0}, "count"),
            ({"count": -3}, "count"),
            ({"count": 100_001}, "count"),
            ({"strain": ""}, "strain"),
            ({"planted_date": TODAY + timedelta(days=1)}, "plantedDate"),
        ],
    )
    def test_the_guides_rules_refuse_a_planting(self, overrides: dict, field: str) -> None:
        with pytest.raises(ValidationError) as refused:
            PlantBatch.plant(
                plant_batch_id="pb", site_id="s", planting=planting(**overrides), today=TODAY,
                actor="u", occurred_at=T0,
            )  # fmt: skip
        assert field in {e.field for e in refused.value.errors}

    def test_every_problem_is_reported_at_once(self) -> None:
        with pytest.raises(ValidationError) as refused:
            PlantBatch.plant(
                plant_batch_id="pb", site_id="s",
                planting=planting(name="", count=0, planted_date=TODAY + timedelta(days=2)),
                today=TODAY, actor="u", occurred_at=T0,
            )  # fmt: skip
        assert {e.field for e in refused.value.errors} == {"name", "count", "plantedDate"}

    def test_the_facility_today_is_the_states_local_date(self) -> None:
        late_evening_in_oregon = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
        assert facility_today("OR", late_evening_in_oregon) == date(2026, 3, 2)
        assert facility_today("MA", late_evening_in_oregon) == date(2026, 3, 3)


class TestPlantBatchChanges:
    def test_a_split_moves_plants_into_a_new_batch_of_the_same_type_and_strain(self) -> None:
        batch = planted()
        mine, new = batch.split(
            new_plant_batch_id="pb-2", name="BD-B", count=30, location_id="loc-2",
            actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0,
        )  # fmt: skip
        assert (mine.state.count, mine.state.version) == (70, 2)
        assert mine.movements[0].type is PlantMovementType.SPLIT_OUT
        assert (new.state.count, new.state.strain, new.state.type) == (
            30, "Blue Dream", PlantBatchType.CLONE,
        )  # fmt: skip
        assert new.state.parent_plant_batch_id == "pb-1"
        assert new.movements[0].type is PlantMovementType.SPLIT_IN

    def test_a_split_of_more_plants_than_the_batch_holds_is_refused(self) -> None:
        with pytest.raises(InsufficientPlantsError) as refused:
            planted(count=10).split(
                new_plant_batch_id="pb-2", name="B", count=11, location_id="l",
                actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0,
            )  # fmt: skip
        assert refused.value.details == {"name": "BD-A", "requested": 11, "available": 10}

    def test_an_adjustment_needs_a_reason_and_keeps_the_count_whole_and_not_negative(self) -> None:
        batch = planted(count=5)
        with pytest.raises(ValidationError):
            batch.adjust(quantity=-1, reason=" ", note=None, actual_date=TODAY, today=TODAY,
                         actor="u", occurred_at=T0)  # fmt: skip
        with pytest.raises(InsufficientPlantsError):
            batch.adjust(quantity=-6, reason="Dead", note=None, actual_date=TODAY, today=TODAY,
                         actor="u", occurred_at=T0)  # fmt: skip
        change = batch.adjust(quantity=-5, reason="Dead", note="mites", actual_date=TODAY,
                              today=TODAY, actor="u", occurred_at=T0)  # fmt: skip
        assert change.state.count == 0
        assert (change.movements[0].reason, change.movements[0].notes) == ("Dead", "mites")

    def test_a_move_changes_the_location_with_a_zero_row_there(self) -> None:
        change = planted().move(
            location_id="loc-9", actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0
        )
        assert change.state.location_id == "loc-9"
        (row,) = change.movements
        assert (row.type, row.change, row.location_id) == (PlantMovementType.MOVE, 0, "loc-9")
        assert change.details["from_location_id"] == "loc-1"

    def test_destroying_plants_records_the_waste_exactly(self) -> None:
        change = planted().destroy(
            count=4,
            waste=PlantWaste(method="Grinder", reason="Male plants", weight=Decimal("120.5"),
                             unit="Grams"),
            actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0,
        )  # fmt: skip
        assert (change.state.count, change.state.destroyed_count) == (96, 4)
        waste = change.details["waste"]
        assert isinstance(waste, PlantWaste)
        assert waste.weight == Decimal("120.5000")

    def test_destroying_without_method_reason_or_a_positive_weight_is_refused(self) -> None:
        with pytest.raises(ValidationError) as refused:
            planted().destroy(
                count=1, waste=PlantWaste(method="", reason="", weight=Decimal(0), unit="Grams"),
                actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0,
            )  # fmt: skip
        assert {e.field for e in refused.value.errors} == {
            "wasteMethod", "wasteReason", "wasteWeight",
        }  # fmt: skip

    def test_growth_takes_plants_out_as_tracked_plants_with_sequential_tags(self) -> None:
        batch = planted()
        plants = grown(batch, 3)
        assert [p.tag for p in plants] == [
            "1A4FF0100000022000000101", "1A4FF0100000022000000102", "1A4FF0100000022000000103",
        ]  # fmt: skip
        assert all(p.growth_phase is GrowthPhase.FLOWERING for p in plants)
        assert (batch.state.count, batch.state.tracked_count) == (97, 3)

    def test_a_stale_version_is_refused(self) -> None:
        with pytest.raises(OptimisticLockConflictError):
            planted().check_version(2)


class TestTags:
    def test_the_sequence_keeps_the_width_of_the_digits(self) -> None:
        errors: list = []
        assert sequential_tags(errors, "t", "ABCDEFGHIJKLMNOPQRST0099", 2) == [
            "ABCDEFGHIJKLMNOPQRST0099", "ABCDEFGHIJKLMNOPQRST0100",
        ]  # fmt: skip
        assert errors == []

    @pytest.mark.parametrize(
        "tag", ["1a4ff0100000022000000101", "SHORT1", "ABCDEFGHIJKLMNOPQRSTUVWX"]
    )
    def test_a_malformed_tag_is_refused(self, tag: str) -> None:
        errors: list = []
        assert sequential_tags(errors, "startingTag", tag, 1) == []
        assert errors[0].field == "startingTag"

    def test_a_sequence_that_runs_out_of_digits_is_refused(self) -> None:
        errors: list = []
        assert sequential_tags(errors, "t", "ABCDEFGHIJKLMNOPQRSTUV98", 3) == []
        assert errors


def harvested(
    partial: bool = False, waste: Decimal | None = None
) -> tuple[Harvest, tuple[Plant, ...]]:
    plants = grown(planted(), 2)
    change = Harvest.take(
        harvest_id="h-1", site_id="site-1", name="H-1", drying_location_id="dry",
        unit_of_weight="Grams", harvest_date=TODAY,
        plants=[(plants[0], Decimal("600.25")), (plants[1], Decimal("399.75"))],
        partial=partial, waste_weight=waste, today=TODAY, actor="u", occurred_at=T0,
    )  # fmt: skip
    return Harvest(change.state), change.plants


class TestHarvests:
    def test_a_harvest_sums_the_plants_wet_weights_exactly(self) -> None:
        harvest, plants = harvested(waste=Decimal("50"))
        assert harvest.state.wet_weight == Decimal("1000.00")
        assert harvest.state.current_weight == Decimal("950.00")
        assert all(p.state is PlantState.HARVESTED and p.harvest_id == "h-1" for p in plants)

    def test_a_partial_harvest_leaves_the_plants_flowering(self) -> None:
        _, plants = harvested(partial=True)
        assert all(p.state is PlantState.TRACKED for p in plants)
        assert all(p.harvest_count == 1 for p in plants)

    def test_only_flowering_plants_are_harvested(self) -> None:
        vegetative = grown(planted(), 1, GrowthPhase.VEGETATIVE)
        with pytest.raises(ValidationError) as refused:
            Harvest.take(
                harvest_id="h", site_id="site-1", name="H", drying_location_id="d",
                unit_of_weight="Grams", harvest_date=TODAY,
                plants=[(vegetative[0], Decimal(1))], partial=False, waste_weight=None,
                today=TODAY, actor="u", occurred_at=T0,
            )  # fmt: skip
        assert refused.value.errors[0].field == "plants[0].tag"

    def test_a_harvested_plant_cannot_be_harvested_again(self) -> None:
        _, plants = harvested()
        with pytest.raises(ValidationError):
            Harvest.take(
                harvest_id="h2", site_id="site-1", name="H2", drying_location_id="d",
                unit_of_weight="Grams", harvest_date=TODAY, plants=[(plants[0], Decimal(1))],
                partial=False, waste_weight=None, today=TODAY, actor="u", occurred_at=T0,
            )  # fmt: skip

    def test_packaging_takes_exactly_the_weights_and_refuses_over_packaging(self) -> None:
        harvest, _ = harvested()
        change = harvest.package(
            [("b-1", Decimal("333.3333")), ("b-2", Decimal("333.3333"))],
            actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0,
        )  # fmt: skip
        assert change.state.current_weight == Decimal("333.3334")
        assert [m.batch_id for m in change.movements] == ["b-1", "b-2"]
        assert [m.type for m in change.movements] == [HarvestMovementType.PACKAGED] * 2
        assert change.state.version == 2
        with pytest.raises(HarvestWeightExceededError) as refused:
            harvest.package([("b-3", Decimal("333.3335"))], actual_date=TODAY, today=TODAY,
                            actor="u", occurred_at=T0)  # fmt: skip
        assert refused.value.details["remaining"] == "333.3334"
        assert harvest.state.current_weight == Decimal("333.3334")

    def test_waste_past_what_is_left_is_refused(self) -> None:
        harvest, _ = harvested()
        with pytest.raises(HarvestWeightExceededError):
            harvest.record_waste(waste_type=HarvestWasteType.PLANT_MATERIAL,
                                 weight=Decimal("1000.0001"), actual_date=TODAY, today=TODAY,
                                 actor="u", occurred_at=T0)  # fmt: skip

    def test_a_harvest_finishes_only_when_nothing_is_left_and_can_be_unfinished(self) -> None:
        harvest, _ = harvested()
        with pytest.raises(HarvestNotEmptyError):
            harvest.finish(actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0)
        harvest.package([("b", Decimal("100"))], actual_date=TODAY, today=TODAY, actor="u",
                        occurred_at=T0)  # fmt: skip
        harvest.record_waste(waste_type=HarvestWasteType.PLANT_MATERIAL, weight=Decimal(900),
                             actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0)  # fmt: skip
        finished = harvest.finish(actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0)
        assert (finished.state.status, finished.state.finished_date) == (
            HarvestStatus.FINISHED, TODAY,
        )  # fmt: skip
        with pytest.raises(OperationNotAllowedError):
            harvest.record_waste(waste_type=HarvestWasteType.FIBROUS, weight=Decimal(1),
                                 actual_date=TODAY, today=TODAY, actor="u", occurred_at=T0)  # fmt: skip
        assert harvest.unfinish(occurred_at=T0).state.status is HarvestStatus.ACTIVE


class TestTrackedPlants:
    def test_vegetative_plants_move_into_flowering_with_the_date(self) -> None:
        plants = grown(planted(), 2, GrowthPhase.VEGETATIVE)
        later = TODAY + timedelta(days=30)
        moved = change_growth_phase(
            plants, phase=GrowthPhase.FLOWERING, location_id=None, actual_date=later,
            today=later, occurred_at=T0,
        )  # fmt: skip
        assert [(p.growth_phase, p.flowering_date, p.version) for p in moved] == [
            (GrowthPhase.FLOWERING, later, 2)
        ] * 2
        assert [p.location_id for p in moved] == ["loc-2", "loc-2"]

    def test_a_plant_already_in_the_phase_or_harvested_is_refused(self) -> None:
        flowering = grown(planted(), 1)
        _, harvested_plants = harvested()
        with pytest.raises(ValidationError) as refused:
            change_growth_phase(
                [flowering[0], replace(harvested_plants[0], plant_id="other")],
                phase=GrowthPhase.FLOWERING,
                location_id="l", actual_date=TODAY, today=TODAY, occurred_at=T0,
            )  # fmt: skip
        assert [e.field for e in refused.value.errors] == ["tags[0]", "tags[1]"]
