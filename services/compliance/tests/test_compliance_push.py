"""Every inventory change reaches Metrc exactly once, in order per package, and the operator
sees each push: the service layer on the in-memory unit of work and FakeMetrc."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from compliance.adapters.metrc import (
    MetrcRateLimitedError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    Package,
)
from compliance.domain import (
    FromBatches,
    Ingredient,
    KeyStatus,
    LinkState,
    NotificationKind,
    OpeningBalance,
    PackageLinkChanged,
    ProblemCode,
    Program,
    PushAccepted,
    PushFailed,
    PushPlanned,
    PushPolicy,
    PushRejected,
    ReceivedByTransfer,
    SubmissionKind,
    SubmissionState,
    SyncStatus,
)
from compliance.testing import ITEM, LICENSE, BatchScript, ComplianceHarness


def writes(h: ComplianceHarness, operation: str) -> list[int]:
    """Sizes of the writes of one kind that reached Metrc."""
    return [len(objects) for op, _, objects in h.fake.writes if op == operation]


async def intake(h: ComplianceHarness, quantity: str = "100", **kwargs: object) -> BatchScript:
    kwargs.setdefault("source", OpeningBalance())
    if "tag" not in kwargs:
        kwargs["tag"] = h.tags.pop(0)
    b = h.batch(f"B-{uuid4().hex[:6]}", **kwargs)
    await h.record(b.created(quantity))
    return b


class TestPackagesFollowBatches:
    async def test_an_intake_creates_exactly_one_package_with_the_batchs_tag_item_quantity_and_unit(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h, "100.5")
        report = await h.pusher.push_due()
        assert (report.requests, report.accepted) == (1, 1)
        package = h.package(b)
        assert package is not None
        assert (package.label, package.item_name, package.quantity, package.unit_of_measure_name) == (
            b.tag, ITEM, Decimal("100.5"), "Grams",
        )  # fmt: skip
        link = h.link(b)
        assert link is not None
        assert link.state is LinkState.LINKED
        assert link.metrc_package_id == package.id
        assert writes(h, "create_packages") == [1]
        assert h.db.sync_log[-1].status is SyncStatus.SUCCESS
        assert h.db.sync_log[-1].operation == "packages.create"
        kinds = [type(e) for e in h.db.events if e.batch_id == b.batch_id]
        assert kinds == [PushPlanned, PackageLinkChanged, PushAccepted, PackageLinkChanged]

    async def test_adjustments_moves_finish_and_unfinish_are_mirrored(self) -> None:
        h = ComplianceHarness(track_locations=True)
        await h.save_keys()
        b = await intake(h, "100")
        for change in (
            b.adjust("-2.5", "COUNT_DISCREPANCY", "cycle count"),
            b.dispose("1.5"),
            b.move("60", "back"),
            b.sample("1"),
        ):
            await h.record(change)
        await h.settle()
        package = h.package(b)
        assert package is not None
        assert (package.quantity, package.location_name) == (Decimal("95.0"), "Back Room")
        adjustments = h.fake.facilities[LICENSE].adjustments
        assert [(a.adjustment_quantity, a.adjustment_reason_name) for a in adjustments] == [
            (Decimal("-2.5"), "Entry Error"), (Decimal("-1.5"), "Waste"), (Decimal("-1"), "Entry Error"),
        ]  # fmt: skip
        assert adjustments[0].adjustment_note is not None
        assert adjustments[0].adjustment_note.startswith("cycle count [canopy:")
        await h.record(b.adjust("-95", "LOST"))
        await h.settle()
        assert h.package(b).is_finished  # type: ignore[union-attr]
        await h.record(b.give_back("4"))
        await h.settle()
        package = h.package(b)
        assert package is not None
        assert not package.is_finished
        assert package.quantity == Decimal("4")
        assert all(s.state is SubmissionState.ACCEPTED for s in h.submissions(b))

    async def test_an_intake_succeeds_and_is_recorded_while_metrc_is_unreachable(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        calls = len(h.connector.connections)
        b = await intake(h)
        assert len(h.connector.connections) == calls  # recording never calls Metrc
        assert [s.state for s in h.submissions(b)] == [SubmissionState.PENDING]

    async def test_a_site_without_metrc_pushes_nothing_and_says_so(self) -> None:
        h = ComplianceHarness(program=Program.HEMP, require_metrc_id=False)
        await h.save_keys()
        b = await intake(h)
        await h.record(b.adjust("-1"))
        await h.settle()
        assert h.fake.writes == []
        assert h.submissions(b) == []
        link = h.link(b)
        assert link is not None
        assert link.state is LinkState.NOT_TRACKED
        (event,) = [e for e in h.db.events if isinstance(e, PackageLinkChanged)]
        assert (event.state, event.problem_code) == ("NOT_TRACKED", "SITE_NOT_METRC")
        assert "hemp is not tracked" in (event.problem_message or "")


class TestExactlyOnce:
    async def test_a_create_whose_answer_was_lost_is_read_back_never_sent_twice(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        h.fake.lose_next_response("create_packages")
        report = await h.pusher.push_due()
        assert report.unknown == 1
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.IN_FLIGHT
        await h.pusher.push_due()  # not due: in flight
        assert writes(h, "create_packages") == [1]
        early = await h.recovery.recover()
        assert early.checked == 0  # too soon to read back
        h.clock.advance(h.ctx.policy.read_back_after)
        late = await h.recovery.recover()
        assert late.applied == 1
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.ACCEPTED
        assert s.metrc_ids == (h.package(b).id,)  # type: ignore[union-attr]
        assert writes(h, "create_packages") == [1]
        assert h.link(b).state is LinkState.LINKED  # type: ignore[union-attr]

    async def test_an_adjustment_whose_answer_was_lost_is_found_by_its_note(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        await h.settle()
        await h.record(b.adjust("-5"))
        h.fake.lose_next_response("adjust_packages")
        await h.pusher.push_due()
        await h.settle()
        assert h.package(b).quantity == Decimal("95")  # type: ignore[union-attr]
        assert len(h.fake.facilities[LICENSE].adjustments) == 1
        assert h.db.sync_log[-1].operation == "packages.read_back"

    async def test_a_write_that_timed_out_before_metrc_applied_it_is_sent_again_after_the_read_back(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        await h.settle()
        await h.record(b.adjust("-5"))
        h.fake.fail_next("adjust_packages", MetrcUnknownOutcomeError("read timeout"))
        await h.pusher.push_due()
        assert h.package(b).quantity == Decimal("100")  # type: ignore[union-attr]
        await h.settle()
        assert h.package(b).quantity == Decimal("95")  # type: ignore[union-attr]
        assert len(h.fake.facilities[LICENSE].adjustments) == 1
        (_, adjust) = h.submissions(b)
        assert (adjust.state, adjust.attempts) == (SubmissionState.ACCEPTED, 2)

    async def test_a_crash_after_the_claim_leaves_the_write_in_flight_until_metrc_is_read_back(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)

        class Crash(BaseException):
            pass

        real = h.fake.create_packages

        async def create_then_die(license_number: str, packages: object) -> object:
            await real(license_number, packages)  # type: ignore[arg-type]
            raise Crash

        h.fake.create_packages = create_then_die  # type: ignore[method-assign,assignment]
        with contextlib.suppress(Crash):
            await h.pusher.push_due()
        h.fake.create_packages = real  # type: ignore[method-assign]
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.IN_FLIGHT
        await h.settle()
        assert writes(h, "create_packages") == [1]
        assert h.submissions(b)[0].state is SubmissionState.ACCEPTED


class TestOrderAndRetries:
    async def test_writes_to_one_package_are_applied_in_order_across_retries(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        await h.settle()
        await h.record(b.adjust("+10", "REWEIGH"))
        await h.record(b.adjust("-110", "LOST"))
        h.fake.fail_next(
            "adjust_packages", MetrcTransientError("503 Service Unavailable", status_code=503)
        )
        report = await h.pusher.push_due()
        assert report.retrying == 1
        assert writes(h, "adjust_packages") == []  # the second waits behind the first
        await h.settle()
        adjustments = h.fake.facilities[LICENSE].adjustments
        assert [a.adjustment_quantity for a in adjustments] == [Decimal("10"), Decimal("-110")]
        assert h.package(b).is_finished  # type: ignore[union-attr]

    async def test_a_rate_limited_write_waits_at_least_as_long_as_metrc_asked(self) -> None:
        h = ComplianceHarness(policy=PushPolicy(first_retry=timedelta(seconds=1)))
        await h.save_keys()
        b = await intake(h)
        h.fake.fail_next(
            "create_packages",
            MetrcRateLimitedError("Too Many Requests", retry_after=120, status_code=429),
        )
        await h.pusher.push_due()
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.PENDING
        assert s.next_attempt_at >= h.clock.now() + timedelta(seconds=120)
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.METRC_UNAVAILABLE
        h.clock.advance(timedelta(seconds=119))
        assert (await h.pusher.push_due()).requests == 0
        h.clock.advance(timedelta(seconds=1))
        assert (await h.pusher.push_due()).accepted == 1

    async def test_a_write_that_keeps_failing_is_failed_after_n_attempts_and_the_team_is_told(
        self,
    ) -> None:
        h = ComplianceHarness(policy=PushPolicy(max_attempts=3))
        await h.save_keys()
        b = await intake(h)
        for _ in range(3):
            h.fake.fail_next(
                "create_packages", MetrcTransientError("500 Internal Server Error", status_code=500)
            )
            await h.pusher.push_due()
            h.clock.advance(timedelta(hours=1))
        (s,) = h.submissions(b)
        assert (s.state, s.attempts) == (SubmissionState.FAILED, 3)
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.METRC_UNAVAILABLE
        assert "status.metrc.com" in s.last_error.guidance
        (failed,) = [e for e in h.db.events if isinstance(e, PushFailed)]
        assert failed.event_type == "compliance.push_failed"
        assert failed.attempts == 3
        (note,) = [n for n in h.db.notifications.values() if n.kind is NotificationKind.PUSH_FAILED]
        assert b.code in note.title
        assert h.fake.writes == []


class TestSplittingARejectedRequest:
    async def test_one_bad_row_of_ten_fails_with_metrcs_message_and_the_nine_are_sent_again(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        batches = [await intake(h, "50") for _ in range(10)]
        await h.settle()
        assert writes(h, "create_packages") == [10]
        # Someone took stock out in Metrc's own UI: Metrc now holds less than Canopy planned on.
        bad = batches[4]
        facility = h.fake.facilities[LICENSE]
        facility.packages[bad.tag] = facility.packages[bad.tag].model_copy(
            update={"quantity": Decimal(1)}
        )  # type: ignore[index]
        for b in batches:
            await h.record(b.adjust("-2"))
        report = await h.pusher.push_due()
        assert writes(h, "adjust_packages") == [10, 9]
        assert (report.accepted, report.rejected) == (9, 1)
        (rejected,) = [s for s in h.submissions() if s.state is SubmissionState.REJECTED]
        assert rejected.batch_id == bad.batch_id
        assert rejected.last_error is not None
        assert "cannot be adjusted below zero" in rejected.last_error.message  # Metrc's own words
        assert "larger than its source" in rejected.last_error.guidance  # the guide's entry
        partial = [e for e in h.db.sync_log if e.status is SyncStatus.PARTIAL]
        assert [(e.objects, e.rejected, e.http_status) for e in partial] == [(10, 1, 400)]
        assert any(isinstance(e, PushRejected) and e.batch_id == bad.batch_id for e in h.db.events)


class TestSources:
    async def test_a_batch_received_by_transfer_is_linked_to_the_arrived_package_not_created_twice(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        tag = "1A4FF0300000011000000042"
        arrived = Package(
            id=77,
            label=tag,
            quantity=Decimal(40),
            unit_of_measure_name="Grams",
            item=h.fake.facilities[LICENSE].items[0],
        )
        h.fake.facilities[LICENSE].packages[tag] = arrived
        b = await intake(h, "40", source=ReceivedByTransfer("0000012345"), tag=tag)
        await h.record(b.adjust("-1"))
        await h.settle()
        assert writes(h, "create_packages") == []
        link = h.link(b)
        assert link is not None
        assert (link.state, link.metrc_package_id) == (LinkState.LINKED, 77)
        assert h.package(b).quantity == Decimal(39)  # type: ignore[union-attr]

    async def test_an_arrived_package_that_does_not_match_is_not_linked(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        tag = "1A4FF0300000011000000042"
        h.fake.facilities[LICENSE].packages[tag] = Package(
            id=77,
            label=tag,
            quantity=Decimal(38),
            unit_of_measure_name="Grams",
            item=h.fake.facilities[LICENSE].items[0],
        )
        b = await intake(h, "40", source=ReceivedByTransfer(), tag=tag)
        await h.settle()
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.REJECTED
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.LINK_MISMATCH
        assert "quantity 38 (batch: 40)" in s.last_error.message

    async def test_a_transfer_not_yet_received_in_metrc_is_checked_again_then_failed_with_guidance(
        self,
    ) -> None:
        h = ComplianceHarness(policy=PushPolicy(max_attempts=2))
        await h.save_keys()
        b = await intake(h, "40", source=ReceivedByTransfer(), tag="1A4FF0300000011000000042")
        await h.pusher.push_due()
        (s,) = h.submissions(b)
        assert (s.state, s.attempts) == (SubmissionState.PENDING, 1)
        h.clock.advance(timedelta(hours=1))
        await h.pusher.push_due()
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.FAILED
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.PACKAGE_NOT_RECEIVED
        assert "Receive the transfer in Metrc" in s.last_error.guidance

    async def test_a_package_made_from_other_batches_draws_on_their_packages_once(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        flower = await intake(h, "100")
        await h.settle()
        pre_roll = h.batch(
            "PR-1",
            tag=h.tags.pop(0),
            source=FromBatches((Ingredient(flower.batch_id, Decimal(30)),)),
        )
        # Inventory writes both in one transaction; the events reach compliance in either order.
        await h.record(flower.consumed("30", into=pre_roll.batch_id))
        await h.record(flower.adjust("-5"))
        await h.record(pre_roll.created("30"))
        await h.settle()
        made = h.package(pre_roll)
        assert made is not None
        assert made.quantity == Decimal(30)
        assert h.package(flower).quantity == Decimal(65)  # type: ignore[union-attr]
        assert [a.adjustment_quantity for a in h.fake.facilities[LICENSE].adjustments] == [
            Decimal(-5)
        ]
        (create_write,) = [
            o
            for op, _, objs in h.fake.writes
            if op == "create_packages"
            for o in objs
            if getattr(o, "tag", None) == pre_roll.tag
        ]
        assert [(i.package, i.quantity) for i in create_write.ingredients] == [
            (flower.tag, Decimal(30))
        ]  # type: ignore[attr-defined]

    async def test_opening_balances_only_where_the_jurisdiction_allows_them(self) -> None:
        h = ComplianceHarness(allow_opening_balance=False)
        await h.save_keys()
        b = await intake(h)
        await h.settle()
        assert h.fake.writes == []
        assert h.link(b).state is LinkState.UNLINKED  # type: ignore[union-attr]
        (note,) = [
            n for n in h.db.notifications.values() if n.kind is NotificationKind.BATCH_NOT_PUSHED
        ]
        assert "opening-balance" in note.message

    async def test_metrc_refusing_an_opening_balance_gets_the_guides_guidance(self) -> None:
        h = ComplianceHarness(facility_allows_opening_balance=False)
        await h.save_keys()
        b = await intake(h)
        await h.settle()
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.REJECTED
        assert s.last_error is not None
        assert "without a source" in s.last_error.guidance

    async def test_a_sale_stays_pending_until_a_manifest_and_adjustments_go_past_it(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        await h.record(b.sell("10"))
        await h.record(b.adjust("-1"))
        await h.settle()
        kinds = {s.kind: s.state for s in h.submissions(b)}
        assert kinds[SubmissionKind.TRANSFER_OUT] is SubmissionState.PENDING
        assert kinds[SubmissionKind.ADJUST_PACKAGE] is SubmissionState.ACCEPTED
        assert h.package(b).quantity == Decimal(99)  # type: ignore[union-attr]


class TestValidation:
    async def test_an_item_metrc_does_not_have_is_refused_before_any_call_with_the_guides_words(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h, product_name="Unknown Gummies")
        await h.pusher.push_due()
        assert h.fake.writes == []
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.REJECTED
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.ITEM_NOT_FOUND
        entry = h.db.sync_log[-1]
        assert (entry.status, entry.error_code, entry.http_status) == (
            SyncStatus.REJECTED,
            "ITEM_NOT_FOUND",
            None,
        )
        assert entry.guidance is not None
        assert "exist and be active in Metrc" in entry.guidance
        (event,) = [e for e in h.db.events if isinstance(e, PushRejected)]
        assert event.guidance == entry.guidance

    async def test_a_batch_without_a_tag_gets_one_of_the_facilitys_available_tags(self) -> None:
        h = ComplianceHarness(package_tags=2)
        available = set(h.tags)
        await h.save_keys()
        first = await intake(h, tag=None)
        second = await intake(h, tag=None)
        await h.settle()
        assert {h.link(first).tag, h.link(second).tag} == available  # type: ignore[union-attr]
        assert h.package(first) is not None
        assert h.package(second) is not None

    async def test_no_tag_left_is_the_guides_package_tag_not_available(self) -> None:
        h = ComplianceHarness(package_tags=0)
        await h.save_keys()
        b = await intake(h, tag=None)
        await h.settle()
        (s,) = h.submissions(b)
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.TAG_NOT_AVAILABLE
        assert "Obtain Metrc tags from the state" in s.last_error.guidance


class TestInvalidKeys:
    async def test_a_401_marks_the_keys_invalid_stops_the_license_and_tells_the_team(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = await intake(h)
        h.connector.keys[LICENSE] = (
            "VENDOR-KEY-rotated-by-metrc",
            "x",
        )  # Metrc no longer takes ours
        report = await h.pusher.push_due()
        assert report.skipped[LICENSE].code is ProblemCode.CREDENTIALS_INVALID
        assert h.db.credentials[LICENSE].status is KeyStatus.INVALID
        (note,) = [n for n in h.db.notifications.values() if n.kind is NotificationKind.KEY_INVALID]
        assert "Admin > Compliance > API Keys" in note.guidance
        assert (await h.pusher.push_due()).skipped[LICENSE].code is ProblemCode.CREDENTIALS_INVALID
        assert h.submissions(b)[0].state is SubmissionState.PENDING
