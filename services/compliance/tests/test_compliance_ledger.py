"""The submission ledger: its state machine, the order writes to one package go in, how ready
writes are grouped into requests, and how a rejected request is split."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from compliance.domain import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    FromBatches,
    Ingredient,
    IngredientDraw,
    Intent,
    InvalidTransitionError,
    LinkPackage,
    OpeningBalance,
    ProblemCode,
    SentAs,
    Submission,
    SubmissionKind,
    SubmissionState,
    TransferOut,
    Wait,
    group_requests,
    problem,
    readiness,
    ready,
    split_rejection,
)
from compliance.domain.cultivation_intents import PlantBatchPlanting, PlantingSource

NOW = datetime(2026, 3, 2, 17, tzinfo=UTC)
DAY = date(2026, 3, 2)
SITE = uuid4()


def adjust(quantity: str = "-1") -> AdjustPackage:
    return AdjustPackage(
        quantity=Decimal(quantity), unit="Grams", cause="LOST", note=None, date=DAY
    )


def create(source: OpeningBalance | FromBatches | None = None) -> CreatePackage:
    return CreatePackage(
        quantity=Decimal(10),
        unit="Grams",
        product_id="p",
        product_name="P",
        location_id=None,
        source=source or OpeningBalance(),
        date=DAY,
    )


class Ledger:
    def __init__(self) -> None:
        self.sequence = 0

    def add(self, batch: UUID, intent: Intent, **changes: object) -> Submission:
        self.sequence += 1
        s = Submission.new(
            id=uuid4(), sequence=self.sequence, license_number="L", site_id=SITE, batch_id=batch,
            intent=intent, now=NOW, actor="u",
        )  # fmt: skip
        return replace(s, **changes)  # type: ignore[arg-type]


SENT = SentAs(tag="1A4FF0100000022000000001")


class TestStateMachine:
    def test_a_write_goes_pending_in_flight_accepted_counting_its_attempts(self) -> None:
        s = Ledger().add(uuid4(), adjust())
        sent = s.send(NOW, sent_as=SENT)
        assert (sent.state, sent.attempts, sent.tag, sent.first_sent_at) == (
            SubmissionState.IN_FLIGHT,
            1,
            SENT.tag,
            NOW,
        )
        done = sent.accept(NOW + timedelta(seconds=1), metrc_ids=(7,))
        assert (done.state, done.metrc_ids, done.completed_at) == (
            SubmissionState.ACCEPTED,
            (7,),
            NOW + timedelta(seconds=1),
        )
        assert done.is_done

    def test_a_write_cannot_be_accepted_before_it_was_sent(self) -> None:
        with pytest.raises(InvalidTransitionError) as raised:
            Ledger().add(uuid4(), adjust()).accept(NOW)
        assert raised.value.code == "SUBMISSION_STATE_CONFLICT"

    def test_a_sale_waiting_for_its_manifest_is_never_sent(self) -> None:
        s = Ledger().add(
            uuid4(), TransferOut(quantity=Decimal(1), reference_type=None, reference_id=None)
        )
        with pytest.raises(InvalidTransitionError):
            s.send(NOW, sent_as=SENT)

    def test_requeued_writes_keep_their_attempts_and_a_manual_retry_starts_them_afresh(
        self,
    ) -> None:
        s = Ledger().add(uuid4(), adjust()).send(NOW, sent_as=SENT)
        error = problem(ProblemCode.METRC_UNAVAILABLE, "503")
        again = s.requeue(retry_at=NOW + timedelta(seconds=5), error=error).send(NOW, sent_as=SENT)
        assert again.attempts == 2
        failed = again.fail(NOW, error)
        assert failed.state is SubmissionState.FAILED
        assert not failed.is_done
        retried = failed.retry(NOW)
        assert (retried.state, retried.attempts, retried.manual_retries) == (
            SubmissionState.PENDING,
            0,
            1,
        )

    def test_a_dismissed_failure_is_done_and_cannot_be_dismissed_twice(self) -> None:
        s = (
            Ledger()
            .add(uuid4(), adjust())
            .send(NOW, sent_as=SENT)
            .reject(NOW, problem(ProblemCode.METRC_REJECTED, "no"))
        )
        dismissed = s.dismiss(NOW, actor="qa")
        assert dismissed.is_done
        assert dismissed.dismissed_by == "qa"
        with pytest.raises(InvalidTransitionError):
            dismissed.dismiss(NOW, actor="qa")
        with pytest.raises(InvalidTransitionError):
            Ledger().add(uuid4(), adjust()).dismiss(NOW, actor="qa")

    def test_an_accepted_write_is_final(self) -> None:
        done = Ledger().add(uuid4(), adjust()).send(NOW, sent_as=SENT).accept(NOW)
        for action in (
            lambda: done.retry(NOW),
            lambda: done.requeue(retry_at=NOW, error=None),
            lambda: done.reject(NOW, problem(ProblemCode.METRC_REJECTED, "x")),
        ):
            with pytest.raises(InvalidTransitionError):
                action()


class TestOrderPerPackage:
    def test_only_the_first_open_write_of_a_package_is_ready(self) -> None:
        ledger, a, b = Ledger(), uuid4(), uuid4()
        q = [ledger.add(a, create()), ledger.add(a, adjust()), ledger.add(b, adjust())]
        assert [s.id for s in ready(q, NOW)] == [q[0].id, q[2].id]
        waits = readiness(q, NOW)
        assert waits[q[1].id].wait is Wait.BEHIND_EARLIER_WRITE
        assert waits[q[1].id].blocker == q[0].id

    def test_a_write_in_flight_holds_back_the_next_one(self) -> None:
        ledger, a = Ledger(), uuid4()
        first = ledger.add(a, adjust()).send(NOW, sent_as=SENT)
        second = ledger.add(a, adjust())
        assert ready([first, second], NOW) == []
        assert readiness([first, second], NOW)[first.id].wait is Wait.IN_FLIGHT

    def test_a_rejected_write_holds_back_its_package_until_retried_or_dismissed(self) -> None:
        ledger, a = Ledger(), uuid4()
        rejected = (
            ledger.add(a, create())
            .send(NOW, sent_as=SENT)
            .reject(NOW, problem(ProblemCode.TAG_INVALID, "bad tag"))
        )
        behind = ledger.add(a, adjust())
        assert readiness([rejected, behind], NOW)[behind.id].wait is Wait.BEHIND_FAILED_WRITE
        assert ready([rejected.dismiss(NOW, actor="qa"), behind], NOW) == [behind]

    def test_a_write_not_yet_due_waits(self) -> None:
        s = Ledger().add(uuid4(), adjust(), next_attempt_at=NOW + timedelta(seconds=1))
        assert readiness([s], NOW)[s.id].wait is Wait.NOT_DUE
        assert ready([s], NOW + timedelta(seconds=1)) == [s]

    def test_a_sale_awaiting_its_manifest_lets_adjustments_and_moves_pass_but_not_a_finish(
        self,
    ) -> None:
        ledger, a = Ledger(), uuid4()
        sale = ledger.add(
            a, TransferOut(quantity=Decimal(5), reference_type="ORDER", reference_id="1")
        )
        later_adjust = ledger.add(a, adjust())
        move = ledger.add(a, ChangeLocation(location_id="back", date=DAY))
        finish = ledger.add(a, FinishPackage(date=DAY))
        waits = readiness([sale, later_adjust, move, finish], NOW)
        assert waits[sale.id].wait is Wait.AWAITING_MANIFEST
        assert waits[later_adjust.id].is_ready
        assert (
            waits[move.id].wait is Wait.BEHIND_EARLIER_WRITE
        )  # behind the adjustment, not the sale
        assert waits[finish.id].wait in (Wait.AWAITING_MANIFEST, Wait.BEHIND_EARLIER_WRITE)
        assert readiness([sale, finish], NOW)[finish.id].wait is Wait.AWAITING_MANIFEST

    def test_a_planting_from_a_package_goes_past_the_packages_sale_awaiting_its_manifest(
        self,
    ) -> None:
        ledger, package, plants = Ledger(), uuid4(), uuid4()
        sale = ledger.add(
            package, TransferOut(quantity=Decimal(5), reference_type="ORDER", reference_id="1")
        )
        planting = ledger.add(
            plants,
            PlantBatchPlanting(
                name="PB-1", plant_type="Clone", count=4, strain="OG", location_id="veg",
                date=DAY, source=PlantingSource(batch_id=package, quantity=Decimal(4), unit="Each"),
            ),
        )  # fmt: skip
        draw = ledger.add(package, IngredientDraw(into_batch_id=plants, quantity=Decimal(4)))
        waits = readiness([sale, planting, draw], NOW)
        # Metrc still holds the sold stock until the manifest, so the planting need not wait.
        assert waits[planting.id].is_ready
        assert waits[sale.id].wait is Wait.AWAITING_MANIFEST

    def test_a_package_made_from_others_waits_for_each_sources_draw_and_the_writes_before_it(
        self,
    ) -> None:
        ledger, source, other, made = Ledger(), uuid4(), uuid4(), uuid4()
        recipe = FromBatches((Ingredient(source, Decimal(3)), Ingredient(other, Decimal(2))))
        before = ledger.add(source, adjust("+5"))
        new = ledger.add(made, create(recipe))
        draw = ledger.add(source, IngredientDraw(into_batch_id=made, quantity=Decimal(3)))
        after = ledger.add(source, adjust())
        queue = [before, new, draw, after]
        waits = readiness(queue, NOW)
        assert waits[new.id].wait is Wait.BEHIND_EARLIER_WRITE  # the source's earlier write first
        done_before = before.send(NOW, sent_as=SENT).accept(NOW)
        waits = readiness([done_before, new, draw, after], NOW)
        assert (
            waits[new.id].wait is Wait.AWAITING_INGREDIENT_DRAW
        )  # the other source's draw not seen
        other_draw = ledger.add(other, IngredientDraw(into_batch_id=made, quantity=Decimal(2)))
        waits = readiness([done_before, new, draw, after, other_draw], NOW)
        assert waits[new.id].is_ready
        assert waits[draw.id].wait is Wait.AWAITING_PACKAGE_CREATE
        assert waits[draw.id].blocker == new.id
        assert (
            waits[after.id].wait is Wait.BEHIND_EARLIER_WRITE
        )  # the source's later writes wait for the create
        assert waits[after.id].blocker == draw.id

    def test_two_packages_drawing_on_one_source_are_created_one_after_the_other(self) -> None:
        ledger, source, first, second = Ledger(), uuid4(), uuid4(), uuid4()
        create_first = ledger.add(first, create(FromBatches((Ingredient(source, Decimal(1)),))))
        create_second = ledger.add(second, create(FromBatches((Ingredient(source, Decimal(1)),))))
        draw_first = ledger.add(source, IngredientDraw(into_batch_id=first, quantity=Decimal(1)))
        draw_second = ledger.add(source, IngredientDraw(into_batch_id=second, quantity=Decimal(1)))
        queue = [create_first, create_second, draw_first, draw_second]
        assert [s.id for s in ready(queue, NOW)] == [create_first.id]


class TestGrouping:
    def test_ready_writes_go_ten_to_a_request_by_kind_in_ledger_order(self) -> None:
        ledger = Ledger()
        writes = [ledger.add(uuid4(), adjust()) for _ in range(23)] + [
            ledger.add(uuid4(), create()) for _ in range(3)
        ]
        requests = group_requests(writes)
        assert [(r.kind, len(r.submissions)) for r in requests] == [
            (SubmissionKind.ADJUST_PACKAGE, 10),
            (SubmissionKind.ADJUST_PACKAGE, 10),
            (SubmissionKind.ADJUST_PACKAGE, 3),
            (SubmissionKind.CREATE_PACKAGE, 3),
        ]
        assert [s for r in requests for s in r.submissions] == writes

    def test_a_request_never_carries_two_writes_to_one_package(self) -> None:
        ledger, a = Ledger(), uuid4()
        requests = group_requests(
            [ledger.add(a, adjust()), ledger.add(uuid4(), adjust()), ledger.add(a, adjust())]
        )
        assert [len(r.submissions) for r in requests] == [2, 1]

    def test_a_create_shares_no_request_with_a_write_to_its_source(self) -> None:
        ledger, source = Ledger(), uuid4()
        first = ledger.add(uuid4(), create(FromBatches((Ingredient(source, Decimal(1)),))))
        second = ledger.add(uuid4(), create(FromBatches((Ingredient(source, Decimal(1)),))))
        assert [len(r.submissions) for r in group_requests([first, second])] == [1, 1]

    def test_licenses_never_share_a_request(self) -> None:
        ledger = Ledger()
        mine, theirs = (
            ledger.add(uuid4(), adjust()),
            ledger.add(uuid4(), adjust(), license_number="OTHER"),
        )
        assert len(group_requests([mine, theirs])) == 2


class TestSplittingARejection:
    def test_the_rows_metrc_named_fail_and_the_rest_are_sent_again_without_them(self) -> None:
        ledger = Ledger()
        request = [ledger.add(uuid4(), adjust()) for _ in range(10)]
        split = split_rejection(
            request,
            [
                (3, "Package X does not exist."),
                (7, "Adjustment Reason Y is not valid."),
                (3, "second"),
            ],
        )
        assert [(s.id, m) for s, m in split.rejected] == [
            (request[3].id, ("Package X does not exist.", "second")),
            (request[7].id, ("Adjustment Reason Y is not valid.",)),
        ]
        assert split.resend == (tuple(s for i, s in enumerate(request) if i not in (3, 7)),)

    def test_when_metrc_names_no_row_every_row_is_sent_alone(self) -> None:
        ledger = Ledger()
        request = [ledger.add(uuid4(), adjust()) for _ in range(3)]
        for rows in ([(None, "Something is wrong.")], [(5, "row out of range")], []):
            split = split_rejection(request, rows)
            assert split.rejected == ()
            assert split.resend == tuple((s,) for s in request)

    def test_a_single_row_rejected_is_that_rows_fault(self) -> None:
        only = Ledger().add(uuid4(), adjust())
        assert split_rejection([only], [(None, "Nope.")]).rejected == ((only, ("Nope.",)),)

    def test_all_rows_bad_leaves_nothing_to_resend(self) -> None:
        ledger = Ledger()
        request = [
            ledger.add(
                uuid4(),
                LinkPackage(quantity=Decimal(1), unit="g", product_id="p", product_name="P"),
            )
            for _ in range(2)
        ]
        split = split_rejection(request, [(0, "a"), (1, "b")])
        assert split.resend == ()
        assert len(split.rejected) == 2
