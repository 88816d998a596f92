"""Every plant batch change reaches Metrc exactly once, in order per plant batch, validated by the
guide's plant batch rules, and read back before any re-send: the service layer on the in-memory
unit of work and FakeMetrc."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from compliance.adapters.metrc import MetrcTransientError, MetrcUnknownOutcomeError
from compliance.domain import ProblemCode, Submission, SubmissionKind, SubmissionState
from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestUnfinish,
    PlantBatchSplitOff,
)
from compliance.domain.plant_batch_links import PlantBatchMetrcState
from compliance.service_layer import NotFoundError, Queries
from compliance.testing import LICENSE, STRAIN, ComplianceHarness
from compliance.testing_cultivation import (
    DAY,
    Crop,
    CultivationHarness,
    Grow,
    grown_and_flowering,
    metrc_batch,
    metrc_harvest,
    no_metrc_batch,
)


def harness() -> CultivationHarness:
    return CultivationHarness()


def subs(h: ComplianceHarness, plant_batch: Grow) -> list[Submission]:
    return [s for s in h.submissions() if s.batch_id == plant_batch.id]


class TestPlantBatchesFollowInventory:
    async def test_a_planting_creates_one_metrc_plant_batch_and_keeps_its_metrc_id(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-2026-03-A", 100)
        await grow.planted()
        await h.settle()
        batch = metrc_batch(h, "BD-2026-03-A")
        assert (batch.untracked_count, batch.strain_name, batch.location_name) == (
            100, STRAIN, "Vault",
        )  # fmt: skip
        (planting,) = subs(h, grow)
        assert planting.state is SubmissionState.ACCEPTED
        assert planting.metrc_ids == (batch.id,)
        assert h.db.sync_log[-1].operation == "plantbatches.plantings"

    async def test_count_adjustments_moves_growth_and_destruction_are_mirrored_in_order(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-A", 100)
        await grow.planted()
        await grow.adjusted(-3)
        await grow.into_growth(h.plant_tags[:2])
        await grow.moved(next(k for k, v in h.location_map.items() if v == "Back Room"))
        await grow.destroyed(5)
        await h.settle()
        batch = metrc_batch(h, "BD-A")
        assert (batch.untracked_count, batch.location_name) == (90, "Back Room")
        plants = await h.fake.find_plants(LICENSE, h.plant_tags[:2])
        assert sorted(plants) == sorted(h.plant_tags[:2])
        assert [s.kind for s in subs(h, grow)] == [
            SubmissionKind.PLANT_BATCH_PLANTING, SubmissionKind.PLANT_BATCH_ADJUST,
            SubmissionKind.PLANT_BATCH_GROWTH_PHASE, SubmissionKind.PLANT_BATCH_LOCATION,
            SubmissionKind.PLANT_BATCH_DESTROY,
        ]  # fmt: skip
        assert all(s.state is SubmissionState.ACCEPTED for s in subs(h, grow))

    async def test_a_split_off_batch_waits_for_the_split_before_its_own_changes_go(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-A", 100)
        await grow.planted()
        new = Grow(h, "BD-B", 20)
        # The new batch's change is consumed before the split (another partition).
        await new.adjusted(-1)
        await h.pusher.push_due()
        (early,) = subs(h, new)
        assert early.state is SubmissionState.PENDING
        assert early.last_error is not None
        assert early.last_error.code is ProblemCode.PLANT_BATCH_NOT_IN_METRC
        await grow.record(
            PlantBatchSplitOff(
                name="BD-A", group_name="BD-B", new_plant_batch_id=new.id, count=20,
                strain=STRAIN, location_id=grow.vault, date=DAY, count_before=100, count_after=80,
            )
        )  # fmt: skip
        await h.settle()
        assert metrc_batch(h, "BD-A").untracked_count == 80
        assert metrc_batch(h, "BD-B").untracked_count == 19
        assert early.id in {s.id for s in h.submissions() if s.state is SubmissionState.ACCEPTED}


class TestValidationBeforeThePush:
    async def test_an_unknown_strain_is_rejected_with_the_guides_guidance_and_nothing_sent(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-X", 10)
        await grow.planted(strain="Purple Haze")
        await h.settle()
        (planting,) = subs(h, grow)
        assert planting.state is SubmissionState.REJECTED
        assert planting.last_error is not None
        assert planting.last_error.code is ProblemCode.STRAIN_NOT_FOUND
        assert "Strains" in planting.last_error.guidance
        assert no_metrc_batch(h, "BD-X")
        assert not [w for w in h.fake.writes if w[0] == "create_plant_batch_plantings"]

    async def test_a_type_that_is_not_seed_or_clone_and_a_zero_count_are_both_reported(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-Y", 0)
        await grow.planted(type="Cutting")
        await h.settle()
        (planting,) = subs(h, grow)
        assert planting.last_error is not None
        assert "Seed or Clone" in planting.last_error.message
        assert "count 0" in planting.last_error.message

    async def test_a_change_behind_a_rejected_planting_waits_for_a_person(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-Z", 10)
        await grow.planted(strain="Nope")
        await grow.adjusted(-1)
        await h.settle()
        planting, adjust = subs(h, grow)
        assert planting.state is SubmissionState.REJECTED
        assert adjust.state is SubmissionState.PENDING
        assert adjust.attempts == 0


class TestExactlyOnceUnderFaults:
    async def test_a_lost_planting_answer_is_read_back_and_not_sent_again(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-L", 50)
        await grow.planted()
        h.fake.lose_next_response("create_plant_batch_plantings")
        await h.settle()
        batches = [b for b in h.fake.facilities[LICENSE].plant_batches.values() if b.name == "BD-L"]
        assert len(batches) == 1
        (planting,) = subs(h, grow)
        assert (planting.state, planting.attempts) == (SubmissionState.ACCEPTED, 1)
        assert planting.metrc_ids == (batches[0].id,)
        assert any(e.operation == "plantbatches.read_back" for e in h.db.sync_log)

    async def test_a_lost_count_adjustment_answer_is_not_applied_twice(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-C", 50)
        await grow.planted()
        await h.settle()
        await grow.adjusted(-7)
        h.fake.lose_next_response("adjust_plant_batches")
        await h.settle()
        assert metrc_batch(h, "BD-C").untracked_count == 43
        assert subs(h, grow)[-1].attempts == 1

    async def test_a_lost_growth_phase_answer_finds_the_tagged_plants(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-G", 10)
        await grow.planted()
        await grow.into_growth(h.plant_tags[:3])
        h.fake.lose_next_response("change_plant_batch_growth_phase")
        await h.settle()
        change = subs(h, grow)[-1]
        assert (change.state, change.attempts, len(change.metrc_ids)) == (
            SubmissionState.ACCEPTED, 1, 3,
        )  # fmt: skip
        assert metrc_batch(h, "BD-G").untracked_count == 7

    async def test_a_write_metrc_did_not_apply_is_sent_again_after_the_read_back(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-N", 10)
        await grow.planted()
        await h.settle()
        await grow.destroyed(2)
        h.fake.fail_next(
            "destroy_plant_batches",
            MetrcUnknownOutcomeError(
                "timeout (injected)", method="DELETE", path="/plantbatches/v2/"
            ),
        )
        await h.settle()
        assert metrc_batch(h, "BD-N").untracked_count == 8
        assert subs(h, grow)[-1].attempts == 2

    async def test_a_5xx_is_retried_with_backoff_and_lands_once(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-5", 10)
        await grow.planted()
        h.fake.fail_next(
            "create_plant_batch_plantings",
            MetrcTransientError("503 (injected)", status_code=503),
        )
        await h.settle()
        assert len(h.fake.facilities[LICENSE].plant_batches) == 1
        assert subs(h, grow)[0].state is SubmissionState.ACCEPTED

    async def test_metrc_changed_outside_canopy_is_a_conflict_for_a_person(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-O", 10)
        await grow.planted()
        await h.settle()
        await grow.adjusted(-1)
        h.fake.lose_next_response("adjust_plant_batches")
        await h.pusher.push_due()
        batch = metrc_batch(h, "BD-O")
        h.fake.facilities[LICENSE].plant_batches[batch.id] = batch.model_copy(
            update={"untracked_count": 4}
        )
        h.clock.advance(h.ctx.policy.read_back_after + timedelta(seconds=1))
        await h.recovery.recover()
        last = subs(h, grow)[-1]
        assert last.state is SubmissionState.REJECTED
        assert last.last_error is not None
        assert last.last_error.code is ProblemCode.PLANT_BATCH_CONFLICT


class TestThePlantBatchsMetrcId:
    async def test_a_planted_batch_shows_its_metrc_id_and_a_split_off_batch_its_own(self) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-M", 30)
        await grow.planted()
        queries = Queries(h.ctx)
        pending = await queries.plant_batch(grow.id)
        assert (pending.state, pending.metrc_id) == (PlantBatchMetrcState.PENDING, None)
        await h.settle()
        new = await grow.split("BD-M2", 10)
        await new.adjusted(-1)
        await h.settle()
        shown = await queries.plant_batch(grow.id)
        assert shown.state is PlantBatchMetrcState.IN_METRC
        assert shown.metrc_id == metrc_batch(h, "BD-M").id
        assert [s.kind for s in shown.submissions] == [
            SubmissionKind.PLANT_BATCH_PLANTING, SubmissionKind.PLANT_BATCH_SPLIT,
        ]  # fmt: skip
        split_off = await queries.plant_batch(new.id)
        assert (split_off.name, split_off.metrc_id) == ("BD-M2", metrc_batch(h, "BD-M2").id)
        assert [s.kind for s in split_off.submissions] == [
            SubmissionKind.PLANT_BATCH_SPLIT, SubmissionKind.PLANT_BATCH_ADJUST,
        ]  # fmt: skip

    async def test_a_rejected_planting_shows_the_batch_stopped_and_an_unknown_one_is_not_found(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "BD-R", 30)
        await grow.planted(strain="Unknown Kush")
        await h.settle()
        queries = Queries(h.ctx)
        assert (await queries.plant_batch(grow.id)).state is PlantBatchMetrcState.STOPPED
        with pytest.raises(NotFoundError):
            await queries.plant_batch(uuid4())


class TestHarvestsFollowInventory:
    async def test_plants_flower_and_a_harvest_its_waste_finish_and_unfinish_reach_metrc_in_order(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-1")
        plants = await grown_and_flowering(h, crop, 2)
        tags = list(plants)
        await crop.harvested(
            {tags[0]: (plants[tags[0]], "410.1234"), tags[1]: (plants[tags[1]], "389.8766")}
        )
        await crop.wasted("50.5")
        await crop.record(HarvestFinish(harvest_name="H-1", date=DAY))
        await h.settle()
        harvest = metrc_harvest(h, "H-1")
        assert (harvest.total_wet_weight, harvest.total_waste_weight, harvest.plant_count) == (
            Decimal("800.0000"), Decimal("50.5"), 2,
        )  # fmt: skip
        assert harvest.finished_date is not None
        await crop.record(HarvestUnfinish(harvest_name="H-1"))
        await h.settle()
        assert metrc_harvest(h, "H-1").finished_date is None
        kinds = [s.kind for s in h.submissions() if s.batch_id == crop.id]
        assert kinds == [
            SubmissionKind.HARVEST_PLANT, SubmissionKind.HARVEST_PLANT,
            SubmissionKind.HARVEST_WASTE, SubmissionKind.HARVEST_FINISH,
            SubmissionKind.HARVEST_UNFINISH,
        ]  # fmt: skip
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions())

    async def test_a_harvest_waits_for_its_plants_to_flower_in_metrc(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-W")
        plants = await grown_and_flowering(h, crop, 1)
        ((tag, plant_id),) = plants.items()
        await crop.harvested({tag: (plant_id, "100")})
        h.fake.fail_next(
            "change_plant_growth_phases", MetrcTransientError("503 (injected)", status_code=503)
        )
        await h.settle()
        assert metrc_harvest(h, "H-W").total_wet_weight == Decimal("100")
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions())

    async def test_lost_answers_of_a_harvested_plant_and_its_waste_are_read_back_not_resent(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-L")
        plants = await grown_and_flowering(h, crop, 1)
        ((tag, plant_id),) = plants.items()
        await h.settle()
        await crop.harvested({tag: (plant_id, "250.25")})
        await crop.wasted("10")
        h.fake.lose_next_response("harvest_plants")
        h.fake.lose_next_response("record_harvest_waste")
        await h.settle()
        harvest = metrc_harvest(h, "H-L")
        assert (harvest.total_wet_weight, harvest.total_waste_weight) == (
            Decimal("250.25"), Decimal("10"),
        )  # fmt: skip
        subs_of_crop = [s for s in h.submissions() if s.batch_id == crop.id]
        assert [(s.state, s.attempts) for s in subs_of_crop] == [
            (SubmissionState.ACCEPTED, 1), (SubmissionState.ACCEPTED, 1),
        ]  # fmt: skip

    async def test_a_drying_location_not_mapped_is_rejected_with_guidance(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-X")
        crop.dry = "nowhere"
        plants = await grown_and_flowering(h, crop, 1)
        ((tag, plant_id),) = plants.items()
        await crop.harvested({tag: (plant_id, "5")})
        await h.settle()
        last = [s for s in h.submissions() if s.batch_id == crop.id][-1]
        assert last.state is SubmissionState.REJECTED
        assert last.last_error is not None
        assert last.last_error.code is ProblemCode.LOCATION_NOT_MAPPED
