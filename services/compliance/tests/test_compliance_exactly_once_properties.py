"""Property: whatever batches go through and whatever Metrc does to the writes (lost answers,
timeouts, 429s, 5xx, the process dying mid-request), once the faults stop and the queue drains,
Metrc holds exactly one package per batch, each with the batch's physical quantity, finished
exactly when empty, and no write applied twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcRateLimitedError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    Package,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageLocationChange,
    PackageUnfinish,
    WriteResult,
)
from compliance.domain import (
    FromBatches,
    Ingredient,
    LinkState,
    OpeningBalance,
    PushPolicy,
    SubmissionKind,
    SubmissionState,
)
from compliance.testing import LICENSE, BatchScript, ComplianceHarness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

T = TypeVar("T")

FAULTS = ("lose", "timeout", "503", "429", "crash")


class Crash(BaseException):
    """The compliance process dies (SIGKILL) right after Metrc applied a write."""


class FaultyMetrc(FakeMetrc):
    """FakeMetrc whose next writes (and reads) fail the ways the real Metrc and network do."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.write_faults: list[str] = []
        self.read_faults = 0

    async def _write(self, call: Callable[[], Awaitable[T]]) -> T:
        if not self.write_faults:
            return await call()
        fault = self.write_faults.pop(0)
        if fault == "timeout":
            raise MetrcUnknownOutcomeError("read timeout before Metrc applied it")
        if fault == "503":
            raise MetrcTransientError("Service Unavailable", status_code=503)
        if fault == "429":
            raise MetrcRateLimitedError("Too Many Requests", status_code=429, retry_after=30)
        await call()
        if fault == "crash":
            raise Crash
        raise MetrcUnknownOutcomeError("connection reset after Metrc applied it")

    async def _read(self, call: Callable[[], Awaitable[T]]) -> T:
        if self.read_faults:
            self.read_faults -= 1
            raise MetrcTransientError("Service Unavailable", status_code=503)
        return await call()

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult:
        return await self._write(
            lambda: super(FaultyMetrc, self).create_packages(license_number, packages)
        )

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        return await self._write(
            lambda: super(FaultyMetrc, self).adjust_packages(license_number, adjustments)
        )

    async def change_package_locations(
        self, license_number: str, moves: Sequence[PackageLocationChange]
    ) -> WriteResult:
        return await self._write(
            lambda: super(FaultyMetrc, self).change_package_locations(license_number, moves)
        )

    async def finish_packages(
        self, license_number: str, finishes: Sequence[PackageFinish]
    ) -> WriteResult:
        return await self._write(
            lambda: super(FaultyMetrc, self).finish_packages(license_number, finishes)
        )

    async def unfinish_packages(
        self, license_number: str, unfinishes: Sequence[PackageUnfinish]
    ) -> WriteResult:
        return await self._write(
            lambda: super(FaultyMetrc, self).unfinish_packages(license_number, unfinishes)
        )

    async def find_package(self, license_number: str, label: str) -> Package | None:
        return await self._read(
            lambda: super(FaultyMetrc, self).find_package(license_number, label)
        )


# One step of a run: (action, which batch, an amount in [0, 1] scaled to what the batch holds,
# faults armed before the next push, whether the worker runs after the step).
Step = tuple[str, int, float, list[str], int]
ACTIONS = (
    "adjust_down",
    "adjust_up",
    "dispose",
    "sample",
    "give_back",
    "move",
    "quarantine",
    "release",
    "defective",
    "empty",
    "make",
)

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=3),
        st.floats(min_value=0.05, max_value=1.0),
        st.lists(st.sampled_from(FAULTS), max_size=2),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=25,
)


def amount(b: BatchScript, share: float, of: Decimal) -> Decimal:
    """A positive 2-place quantity up to ``of`` (0 when there is nothing to take)."""
    if of <= 0:
        return Decimal(0)
    return max(Decimal("0.01"), (of * Decimal(str(share))).quantize(Decimal("0.01"))).min(of)


async def run(plan: list[Step], first_sizes: list[int]) -> None:
    h = ComplianceHarness(
        track_locations=True,
        policy=PushPolicy(
            max_attempts=1000, first_retry=timedelta(seconds=1), max_retry=timedelta(seconds=30)
        ),
        metrc_factory=lambda now: FaultyMetrc(now=now),
    )
    metrc = h.fake
    assert isinstance(metrc, FaultyMetrc)
    await h.save_keys()
    batches: list[BatchScript] = []
    for size in first_sizes:
        b = h.batch(f"B-{len(batches)}", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(b.created(str(size)))
        batches.append(b)

    async def work(times: int) -> None:
        for _ in range(times):
            with contextlib.suppress(Crash):
                await h.pusher.push_due()
            h.clock.advance(timedelta(seconds=40))
            with contextlib.suppress(Crash):
                await h.recovery.recover()
            h.clock.advance(h.ctx.policy.read_back_after)

    for action, index, share, faults, cycles in plan:
        b = batches[index % len(batches)]
        live = b.status != "QUARANTINED"
        change = None
        if action == "adjust_down" and b.physical > 0:
            change = b.adjust(str(-amount(b, share, b.physical)), "COUNT_DISCREPANCY")
        elif action == "adjust_up":
            change = b.adjust(str(amount(b, share, Decimal(50))), "REWEIGH")
        elif action == "dispose" and live and b.on_hand > 0:
            change = b.dispose(str(amount(b, share, b.on_hand)))
        elif action == "sample" and live and b.on_hand > 0:
            change = b.sample(str(amount(b, share, b.on_hand)))
        elif action == "give_back" and live:
            change = b.give_back(str(amount(b, share, Decimal(10))))
        elif action == "move" and live and b.on_hand > 0:
            here = b.locations.get(b.main_location(), Decimal(0))
            to = "back" if b.main_location() == "vault" else "vault"
            change = b.move(str(amount(b, share, min(here, b.on_hand))), to) if here > 0 else None
        elif action == "quarantine" and live:
            change = b.quarantined()
        elif action == "release" and not live:
            change = b.released()
        elif action == "defective" and live and b.on_hand > 0:
            change = b.marked_defective(str(amount(b, share, b.on_hand)))
        elif action == "empty" and live and b.defective == 0 and b.on_hand > 0:
            change = b.adjust(str(-b.on_hand), "LOST")
        elif action == "make" and live and b.on_hand > 0 and len(batches) < 8:
            taken = amount(b, share, b.on_hand)
            made = h.batch(
                f"B-{len(batches)}",
                tag=h.tags.pop(0),
                source=FromBatches((Ingredient(b.batch_id, taken),)),
            )
            draw = b.consumed(str(taken), into=made.batch_id)
            created = made.created(str(taken))
            # The two events travel on different partitions: either may come first, and the
            # worker may run in between.
            first, second = (draw, created) if cycles % 2 else (created, draw)
            await h.record(first)
            if cycles >= 2:
                await work(1)
            await h.record(second)
            batches.append(made)
        if change is not None:
            await h.record(change)
        metrc.write_faults.extend(faults)
        metrc.read_faults += cycles % 2
        await work(cycles)

    metrc.write_faults.clear()
    metrc.read_faults = 0
    await work(1)
    await h.settle(rounds=60)

    subs = h.submissions()
    stuck = [
        (s.kind, s.state, s.last_error) for s in subs if s.state is not SubmissionState.ACCEPTED
    ]
    assert stuck == []
    facility = metrc.facilities[LICENSE]
    assert len(facility.packages) == len(batches)  # one package per batch, none twice
    for b in batches:
        link = h.link(b)
        assert link is not None
        assert link.state is LinkState.LINKED
        package = facility.packages[b.tag]  # type: ignore[index]
        assert package.quantity == b.physical, (b.code, package.quantity, b.physical)
        assert package.is_finished == (b.physical == 0), (b.code, b.physical)
        if b.physical > 0:  # the package is where most of the batch is
            most = max(b.locations.values())
            leaders = {h.location_map[loc] for loc, qty in b.locations.items() if qty == most}
            assert package.location_name in leaders, (b.code, package.location_name, b.locations)
    adjusted = [s for s in subs if s.kind is SubmissionKind.ADJUST_PACKAGE]
    notes = [a.adjustment_note for a in facility.adjustments]
    assert len(notes) == len(adjusted)  # each adjustment applied exactly once
    assert len(set(notes)) == len(notes)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=steps,
    first_sizes=st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=3),
)
def test_metrc_ends_with_one_package_per_batch_holding_its_physical_quantity(
    plan: list[Step], first_sizes: list[int]
) -> None:
    asyncio.run(run(plan, first_sizes))
