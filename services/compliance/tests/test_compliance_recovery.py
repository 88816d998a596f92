"""Writes with an unknown outcome are read back, never resent blindly, and only once Metrc can
no longer apply the abandoned request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcUnknownOutcomeError,
    Package,
    PackageAdjust,
    WriteResult,
)
from compliance.domain import (
    LinkState,
    OpeningBalance,
    ProblemCode,
    PushPolicy,
    ReceivedByTransfer,
    SentAs,
    SubmissionKind,
    SubmissionState,
    SyncStatus,
)
from compliance.testing import ITEM, LICENSE, ComplianceHarness


class SlowMetrc(FakeMetrc):
    """Metrc that keeps working on an adjustment after the client gave up waiting: the client
    hears nothing, and the write lands when ``land()`` is called (later, as a slow server would)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slow_next = False
        self.in_progress: list[tuple[str, list[PackageAdjust]]] = []

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        if self.slow_next:
            self.slow_next = False
            self.in_progress.append((license_number, list(adjustments)))
            raise MetrcUnknownOutcomeError(
                "read timeout", method="POST", path="/packages/v2/adjust"
            )
        return await super().adjust_packages(license_number, adjustments)

    async def land(self) -> None:
        while self.in_progress:
            license_number, adjustments = self.in_progress.pop(0)
            await super().adjust_packages(license_number, adjustments)


async def package_with_a_slow_adjustment(policy: PushPolicy) -> tuple[ComplianceHarness, SlowMetrc]:
    h = ComplianceHarness(policy=policy, metrc_factory=lambda now: SlowMetrc(now=now))
    assert isinstance(h.fake, SlowMetrc)
    slow = h.fake
    await h.save_keys()
    b = h.batch(tag=h.tags[0], source=OpeningBalance())
    await h.record(b.created("100"))
    await h.settle()
    await h.record(b.adjust("-5"))
    slow.slow_next = True
    await h.pusher.push_due()
    return h, slow


class TestReadingBackOnlyWhenMetrcIsDone:
    async def test_a_slow_adjustment_is_never_sent_again_while_metrc_may_still_apply_it(
        self,
    ) -> None:
        h, slow = await package_with_a_slow_adjustment(
            PushPolicy(read_back_after=timedelta(minutes=3))
        )
        h.clock.advance(timedelta(minutes=2))
        report = await h.recovery.recover()
        assert report.checked == 0  # too early: nothing is decided, nothing resent
        await slow.land()  # Metrc finishes the request the client gave up on
        h.clock.advance(timedelta(minutes=1))
        report = await h.recovery.recover()
        assert report.applied == 1
        assert [a.adjustment_quantity for a in slow.facilities[LICENSE].adjustments] == [
            Decimal(-5)
        ]
        assert slow.facilities[LICENSE].packages[h.tags[0]].quantity == Decimal(95)

    async def test_reading_back_before_metrc_is_done_would_double_the_adjustment(self) -> None:
        """Why the wait is a rule: with no wait, the read-back finds nothing, the write is sent
        again, and the abandoned request lands as well. Nothing in Metrc refuses the second."""
        h, slow = await package_with_a_slow_adjustment(PushPolicy(read_back_after=timedelta(0)))
        report = await h.recovery.recover()
        assert report.not_applied == 1
        await h.pusher.push_due()
        await slow.land()
        assert [a.adjustment_quantity for a in slow.facilities[LICENSE].adjustments] == [
            Decimal(-5),
            Decimal(-5),
        ]
        assert slow.facilities[LICENSE].packages[h.tags[0]].quantity == Decimal(90)


class TestDecisions:
    async def test_a_tag_metrc_holds_for_a_different_package_is_a_conflict_for_a_person(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("100"))
        h.fake.fail_next("create_packages", MetrcUnknownOutcomeError("read timeout"))
        await h.pusher.push_due()
        # Meanwhile someone used the tag in Metrc's UI for something else.
        facility = h.fake.facilities[LICENSE]
        facility.packages[h.tags[0]] = Package(
            id=5,
            label=h.tags[0],
            quantity=Decimal(7),
            original_package_quantity=Decimal(7),
            unit_of_measure_name="Grams",
        )
        h.clock.advance(h.ctx.policy.read_back_after)
        report = await h.recovery.recover()
        assert report.conflicts == 1
        (s,) = h.submissions(b)
        assert s.state is SubmissionState.REJECTED
        assert s.last_error is not None
        assert s.last_error.code is ProblemCode.PACKAGE_CONFLICT
        assert "created with 7" in s.last_error.message
        assert h.link(b).state is LinkState.PENDING  # type: ignore[union-attr]
        assert h.db.sync_log[-1].operation == "packages.read_back"
        assert h.db.sync_log[-1].status is SyncStatus.REJECTED

    async def test_a_write_that_never_lands_is_failed_after_n_attempts(self) -> None:
        h = ComplianceHarness(policy=PushPolicy(max_attempts=2))
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("100"))
        for _ in range(2):
            h.fake.fail_next("create_packages", MetrcUnknownOutcomeError("read timeout"))
            await h.pusher.push_due()
            h.clock.advance(h.ctx.policy.read_back_after)
            await h.recovery.recover()
        (s,) = h.submissions(b)
        assert (s.state, s.attempts) == (SubmissionState.FAILED, 2)
        assert h.fake.facilities[LICENSE].packages == {}

    async def test_a_link_interrupted_mid_check_is_simply_checked_again(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        tag = "1A4FF0300000011000000042"
        facility = h.fake.facilities[LICENSE]
        facility.packages[tag] = Package(
            id=9,
            label=tag,
            quantity=Decimal(40),
            unit_of_measure_name="Grams",
            item=facility.items[0],
        )
        b = h.batch(tag=tag, source=ReceivedByTransfer())
        await h.record(b.created("40"))
        async with h.db.uow() as uow:  # the process died right after claiming the link
            (s,) = await uow.submissions.for_batch(b.batch_id)
            await uow.submissions.save(
                s.send(h.clock.now(), sent_as=SentAs(tag=tag, item=ITEM, unit="Grams"))
            )
            await uow.commit()
        await h.settle()
        (s,) = h.submissions(b)
        assert (s.kind, s.state) == (SubmissionKind.LINK_PACKAGE, SubmissionState.ACCEPTED)
