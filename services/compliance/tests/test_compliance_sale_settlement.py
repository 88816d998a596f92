"""A sent transfer's sale is settled by its manifest: the transition, the planner's rules for a
package that leaves on a manifest and for one the receiver rejected, the order it releases,
what reconciliation expects afterwards, and the service that settles the sales (in memory)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from compliance.domain import (
    AdjustPackage,
    FinishPackage,
    InvalidTransitionError,
    JurisdictionRules,
    LinkState,
    ManifestSettlement,
    OpeningBalance,
    PushAccepted,
    Submission,
    SubmissionKind,
    SubmissionState,
    TransferOut,
    Wait,
    plan_batch_change,
    readiness,
)
from compliance.domain.reconciliation import (
    FindingClass,
    FixKind,
    Lot,
    MetrcPackage,
    PendingWrite,
    ReconciliationInput,
    reconcile,
    write_effect,
)
from compliance.domain.transfer_manifests import ManifestState, PackageOutcome, sale_settlements
from compliance.service_layer.sale_settlement import SETTLE_OPERATION, settle_sales
from compliance.service_layer.transfer_manifest_ports import ManifestRow
from compliance.service_layer.transfer_manifest_rounds import ManifestUnitOfWork, save_steps
from compliance.testing import (
    ITEM,
    LICENSE,
    BatchScript,
    ComplianceHarness,
    colorado_rules,
)

NOW = datetime(2026, 3, 2, 17, tzinfo=UTC)
SITE = uuid4()
TAG = "1A4FF0100000022000000001"
TRANSFER = uuid4()


def rules() -> JurisdictionRules:
    return colorado_rules(SITE, LICENSE, item_map={"product-1": ITEM}, allow_opening_balance=True)


def settlement(*, accepted: bool = True, transfer_id: UUID = TRANSFER) -> ManifestSettlement:
    return ManifestSettlement(
        transfer_id=transfer_id,
        manifest_number="0000000042",
        accepted=accepted,
        received_quantity=Decimal("99.5") if accepted else None,
    )


def submission(intent: object, sequence: int = 1, batch_id: UUID | None = None) -> Submission:
    return Submission.new(
        id=uuid4(), sequence=sequence, license_number=LICENSE, site_id=SITE,
        batch_id=batch_id or UUID(int=1), intent=intent, now=NOW, actor="u",  # type: ignore[arg-type]
    )  # fmt: skip


def sale(transfer_id: UUID = TRANSFER, reference_type: str = "TRANSFER") -> TransferOut:
    return TransferOut(
        quantity=Decimal(100), reference_type=reference_type, reference_id=str(transfer_id)
    )


class TestTheTransition:
    def test_a_pending_sale_is_settled_by_its_manifest_without_ever_being_sent(self) -> None:
        s = submission(sale()).settle_by_manifest(NOW, settlement())
        assert (s.state, s.is_done, s.attempts, s.sent_at, s.completed_at) == (
            SubmissionState.SETTLED, True, 0, None, NOW,
        )  # fmt: skip
        assert s.settled_by == settlement()
        assert s.settled_by is not None
        assert s.settled_by.describe() == (
            "Settled by manifest 0000000042: accepted by the receiver (99.5 received)."
        )

    def test_a_rejected_package_settles_its_sale_and_says_it_never_left(self) -> None:
        s = submission(sale()).settle_by_manifest(NOW, settlement(accepted=False))
        assert s.state is SubmissionState.SETTLED
        assert s.settled_by is not None
        assert "rejected by the receiver" in s.settled_by.describe()

    @pytest.mark.parametrize(
        "intent",
        [
            sale(transfer_id=uuid4()),
            sale(reference_type="ORDER"),
            AdjustPackage(
                quantity=Decimal(-1), unit="Grams", cause="LOST", note=None, date=NOW.date()
            ),
        ],
        ids=["another transfer's sale", "an order's sale", "an adjustment"],
    )
    def test_only_the_transfers_own_sale_may_be_settled_by_its_manifest(
        self, intent: object
    ) -> None:
        with pytest.raises(InvalidTransitionError):
            submission(intent).settle_by_manifest(NOW, settlement())

    def test_a_settled_sale_cannot_be_settled_again(self) -> None:
        settled = submission(sale()).settle_by_manifest(NOW, settlement())
        with pytest.raises(InvalidTransitionError):
            settled.settle_by_manifest(NOW, settlement(accepted=False))


class TestPlanning:
    def script(self) -> tuple[BatchScript, object]:
        script = BatchScript(site_id=SITE, code="B-1", tag=TAG, source=OpeningBalance())
        link = plan_batch_change(script.created("100"), None, rules()).link
        return script, link

    def test_a_package_shipped_whole_plans_its_sale_and_no_finish(self) -> None:
        script, link = self.script()
        plan = plan_batch_change(script.ship("100", TRANSFER), link, rules())  # type: ignore[arg-type]
        (shipped,) = plan.intents
        assert isinstance(shipped, TransferOut)
        assert shipped.transfer_id == TRANSFER
        assert plan.link.planned is not None
        assert (plan.link.planned.quantity, plan.link.planned.finished) == (0, True)
        # A later change of the empty batch (sold out) plans no finish either: Metrc's
        # package left active inventory with the manifest.
        assert plan_batch_change(script.sold_out(), plan.link, rules()).intents == ()

    def test_a_package_rejected_on_its_manifest_comes_back_without_an_adjustment(self) -> None:
        script, link = self.script()
        shipped = plan_batch_change(script.ship("100", TRANSFER), link, rules())  # type: ignore[arg-type]
        back = plan_batch_change(script.rejected_back("100", TRANSFER), shipped.link, rules())
        assert back.intents == ()
        assert back.link.planned is not None
        assert (back.link.planned.quantity, back.link.planned.finished) == (100, False)
        # The package is active in Metrc again: a later change is planned against it, with no
        # unfinish first.
        later = plan_batch_change(script.adjust("-5", "LOST"), back.link, rules())
        assert [type(i) for i in later.intents] == [AdjustPackage]

    def test_a_customer_return_is_still_an_adjustment(self) -> None:
        script, link = self.script()
        sold = plan_batch_change(script.sell("100"), link, rules())  # type: ignore[arg-type]
        assert [type(i) for i in sold.intents] == [TransferOut, FinishPackage]
        back = plan_batch_change(script.give_back("5"), sold.link, rules())
        assert [i.cause for i in back.intents if isinstance(i, AdjustPackage)] == ["RETURN"]


class TestOrdering:
    def test_a_write_held_behind_a_sale_goes_once_its_manifest_settles(self) -> None:
        package = uuid4()
        shipped = submission(sale(), 1, package)
        finish = submission(FinishPackage(date=NOW.date()), 2, package)
        assert readiness([shipped, finish], NOW)[finish.id].wait is Wait.AWAITING_MANIFEST
        settled = shipped.settle_by_manifest(NOW, settlement())
        waits = readiness([settled, finish], NOW)
        assert settled.id not in waits
        assert waits[finish.id].wait is Wait.READY


class TestReconciliation:
    def data(self, physical: str, **changes: object) -> ReconciliationInput:
        lot = Lot(
            batch_id=UUID(int=1), site_id=SITE, code="B-1", state=LinkState.LINKED, tag=TAG,
            package_tag=TAG, physical=Decimal(physical), unit="Grams", product_id="product-1",
            product_name="Blue Dream", version=3,
        )  # fmt: skip
        # The mirror's last look at the package, taken before it left.
        package = MetrcPackage(
            label=TAG, metrc_id=7, status="active", quantity=Decimal(100), unit="Grams", item=ITEM
        )
        data = ReconciliationInput(
            license_number=LICENSE,
            lots=[lot],
            packages=[package],
            adjustments=[],
            writes=[],
            rules={SITE: rules()},
        )
        return replace(data, **changes)  # type: ignore[arg-type]

    def test_a_sale_waiting_for_its_manifest_is_pending(self) -> None:
        waiting = PendingWrite(
            submission_id=uuid4(),
            batch_id=UUID(int=1),
            kind=SubmissionKind.TRANSFER_OUT,
            state=SubmissionState.PENDING,
            effect=write_effect(SubmissionKind.TRANSFER_OUT, Decimal(100)),
        )
        (f,) = reconcile(self.data("0", writes=[waiting]))
        assert f.finding_class is FindingClass.PENDING_PUSH

    def test_a_package_the_receiver_accepted_is_expected_gone_and_is_no_finding(self) -> None:
        assert reconcile(self.data("0", departed=frozenset({UUID(int=1)}))) == []

    def test_a_package_the_receiver_rejected_is_expected_unchanged(self) -> None:
        assert reconcile(self.data("100")) == []

    def test_a_rejected_package_not_yet_returned_in_canopy_waits_for_its_return(self) -> None:
        # Settled at manifest time; inventory's RETURN not recorded: Canopy shows 0, Metrc 100.
        expecting = PendingWrite(
            submission_id=uuid4(),
            batch_id=UUID(int=1),
            kind=SubmissionKind.TRANSFER_OUT,
            state=SubmissionState.SETTLED,
            effect=write_effect(SubmissionKind.TRANSFER_OUT, Decimal(100)),
        )
        (f,) = reconcile(self.data("0", writes=[expecting]))
        assert (f.finding_class, f.fix.kind) == (FindingClass.PENDING_PUSH, FixKind.WAIT)

    def test_a_return_of_another_quantity_is_a_quantity_finding(self) -> None:
        (f,) = reconcile(self.data("90"))
        assert f.finding_class is not FindingClass.PENDING_PUSH
        assert (f.canopy_quantity, f.metrc_quantity) == (Decimal(90), Decimal(100))


class TestSettlingTheSales:
    async def shipped(self, h: ComplianceHarness, quantity: str = "100") -> BatchScript:
        b = h.batch(f"B-{uuid4().hex[:6]}", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(b.created(quantity))
        await h.settle()
        await h.record(b.ship(quantity, TRANSFER))
        return b

    async def test_each_shipped_sale_is_settled_once_with_no_metrc_write(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        taken, refused = await self.shipped(h), await self.shipped(h)
        writes_before = list(h.fake.writes)
        outcomes = sale_settlements(
            TRANSFER,
            "0000000042",
            {taken.tag or "": taken.batch_id, refused.tag or "": refused.batch_id},
            [
                PackageOutcome(label=taken.tag or "", accepted=True, received_quantity=Decimal(99)),
                PackageOutcome(label=refused.tag or "", accepted=False),
                PackageOutcome(label="NOT-OURS", accepted=True),
            ],
        )
        async with h.db.uow() as uow:
            settled = await settle_sales(uow, TRANSFER, outcomes, now=h.clock.now())
            await uow.commit()
        assert {s.batch_id: s.settled_by.accepted for s in settled if s.settled_by} == {
            taken.batch_id: True, refused.batch_id: False,
        }  # fmt: skip
        async with h.db.uow() as uow:  # the manifest seen settled again: nothing changes
            assert await settle_sales(uow, TRANSFER, outcomes, now=h.clock.now()) == []
        # Each settled sale is published done: reporting stops counting it pending.
        done = [e for e in h.db.events if isinstance(e, PushAccepted) and e.kind == "TRANSFER_OUT"]
        assert sorted((e.batch_id, e.state) for e in done) == sorted(
            (s.batch_id, "SETTLED") for s in settled
        )
        (entry,) = [e for e in h.db.sync_log if e.operation == SETTLE_OPERATION]
        assert (entry.status.value, entry.objects, entry.accepted, entry.rejected) == (
            "SUCCESS", 2, 1, 1,
        )  # fmt: skip

        # The rejected package comes back in inventory: no adjustment, nothing to push; its
        # sale no longer expects the RETURN (reconciliation).
        back = await h.record(refused.rejected_back("100", TRANSFER))
        assert back.submissions == ()
        returned = {
            s.batch_id: s.settled_by.returned
            for s in h.db.submissions.values()
            if s.settled_by is not None
        }
        assert returned == {taken.batch_id: False, refused.batch_id: True}
        await h.settle()
        assert h.fake.writes == writes_before
        async with h.db.uow() as uow:
            assert await uow.submissions.open_for_license(LICENSE) == []

    async def test_a_sale_recorded_after_its_manifest_settled_is_settled_as_it_is_stored(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = h.batch("B-late", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(b.created("10"))
        await h.settle()
        h.db.settled_sales[TRANSFER] = {b.batch_id: settlement()}
        recorded = await h.record(b.ship("10", TRANSFER))
        (s,) = recorded.submissions
        assert (s.kind, s.state, s.settled_by) == (
            SubmissionKind.TRANSFER_OUT, SubmissionState.SETTLED, settlement(),
        )  # fmt: skip
        assert h.db.submissions[s.id].state is SubmissionState.SETTLED
        # Published once, already done: planned and settled at one instant, the settled event
        # would carry the planned one's version and reporting would count the sale pending.
        assert [(type(e), e.state) for e in h.published(s.id)] == [(PushAccepted, "SETTLED")]
        assert h.published_in_order(s.id)
        assert [e.submission_ids for e in h.db.sync_log if e.operation == SETTLE_OPERATION] == [
            (s.id,)
        ]


class _RoundUnit:
    """The in-memory unit of work seen by a round's save: every manifest row saves, and the
    links it locks are recorded."""

    def __init__(self, inner: Any) -> None:
        self.submissions, self.sync_log, self.outbox = (
            inner.submissions,
            inner.sync_log,
            inner.outbox,
        )
        self.links = self.transfer_manifests = self
        self.locked: list[list[UUID]] = []

    async def lock(self, batch_ids: Collection[UUID]) -> None:
        self.locked.append(sorted(batch_ids))

    async def settled(self, *args: object, **kwargs: object) -> bool:
        return True


def manifest(*batches: UUID) -> ManifestRow:
    lines = [{"package_tag": f"TAG-{b}", "batch_id": str(b)} for b in batches]
    return ManifestRow(
        transfer_id=uuid4(), site_id=SITE, license_number=LICENSE, template_name="t",
        state=ManifestState.SETTLED, plan={"lines": lines}, manifest_number="0000000042",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


class TestARoundSettlingSeveralManifests:
    async def test_locks_every_shipped_batch_once_in_one_order_before_anything_else(self) -> None:
        h = ComplianceHarness()
        first, second = manifest(UUID(int=9), UUID(int=2)), manifest(UUID(int=5), UUID(int=1))
        steps = [
            (row, [PackageOutcome(label=tag, accepted=True) for tag in row.shipped_batches])
            for row in (first, second)
        ]
        async with h.db.uow() as inner:
            unit = _RoundUnit(inner)
            await save_steps(
                cast(ManifestUnitOfWork, unit), steps, claimed_until=NOW, now=lambda: NOW
            )
        # Locked all at once, sorted; each manifest's settlement then only re-takes its own.
        assert unit.locked[0] == [UUID(int=n) for n in (1, 2, 5, 9)]
