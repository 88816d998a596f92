"""The worker's lane (``Pusher.stream_license``): a backlog flows at the pace Metrc answers, with
never more calls in flight than the policy allows, each request of up to 10 objects, and the
license's writes still in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from uuid import uuid4

from compliance.adapters.metrc import FakeMetrc, PackageAdjust, PackageCreate, WriteResult
from compliance.domain import OpeningBalance, PushPolicy, SubmissionKind, SubmissionState
from compliance.service_layer.report import PushReport
from compliance.testing import LICENSE, BatchScript, ComplianceHarness


class SlowFake(FakeMetrc):
    """Every write takes a while, so calls overlap; counts how many are in flight."""

    in_flight = 0
    most_in_flight = 0

    async def _slowly(self) -> None:
        SlowFake.in_flight += 1
        SlowFake.most_in_flight = max(SlowFake.most_in_flight, SlowFake.in_flight)
        try:
            await asyncio.sleep(0.02)
        finally:
            SlowFake.in_flight -= 1

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult:
        await self._slowly()
        return await super().create_packages(license_number, packages)

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        await self._slowly()
        return await super().adjust_packages(license_number, adjustments)


def harness(concurrency: int) -> ComplianceHarness:
    SlowFake.in_flight = SlowFake.most_in_flight = 0
    return ComplianceHarness(
        package_tags=120,
        policy=PushPolicy(concurrent_requests=concurrency),
        metrc_factory=lambda now: SlowFake(now=now),
    )


async def intakes(h: ComplianceHarness, n: int) -> list[BatchScript]:
    batches = []
    for _ in range(n):
        b = h.batch(f"B-{uuid4().hex[:6]}", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(b.created("50"))
        batches.append(b)
    return batches


class TestALaneKeepsMetrcBusy:
    async def test_a_backlog_is_pushed_in_requests_of_ten_with_at_most_the_allowed_calls_in_flight(
        self,
    ) -> None:
        h = harness(concurrency=3)
        await h.save_keys()
        batches = await intakes(h, 95)
        claimed = await h.pusher.stream_license(LICENSE, PushReport())
        assert claimed == 95
        assert {s.state for s in h.submissions()} == {SubmissionState.ACCEPTED}
        sizes = [len(objects) for op, _, objects in h.fake.writes if op == "create_packages"]
        assert sorted(sizes, reverse=True) == [10] * 9 + [5]
        assert SlowFake.most_in_flight == 3
        assert all(h.package(b) is not None for b in batches)

    async def test_writes_that_become_ready_when_an_earlier_one_is_accepted_go_in_the_same_lane(
        self,
    ) -> None:
        h = harness(concurrency=2)
        await h.save_keys()
        [b] = await intakes(h, 1)
        await h.record(b.adjust("-2.5"))
        await h.record(b.adjust("1"))
        claimed = await h.pusher.stream_license(LICENSE, PushReport())
        assert claimed == 3
        assert [s.kind for s in h.submissions(b)] == [
            SubmissionKind.CREATE_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
        ]
        package = h.package(b)
        assert package is not None
        assert package.quantity == Decimal("48.5")

    async def test_a_lane_asked_to_stop_claims_nothing_more_but_records_what_it_sent(
        self,
    ) -> None:
        h = harness(concurrency=2)
        await h.save_keys()
        await intakes(h, 50)
        calls = 0

        def only_once() -> bool:
            nonlocal calls
            calls += 1
            return calls == 1

        claimed = await h.pusher.stream_license(LICENSE, PushReport(), keep_claiming=only_once)
        # The one claim takes a lane's worth: 2 x 2 requests of 10 (two in flight, two waiting).
        assert claimed == 40
        states = [s.state for s in h.submissions()]
        assert states.count(SubmissionState.ACCEPTED) == 40
        assert states.count(SubmissionState.PENDING) == 10

    async def test_at_most_twice_a_slots_worth_of_requests_is_claimed_and_unanswered(
        self,
    ) -> None:
        # A claimed request waits behind at most one call before its own starts (the read-back
        # wait is derived from that), though claims no longer wait for outcomes to be recorded.
        h = harness(concurrency=2)
        await h.save_keys()
        await intakes(h, 100)
        answered = worst = 0
        create = h.fake.create_packages

        async def watched(license_number: str, packages: Sequence[PackageCreate]) -> WriteResult:
            nonlocal answered, worst
            claimed = sum(s.sent_at is not None for s in h.db.submissions.values())
            worst = max(worst, claimed - answered)
            try:
                return await create(license_number, packages)
            finally:
                answered += len(packages)

        h.fake.create_packages = watched  # type: ignore[method-assign]
        assert await h.pusher.stream_license(LICENSE, PushReport()) == 100
        assert worst == 2 * 2 * 10
        assert {s.state for s in h.submissions()} == {SubmissionState.ACCEPTED}
