"""The exactly-once fault run: inventory changes pushed to the Metrc sandbox while the sandbox
loses responses, answers 429 storms and 5xx on every write endpoint, and compliance's processes
are killed (SIGKILL) at random moments; then everything must settle to exactly one package per
batch, each holding inventory's physical quantity, with nothing failed.

Used by ``tests/e2e/test_e2e_compliance_faults.py`` (a small run) and by
``make fault-metrc-push`` (200 intakes and 1,000 adjustments, the issue's size). With
``plantings``, plant batches and their changes, harvests packaged and plant batches planted
from a package run alongside (``cultivation_fault_run``); with ``transfers``, outgoing transfers
made, settled or cancelled and the receiver's incoming pull (``transfer_fault_run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shared.testing.platform import ComplianceProcesses

from compliance.cultivation_fault_run import METRC_PLANT_BATCH_WRITES, CultivationLoad
from compliance.domain import SubmissionQuery, SubmissionState
from compliance.fault_rules import FAULT_KINDS, fault_rule
from compliance.sandbox_world import LICENSE, MetrcSite, eventually
from compliance.transfer_fault_run import TransferLoad

__all__ = ["FAULT_KINDS", "METRC_WRITES", "FaultRun", "settle_and_check"]

METRC_WRITES = (
    ("POST", "/packages/v2/"),
    ("POST", "/packages/v2/adjust"),
    ("PUT", "/packages/v2/location"),
    ("PUT", "/packages/v2/finish"),
    ("PUT", "/packages/v2/unfinish"),
)


def random_fault(
    rng: random.Random,
    kinds: Sequence[str] = FAULT_KINDS,
    writes: tuple[tuple[str, str], ...] = METRC_WRITES,
) -> dict[str, Any]:
    method, path = rng.choice(writes)
    return fault_rule(rng, kinds, method, path)


@dataclass
class FaultRun:
    site: MetrcSite
    processes: ComplianceProcesses
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    fault_kinds: Sequence[str] = FAULT_KINDS
    """The faults drawn from (empty: none injected)."""
    kills: int = 0
    faults: int = 0
    batches: dict[str, str] = field(default_factory=dict)
    """batch id -> package tag."""
    changes: dict[str, list[Decimal]] = field(default_factory=dict)
    draws: int = 0
    """Ingredients drawn by batches made from other batches (each an INGREDIENT_DRAW)."""
    cultivation: CultivationLoad | None = None
    """Plant batches pushed under the same faults (``cultivation_fault_run``)."""
    transfers: TransferLoad | None = None
    """Outgoing transfers and the receiver's pull under the same faults (``transfer_fault_run``)."""
    _killing: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def writes(self) -> int:
        """The submissions the load asked for: a create per intake, an adjustment per change,
        a draw per ingredient."""
        return len(self.batches) + sum(len(c) for c in self.changes.values()) + self.draws

    async def run(
        self,
        *,
        intakes: int,
        adjustments: int,
        kill_every: float,
        min_kills: int = 0,
        blends: int = 0,
        plantings: int = 0,
        plant_changes: int = 0,
        harvests: int = 0,
        package_plantings: int = 0,
        transfers: int = 0,
        patience: float = 600.0,
    ) -> None:
        """The load under faults and kills; kills go on after the load (while the backlog is
        still being pushed) until there were ``min_kills`` (``kill_every`` 0: no kills).
        ``plantings`` plant batches (and ``plant_changes`` changes to them), ``harvests``
        harvests packaged and ``package_plantings`` plant batches planted from a package go
        alongside, under faults on their writes too (``cultivation_fault_run``); so do
        ``transfers`` outgoing transfers (``transfer_fault_run``: ``patience`` seconds for any
        one of their steps)."""
        if plantings:
            self.cultivation = CultivationLoad(self.site, random.Random(self.rng.random()))
        if transfers:
            self.transfers = TransferLoad(
                self.site,
                self.processes.metrc_url,
                random.Random(self.rng.random()),
                self.fault_kinds,
                functools.partial(self.kill, "worker") if kill_every > 0 else None,
                patience=patience,
            )
        done = asyncio.Event()
        chaos = []
        if self.fault_kinds:
            chaos.append(asyncio.create_task(self._inject_faults(done)))
        if kill_every > 0:
            chaos.append(asyncio.create_task(self._kill_now_and_then(done, kill_every, min_kills)))
        try:
            loads = [self.load(intakes, adjustments, blends)]
            if self.cultivation is not None:
                loads.append(
                    self.cultivation.load(plantings, plant_changes, harvests, package_plantings)
                )
            if self.transfers is not None:
                loads.append(self.transfers.load(transfers))
            await asyncio.gather(*loads)
        finally:
            done.set()
            await asyncio.gather(*chaos)
        await self.site.sandbox.delete("/_sandbox/faults")
        for command in ("worker", "relay"):
            if not self.processes.running(command):
                self.processes.start(command)

    async def load(self, intakes: int, adjustments: int, blends: int = 0) -> None:
        """The intakes (opening balances, 100 each), then adjustments of random batches and,
        meanwhile, ``blends`` batches made from two of them (5 of each)."""
        gate = asyncio.Semaphore(4)

        async def intake() -> None:
            async with gate:
                batch, tag = await self.site.intake_opening_balance("100.0000")
                self.batches[batch["id"]] = tag
                self.changes[batch["id"]] = []

        await asyncio.gather(*(intake() for _ in range(intakes)))
        ids = sorted(self.batches)
        locks = {i: asyncio.Lock() for i in ids}
        # Other batches are made only from checked-in (LIVE) ones.
        sources = self.rng.sample(ids, min(len(ids), 2 * blends)) if blends else []
        await asyncio.gather(*(self.site.make_live(i) for i in sources))

        async def adjust() -> None:
            batch_id = self.rng.choice(ids)
            delta = Decimal(self.rng.choice(["-1.5000", "-0.2500", "0.7500", "2.0000", "-3.0000"]))
            async with gate, locks[batch_id]:
                await self.site.adjust(batch_id, format(delta, "f"))
                self.changes[batch_id].append(delta)

        async def blend() -> None:
            drawn = self.rng.sample(sources, 2)
            async with gate:
                batch, tag = await self.site.intake_from_batches(
                    "10.0000", dict.fromkeys(drawn, "5.0000")
                )
                self.batches[batch["id"]] = tag
                self.changes[batch["id"]] = []
                self.draws += len(drawn)

        await asyncio.gather(
            *(adjust() for _ in range(adjustments)), *(blend() for _ in range(blends))
        )

    async def _inject_faults(self, done: asyncio.Event) -> None:
        while not done.is_set():
            writes: tuple[tuple[str, str], ...] = METRC_WRITES
            if self.cultivation is not None:
                writes += METRC_PLANT_BATCH_WRITES
            rules = [random_fault(self.rng, self.fault_kinds, writes) for _ in range(3)]
            await self.site.sandbox.post("/_sandbox/faults", json=rules)
            self.faults += len(rules)
            await _wait(done, 0.5)

    async def _kill_now_and_then(self, done: asyncio.Event, every: float, least: int) -> None:
        while not done.is_set() or self.kills < least:
            pause = self.rng.uniform(0.5, 1.5) * every
            if done.is_set():
                await asyncio.sleep(pause)
            else:
                await _wait(done, pause)
            if done.is_set() and self.kills >= least:
                return
            await self.kill(self.rng.choice(["worker", "worker", "relay"]))

    async def kill(self, command: str) -> None:
        """SIGKILL compliance's ``command`` processes and start another. One kill at a time, but
        the next does not wait for the new process to answer: a kill aimed at a write the
        sandbox holds (``held_write_kills``) must land while it holds it. A new process killed
        before it answered is not waited for."""
        async with self._killing:
            for process in self.processes.running(command):
                process.popen.send_signal(signal.SIGKILL)
                await asyncio.to_thread(process.popen.wait)
                self.kills += 1
            started = self.processes.launch(command)
        try:
            await asyncio.to_thread(started.ready)
        except Exception:
            if started.popen.returncode != -signal.SIGKILL:
                raise


async def settle_and_check(
    site: MetrcSite,
    batches: dict[str, str],
    *,
    seconds: float,
    writes: int,
    changes: dict[str, list[Decimal]] | None = None,
) -> str:
    """Wait until the license has all ``writes`` planned (its events consumed) and none pending
    or in flight, then check Metrc against
    inventory: one package per batch with the batch's tag and physical quantity, and nothing
    rejected or failed; with ``changes``, each package's adjustments in Metrc are the batch's
    changes in inventory's order. Returns a summary; raises AssertionError with the mismatches."""
    started = time.monotonic()

    async def quiet() -> dict[SubmissionState, int] | None:
        # The license may hold other submissions (an earlier run's; a sent transfer's sale,
        # waiting for its manifest): this run's batches' own are counted, all of them, or a
        # lagging consumer's last events would go unchecked.
        async with site.context.uow() as uow:
            ledger = await uow.submissions.search(
                SubmissionQuery(license_number=LICENSE, limit=10**7)
            )
        ours = [s for s in ledger if str(s.batch_id) in batches]
        mine: dict[SubmissionState, int] = {}
        for s in ours:
            mine[s.state] = mine.get(s.state, 0) + 1
        busy = mine.get(SubmissionState.PENDING, 0) + mine.get(SubmissionState.IN_FLIGHT, 0)
        return None if busy or len(ours) < writes else mine

    states = await eventually(quiet, seconds=seconds, what="the backlog draining")
    problems: list[str] = []
    if states.get(SubmissionState.FAILED) or states.get(SubmissionState.REJECTED):
        problems.append(f"submissions stopped: {states}")
    dump = (await site.sandbox.get("/_sandbox/state")).json()
    labels = [p["Label"] for p in dump["packages"]]
    adjustments: list[dict[str, Any]] = dump["adjustments"]
    for batch_id, tag in sorted(batches.items()):
        if labels.count(tag) != 1:
            problems.append(f"batch {batch_id}: {labels.count(tag)} packages tagged {tag}")
            continue
        package = await site.package(tag)
        batch = await site.batch(batch_id)
        physical = Decimal(batch["physicalQty"])
        if package is None or package.quantity != physical:
            held = None if package is None else package.quantity
            problems.append(f"batch {batch_id}: Metrc holds {held}, inventory {physical}")
        if changes is not None:
            # The sandbox lists adjustments in the order it applied them.
            history = [a for a in adjustments if a.get("PackageLabel") == tag]
            applied = [Decimal(str(a["AdjustmentQuantity"])) for a in history]
            if applied != changes[batch_id]:
                problems.append(
                    f"batch {batch_id}: Metrc applied {applied}, not {changes[batch_id]}"
                )
    if problems:
        raise AssertionError("; ".join(problems[:20]))
    return (
        f"{len(batches)} batches, one package each, every quantity equal;"
        f" settled {time.monotonic() - started:.0f} s after the load; states {dict(states)}"
    )


async def _wait(done: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), seconds)
