"""Packages made from a harvest and plant batches planted from a package reach Metrc exactly once,
in inventory's order, read back before any re-send; a 401 while reading a cultivation write back
waits for the keys instead of becoming a conflict: the service layer on the in-memory unit of
work and FakeMetrc."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from compliance.adapters.metrc import MetrcAuthError, MetrcUnknownOutcomeError, PlantBatch
from compliance.domain import (
    FromHarvest,
    IngredientDraw,
    LinkState,
    NotificationKind,
    OpeningBalance,
    ProblemCode,
    PushAccepted,
    PushPlanned,
    SubmissionKind,
    SubmissionState,
)
from compliance.domain.cultivation_intents import CultivationChange, HarvestFinish, PlantingSource
from compliance.domain.ordering import DRAW_WAIT, Wait, readiness
from compliance.service_layer.record_cultivation import record_cultivation_changes
from compliance.testing import LICENSE, STRAIN, BatchScript
from compliance.testing_cultivation import (
    DAY,
    Crop,
    CultivationHarness,
    Grow,
    grown_and_flowering,
    metrc_batch,
    metrc_harvest,
)

CLONES = "Blue Dream clones"


def harness() -> CultivationHarness:
    h = CultivationHarness(package_tags=5)
    h.fake.add_item(LICENSE, CLONES, "Immature Plants", "Each", strain=STRAIN)
    return h


async def harvested(h: CultivationHarness, crop: Crop, *weights: str) -> None:
    plants = await grown_and_flowering(h, crop, len(weights))
    await crop.harvested(
        {tag: (plant_id, w) for (tag, plant_id), w in zip(plants.items(), weights, strict=True)}
    )


def from_harvest(h: CultivationHarness, crop: Crop, code: str = "P-1") -> BatchScript:
    return h.batch(code, source=FromHarvest(harvest_id=str(crop.id), harvest_name=crop.name))


def waits(h: CultivationHarness, batch: BatchScript) -> Wait:
    (create,) = h.submissions(batch)
    return readiness(h.db.submissions.values(), h.clock.now())[create.id].wait


def sent(h: CultivationHarness, operation: str) -> int:
    return len([w for w in h.fake.writes if w[0] == operation])


class _LocksTaken:
    """A unit of work's links, recording each lock taken (and taking it)."""

    def __init__(self, links: Any) -> None:
        self._links = links
        self.taken: list[set[UUID]] = []

    async def lock(self, batch_ids: Collection[UUID]) -> None:
        self.taken.append(set(batch_ids))
        await self._links.lock(batch_ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._links, name)


class TestOneEventsDraws:
    async def test_lock_every_package_they_go_into_in_one_call_before_any_is_recorded(
        self,
    ) -> None:
        # One packaging of packages [P2, P1]: locked one by one in the event's order, the
        # consumer could hold P2 waiting for P1 while an acceptance or a claim (each locking
        # its links sorted, in one statement) holds P1 waiting for P2.
        h = harness()
        await h.save_keys()
        harvest, p2, p1 = uuid4(), UUID(int=2), UUID(int=1)
        draws = [
            CultivationChange(
                site_id=h.site_id,
                aggregate_id=harvest,
                actor="grower",
                intent=IngredientDraw(into_batch_id=into, quantity=Decimal("10")),
                occurred_at=h.clock.now(),
                event_id=uuid4(),
            )
            for into in (p2, p1)
        ]
        async with h.db.uow() as uow:
            links = _LocksTaken(uow.links)
            uow.links = links  # type: ignore[assignment]
            recorded = await record_cultivation_changes(uow, draws, now=h.clock.now())
            await uow.commit()
        assert links.taken == [{p1, p2}]  # once; the store takes one call's links sorted
        assert [s.intent for s in recorded if s is not None] == [d.intent for d in draws]


class TestPackagesFromAHarvest:
    async def test_a_package_is_created_from_the_harvest_once_linked_and_the_harvest_goes_down(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-P")
        await harvested(h, crop, "600.5", "399.5")
        batch = from_harvest(h, crop)
        await h.record(batch.created("250.125"))
        await crop.packaged(batch.batch_id, "250.125")
        await h.settle()
        package = h.package(batch)
        assert package is not None
        assert (package.quantity, package.unit_of_measure_name) == (Decimal("250.125"), "Grams")
        harvest = metrc_harvest(h, "H-P")
        assert (harvest.current_weight, harvest.total_packaged_weight, harvest.package_count) == (
            Decimal("749.875"), Decimal("250.125"), 1,
        )  # fmt: skip
        (create,) = h.submissions(batch)
        assert (create.kind, create.state, create.metrc_ids) == (
            SubmissionKind.CREATE_HARVEST_PACKAGE, SubmissionState.ACCEPTED, (package.id,),
        )  # fmt: skip
        link = h.link(batch)
        assert link is not None
        assert (link.state, link.tag) == (LinkState.LINKED, package.label)
        assert sent(h, "create_harvest_packages") == 1
        draw = [s for s in h.submissions() if s.batch_id == crop.id][-1]
        assert draw.state is SubmissionState.ACCEPTED  # the harvest's draw, settled by the create
        assert [type(e) for e in h.db.events if getattr(e, "submission_id", None) == draw.id] == [
            PushPlanned, PushAccepted,
        ]  # fmt: skip
        assert "harvests.packages" in {e.operation for e in h.db.sync_log}

    async def test_the_batchs_later_changes_go_to_its_new_package(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-A")
        await harvested(h, crop, "500")
        batch = from_harvest(h, crop)
        await h.record(batch.created("200"))
        await h.record(batch.adjust("-12.5"))
        await crop.packaged(batch.batch_id, "200")
        await h.settle()
        package = h.package(batch)
        assert package is not None
        assert package.quantity == batch.physical == Decimal("187.5")
        assert metrc_harvest(h, "H-A").current_weight == Decimal("300")

    async def test_a_package_recorded_before_the_harvest_waits_for_the_harvests_writes(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-E")
        plants = await grown_and_flowering(h, crop, 1)
        batch = from_harvest(h, crop)
        # The batch's event is consumed before the harvest's (another topic).
        await h.record(batch.created("100"))
        await h.pusher.push_due()
        assert waits(h, batch) is Wait.AWAITING_INGREDIENT_DRAW
        ((tag, plant_id),) = plants.items()
        await crop.harvested({tag: (plant_id, "300")})
        await crop.packaged(batch.batch_id, "100")
        assert waits(h, batch) is Wait.BEHIND_EARLIER_WRITE
        await h.settle()
        assert metrc_harvest(h, "H-E").current_weight == Decimal("200")
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions())

    async def test_the_harvests_finish_waits_for_its_packages(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-F")
        await harvested(h, crop, "300")
        first, second = from_harvest(h, crop, "P-1"), from_harvest(h, crop, "P-2")
        await crop.packaged(first.batch_id, "100")
        await crop.packaged(second.batch_id, "150")
        await crop.wasted("50")
        await crop.record(HarvestFinish(harvest_name="H-F", date=DAY))
        await h.settle()
        # Nothing of the harvest after its packagings went before their creates.
        assert metrc_harvest(h, "H-F").finished_date is None
        await h.record(first.created("100"))
        await h.record(second.created("150"))
        await h.settle()
        harvest = metrc_harvest(h, "H-F")
        assert harvest.finished_date is not None
        assert (harvest.current_weight, harvest.total_packaged_weight) == (Decimal(0), Decimal(250))
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions())

    async def test_a_package_whose_draw_was_never_written_goes_at_its_own_place_after_the_wait(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-O")
        await harvested(h, crop, "400")
        await h.settle()
        batch = from_harvest(h, crop)
        # Its harvest's packaging was consumed by a compliance that wrote no draw (from before
        # packages from harvests were pushed): only the batch's create is recorded.
        await h.record(batch.created("150"))
        await h.pusher.push_due()
        assert waits(h, batch) is Wait.AWAITING_INGREDIENT_DRAW
        h.clock.advance(DRAW_WAIT - timedelta(seconds=1))
        assert waits(h, batch) is Wait.AWAITING_INGREDIENT_DRAW
        h.clock.advance(timedelta(seconds=1))
        assert waits(h, batch) is Wait.READY
        await h.settle()
        (create,) = h.submissions(batch)
        assert create.state is SubmissionState.ACCEPTED
        assert metrc_harvest(h, "H-O").current_weight == Decimal(250)
        # A draw that does come later has nothing left to order: it is settled at once and
        # holds nothing of the harvest back.
        await crop.packaged(batch.batch_id, "150")
        await crop.wasted("250")
        await crop.record(HarvestFinish(harvest_name="H-O", date=DAY))
        await h.settle()
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions())
        assert metrc_harvest(h, "H-O").finished_date is not None

    async def test_a_draw_recorded_after_its_package_was_made_publishes_that_it_is_done(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-D")
        await harvested(h, crop, "400")
        batch = from_harvest(h, crop)
        await h.record(batch.created("150"))
        h.clock.advance(DRAW_WAIT)
        await h.settle()
        await crop.packaged(batch.batch_id, "150")
        (draw,) = [s for s in h.submissions() if s.kind is SubmissionKind.INGREDIENT_DRAW]
        assert draw.state is SubmissionState.ACCEPTED
        # Reporting counts a write pending until it hears it is done: published once, already
        # done (a "planned" at the same instant would hide the "accepted" from reporting).
        assert [type(e) for e in h.published(draw.id)] == [PushAccepted]
        assert h.published_in_order(draw.id)

    async def test_a_package_waiting_for_its_draw_goes_behind_the_harvests_earlier_writes(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-W")
        await harvested(h, crop, "400")
        batch = from_harvest(h, crop)
        await h.record(batch.created("150"))
        h.clock.advance(DRAW_WAIT)
        # Past the wait, the harvest's writes recorded before the create still go first.
        assert waits(h, batch) is Wait.BEHIND_EARLIER_WRITE

    async def test_a_lost_answer_is_read_back_by_tag_and_not_sent_again(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-L")
        await harvested(h, crop, "400")
        batch = from_harvest(h, crop)
        await h.record(batch.created("120"))
        await crop.packaged(batch.batch_id, "120")
        h.fake.lose_next_response("create_harvest_packages")
        await h.settle()
        (create,) = h.submissions(batch)
        assert (create.state, create.attempts) == (SubmissionState.ACCEPTED, 1)
        assert sent(h, "create_harvest_packages") == 1
        assert metrc_harvest(h, "H-L").current_weight == Decimal("280")
        assert "packages.read_back" in {e.operation for e in h.db.sync_log}

    async def test_a_create_metrc_did_not_apply_is_sent_once_more(self) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-N")
        await harvested(h, crop, "400")
        batch = from_harvest(h, crop)
        await h.record(batch.created("120"))
        await crop.packaged(batch.batch_id, "120")
        h.fake.fail_next(
            "create_harvest_packages",
            MetrcUnknownOutcomeError("timeout (injected)", method="POST", path="/harvests"),
        )
        await h.settle()
        (create,) = h.submissions(batch)
        assert (create.state, create.attempts) == (SubmissionState.ACCEPTED, 2)
        assert metrc_harvest(h, "H-N").current_weight == Decimal("280")
        assert len(h.fake.facilities[LICENSE].packages) == 1

    async def test_a_harvest_without_a_name_is_rejected_with_guidance_and_nothing_sent(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        crop = Crop(h, "H-X")
        await harvested(h, crop, "40")
        batch = h.batch("P-X", source=FromHarvest(harvest_id=str(crop.id)))
        await h.record(batch.created("10"))
        await crop.packaged(batch.batch_id, "10")
        await h.settle()
        (create,) = h.submissions(batch)
        assert create.state is SubmissionState.REJECTED
        assert create.last_error is not None
        assert create.last_error.code is ProblemCode.SOURCE_REQUIRED
        assert sent(h, "create_harvest_packages") == 0


async def clone_package(h: CultivationHarness, quantity: str = "50") -> BatchScript:
    clones = h.batch("CL-1", product_name=CLONES, unit="Each", source=OpeningBalance())
    await h.record(clones.created(quantity))
    await h.settle()
    return clones


class TestPlantingsFromAPackage:
    async def test_a_planting_from_a_package_takes_the_drawn_quantity_out_of_it_once(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        clones = await clone_package(h)
        grow = Grow(h, "PB-C", 20)
        await h.record(clones.consumed("20", grow.id, into_type="PLANT_BATCH"))
        await grow.planted(
            source=PlantingSource(batch_id=clones.batch_id, quantity=Decimal("20"), unit="Each")
        )
        await h.settle()
        package = h.package(clones)
        assert package is not None
        assert package.quantity == clones.physical == Decimal("30")
        batch: PlantBatch = metrc_batch(h, "PB-C")
        assert (batch.untracked_count, batch.source_package_label) == (20, package.label)
        assert [s.kind for s in h.submissions(clones)] == [
            SubmissionKind.CREATE_PACKAGE, SubmissionKind.INGREDIENT_DRAW,
        ]  # fmt: skip
        assert sent(h, "adjust_packages") == 0
        (planting,) = [s for s in h.submissions() if s.batch_id == grow.id]
        assert (planting.kind, planting.state, planting.metrc_ids) == (
            SubmissionKind.PLANT_BATCH_FROM_PACKAGE, SubmissionState.ACCEPTED, (batch.id,),
        )  # fmt: skip
        # The package's later writes are not held back by the draw.
        await h.record(clones.adjust("-5"))
        await h.settle()
        assert h.fake.facilities[LICENSE].packages[package.label].quantity == Decimal("25")

    async def test_a_planting_consumed_before_the_draw_waits_for_it(self) -> None:
        h = harness()
        await h.save_keys()
        clones = await clone_package(h)
        grow = Grow(h, "PB-W", 10)
        await grow.planted(
            source=PlantingSource(batch_id=clones.batch_id, quantity=Decimal("10"), unit="Each")
        )
        await h.pusher.push_due()
        (planting,) = [s for s in h.submissions() if s.batch_id == grow.id]
        assert readiness(h.db.submissions.values(), h.clock.now())[planting.id].wait is (
            Wait.AWAITING_INGREDIENT_DRAW
        )
        await h.record(clones.consumed("10", grow.id, into_type="PLANT_BATCH"))
        await h.settle()
        package = h.package(clones)
        assert package is not None
        assert package.quantity == clones.physical == Decimal("40")
        assert metrc_batch(h, "PB-W").untracked_count == 10

    async def test_a_lost_answer_is_read_back_by_the_batch_name_and_not_sent_again(
        self,
    ) -> None:
        h = harness()
        await h.save_keys()
        clones = await clone_package(h)
        grow = Grow(h, "PB-L", 15)
        await h.record(clones.consumed("15", grow.id, into_type="PLANT_BATCH"))
        await grow.planted(
            source=PlantingSource(batch_id=clones.batch_id, quantity=Decimal("15"), unit="Each")
        )
        h.fake.lose_next_response("create_plant_batches_from_packages")
        await h.settle()
        (planting,) = [s for s in h.submissions() if s.batch_id == grow.id]
        assert (planting.state, planting.attempts) == (SubmissionState.ACCEPTED, 1)
        assert planting.metrc_ids == (metrc_batch(h, "PB-L").id,)
        package = h.package(clones)
        assert package is not None
        assert package.quantity == clones.physical == Decimal("35")


class TestAKeyRefusedDuringACultivationReadBack:
    async def test_a_401_marks_the_keys_invalid_and_the_write_is_read_back_once_they_work(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        h = harness()
        await h.save_keys()
        grow = Grow(h, "PB-K", 12)
        await grow.planted()
        h.fake.lose_next_response("create_plant_batch_plantings")
        await h.pusher.push_due()

        async def refused(*_: object, **__: object) -> None:
            raise MetrcAuthError("Unauthorized (injected)", status_code=401)

        # The facility list still answers (the keys "work"): only the cultivation read is refused.
        monkeypatch.setattr(h.fake, "find_plant_batch", refused)
        h.clock.advance(h.ctx.policy.read_back_after + timedelta(seconds=1))
        report = await h.recovery.recover()
        (planting,) = [s for s in h.submissions() if s.batch_id == grow.id]
        assert planting.state is SubmissionState.IN_FLIGHT
        assert LICENSE in report.skipped
        assert report.conflicts == 0
        kinds = {n.kind for n in h.db.notifications.values()}
        assert NotificationKind.KEY_INVALID in kinds
        assert NotificationKind.PUSH_FAILED not in kinds

        monkeypatch.undo()
        await h.save_keys()
        await h.settle()
        (planting,) = [s for s in h.submissions() if s.batch_id == grow.id]
        assert (planting.state, planting.attempts) == (SubmissionState.ACCEPTED, 1)
        assert metrc_batch(h, "PB-K").untracked_count == 12
