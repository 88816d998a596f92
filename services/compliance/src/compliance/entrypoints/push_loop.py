"""The compliance worker's Metrc side: pushes flowing per license, and the read-back of writes
whose outcome is unknown.

* **Dispatch** (every ``poll`` seconds): each license with due submissions gets a *lane*
  (``Pusher.stream_license``) unless it has one running; a lane keeps the license's requests
  in flight and claims again as each completes, so throughput is bounded by Metrc (latency x
  concurrency x 10 objects), not by a polling period. A lane that found nothing to claim
  (everything waits behind a failed write, a manifest, a backoff) rests its license for
  ``rest`` seconds; one that cannot reach Metrc at all (no keys, keys refused, Metrc down)
  rests ``BLOCKED_REST`` seconds, and says why once.
* **Recovery** (every ``recovery_every`` seconds): ``Recovery.recover`` reads Metrc back for
  writes in flight longer than ``policy.read_back_after`` (a lost answer, a process killed
  between claim and record) and settles them: applied, or pending again (sent once more).

Several workers may run: a license's claim is taken under its advisory lock, so no submission
is claimed twice; each worker's lanes then send what they claimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from compliance.service_layer import Pusher, Recovery, ServiceContext
from compliance.service_layer.report import PushReport

__all__ = ["push_continuously", "recover_continuously"]

log = logging.getLogger(__name__)

BLOCKED_REST = 5.0


async def push_continuously(
    ctx: ServiceContext, stop: asyncio.Event, *, poll: float, rest: float
) -> None:
    pusher = Pusher(ctx)
    loop = asyncio.get_running_loop()
    lanes: dict[str, asyncio.Task[float]] = {}
    resting: dict[str, float] = {}
    blocked: dict[str, str] = {}

    async def lane(license_number: str) -> float:
        """Push the license; how long it should rest afterwards."""
        report = PushReport()
        claimed = await pusher.stream_license(
            license_number, report, keep_claiming=lambda: not stop.is_set()
        )
        why = report.skipped.get(license_number)
        if why is None:
            blocked.pop(license_number, None)
            return 0.0 if claimed else rest
        if blocked.get(license_number) != why.code:
            blocked[license_number] = why.code
            log.warning("compliance: license %s not pushed: %s", license_number, why.code)
        return BLOCKED_REST

    while not stop.is_set():
        for license_number, task in list(lanes.items()):
            if not task.done():
                continue
            del lanes[license_number]
            if task.exception() is not None:
                log.error(
                    "compliance: push lane of %s failed", license_number, exc_info=task.exception()
                )
            if task.exception() is not None or task.result() == 0:
                resting[license_number] = loop.time() + rest
        try:
            async with ctx.uow() as uow:
                due = await uow.submissions.licenses_with_due(ctx.now())
        except Exception:
            log.exception("compliance: reading the due licenses failed; trying again")
            due = []
        for license_number in due:
            if license_number in lanes or resting.get(license_number, 0.0) > loop.time():
                continue
            lanes[license_number] = asyncio.create_task(lane(license_number))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll)
    # Lanes claim nothing more once stopping; what they sent is recorded before the end.
    if lanes:
        await asyncio.gather(*lanes.values(), return_exceptions=True)


async def recover_continuously(ctx: ServiceContext, stop: asyncio.Event, *, every: float) -> None:
    recovery = Recovery(ctx)
    while not stop.is_set():
        try:
            await recovery.recover()
        except Exception:
            log.exception("compliance: reading Metrc back failed; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
