"""The push worker's step: for each license with due submissions, claim, send, record.

A round claims the license's ready submissions (``claim.py``: validated, marked in flight,
committed), sends them grouped up to 10 per request, at most ``policy.concurrent_requests``
requests at once, and records each outcome (``send.py``). Rounds repeat while something was
claimed, since the writes behind an accepted one become ready.

The worker uses :meth:`Pusher.stream_license` instead: no rounds, the license's requests keep
flowing; as soon as one completes, what became ready is claimed and sent, so a backlog moves at
the pace Metrc answers (``policy.concurrent_requests`` in flight, 10 objects each), not at the
pace of a round's slowest request.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any, cast
from uuid import uuid4

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcError
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import (
    Notification,
    NotificationKind,
    Problem,
    ProblemCode,
    Severity,
    Submission,
    SubmissionKind,
    group_requests,
    problem,
)
from compliance.service_layer.claim import claim_ready
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.open_queue import OpenQueueCache
from compliance.service_layer.report import PushReport
from compliance.service_layer.send import Sender

__all__ = ["PushReport", "Pusher"]


class Pusher:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._sender = Sender(ctx)

    async def push_due(self, *, max_rounds: int = 20) -> PushReport:
        """Push what is due for every license (the worker calls this in a loop)."""
        report = PushReport()
        async with self._ctx.uow() as uow:
            licenses = await uow.submissions.licenses_with_due(self._ctx.now())
        for license_number in licenses:
            await self.push_license(license_number, report, max_rounds=max_rounds)
        return report

    async def push_license(
        self, license_number: str, report: PushReport, *, max_rounds: int = 20
    ) -> None:
        ctx = self._ctx
        opened = await ctx.metrc_for(license_number)
        if isinstance(opened, Problem):
            report.skipped[license_number] = opened
            await self._note_unusable_keys(license_number, opened)
            return
        metrc = opened
        for _ in range(max_rounds):
            claimed = await self._claim(metrc, license_number, report, None)
            if not claimed:
                return
            jobs = self._jobs(metrc, license_number, claimed, report)
            await _gather_limited(jobs, ctx.policy.concurrent_requests)
            if license_number in report.skipped:
                return

    async def stream_license(
        self,
        license_number: str,
        report: PushReport,
        *,
        keep_claiming: Callable[[], bool] = lambda: True,
    ) -> int:
        """Keep up to ``policy.concurrent_requests`` requests of the license in flight, claiming
        again each time one completes, until nothing is ready and nothing is running (or
        ``keep_claiming()`` turns false: what was claimed is still sent and recorded). Returns
        how many submissions were claimed. Every request started is recorded before this
        returns, error or not (an unrecorded one stays in flight, for the read-back)."""
        ctx = self._ctx
        opened = await ctx.metrc_for(license_number)
        if isinstance(opened, Problem):
            report.skipped[license_number] = opened
            await self._note_unusable_keys(license_number, opened)
            return 0
        limit = ctx.policy.concurrent_requests
        # Calls, not jobs, hold the slots: a job records its outcome (a transaction) after its
        # call returned its slot, and the next claimed request is already waiting for it. At
        # most twice as many requests as slots are claimed and not yet answered (so a claimed
        # request waits behind at most one call before its own starts: the read-back wait is
        # derived from that), and a claim (a transaction) is taken as soon as a slot's worth of
        # calls has returned, without waiting for their outcomes to be recorded: the slots stay
        # busy while outcomes are recorded and the next requests are claimed, and a backlog of
        # n writes costs about n / (10 x limit) claims, not one per call.
        unanswered = _Unanswered()
        metrc = cast(MetrcPort, _Gated(opened, asyncio.Semaphore(limit)))
        queue = OpenQueueCache()
        running: set[asyncio.Task[None]] = set()
        claimed_total = 0
        try:
            while True:
                free = 2 * limit - unanswered.count
                worth_claiming = free >= limit or not running
                if worth_claiming and license_number not in report.skipped and keep_claiming():
                    claimed = await self._claim(opened, license_number, report, free, queue)
                    claimed_total += len(claimed)
                    for job in self._jobs(metrc, license_number, claimed, report):
                        running.add(asyncio.create_task(unanswered.run(job)))
                if not running:
                    return claimed_total
                answered = asyncio.create_task(unanswered.changed.wait())
                done, _ = await asyncio.wait(
                    {*running, answered}, return_when=asyncio.FIRST_COMPLETED
                )
                answered.cancel()
                unanswered.changed.clear()
                running -= done
                for task in done - {answered}:
                    task.result()
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def _claim(
        self,
        metrc: MetrcPort,
        license_number: str,
        report: PushReport,
        requests: int | None,
        queue: OpenQueueCache | None = None,
    ) -> list[Submission]:
        """Claim what is ready: enough for ``requests`` requests, or a round's worth (None)."""
        ctx = self._ctx
        try:
            catalog = await ctx.catalogs.get(license_number, metrc)
        except MetrcAuthError as error:
            await ctx.keys_refused(license_number, error, actor=ctx.system_actor)
            report.skipped[license_number] = problem(ProblemCode.CREDENTIALS_INVALID, error.message)
            return []
        except MetrcError as error:
            report.skipped[license_number] = problem(ProblemCode.METRC_UNAVAILABLE, error.message)
            return []
        limit = None if requests is None else requests * ctx.policy.max_objects_per_request
        return await claim_ready(ctx, license_number, catalog, report, limit=limit, cache=queue)

    def _jobs(
        self,
        metrc: MetrcPort,
        license_number: str,
        claimed: Sequence[Submission],
        report: PushReport,
    ) -> list[Awaitable[None]]:
        requests = group_requests(
            [s for s in claimed if s.is_write],
            max_objects=self._ctx.policy.max_objects_per_request,
        )
        jobs: list[Awaitable[None]] = [
            self._sender.send(metrc, r.license_number, r.kind, r.submissions, report)
            for r in requests
        ]
        jobs += [
            self._sender.check_link(metrc, s, report)
            for s in claimed
            if s.kind is SubmissionKind.LINK_PACKAGE
        ]
        return jobs

    async def _note_unusable_keys(self, license_number: str, why: Problem) -> None:
        """Tell the team why a license with work to do cannot reach Metrc (once per cause)."""
        if why.code not in (ProblemCode.CREDENTIALS_MISSING, ProblemCode.CREDENTIALS_INVALID):
            return
        now = self._ctx.now()
        async with self._ctx.uow() as uow:
            if why.code is ProblemCode.CREDENTIALS_INVALID:
                await self._ctx.notify_keys_invalid(uow, license_number, why.message, now=now)
            else:
                await uow.notifications.raise_(
                    Notification(
                        id=uuid4(),
                        kind=NotificationKind.KEY_INVALID,
                        severity=Severity.ERROR,
                        title=f"No Metrc API keys for license {license_number}",
                        message=why.message,
                        guidance=why.guidance,
                        created_at=now,
                        license_number=license_number,
                        dedup_key=f"key-missing:{license_number}",
                    )
                )
            await uow.commit()


class _Unanswered:
    """The lane's requests whose (first) Metrc call has not returned: waiting for a slot or in
    flight. A job's call marks it answered through a context variable the gate reads, so a
    request split after a rejection (a second call in the same job) is counted once."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = asyncio.Event()

    async def run(self, job: Awaitable[None]) -> None:
        self.count += 1
        pending = [True]
        _awaiting_answer.set((self, pending))
        try:
            await job
        finally:
            self.answered(pending)

    def answered(self, pending: list[bool]) -> None:
        if pending[0]:
            pending[0] = False
            self.count -= 1
            self.changed.set()


_awaiting_answer: ContextVar[tuple[_Unanswered, list[bool]] | None] = ContextVar(
    "compliance_push_awaiting_answer", default=None
)


class _Gated:
    """A license's Metrc with at most ``gate``'s count of calls in flight at once."""

    def __init__(self, metrc: MetrcPort, gate: asyncio.Semaphore) -> None:
        self._metrc = metrc
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._metrc, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def gated(*args: Any, **kwargs: Any) -> Any:
            try:
                async with self._gate:
                    return await attribute(*args, **kwargs)
            finally:
                if (waiting := _awaiting_answer.get()) is not None:
                    waiting[0].answered(waiting[1])

        return gated


async def _gather_limited(jobs: Sequence[Awaitable[None]], limit: int) -> None:
    """Run ``jobs`` at most ``limit`` at a time; every job finishes before the first error is
    raised (an unfinished recording leaves its submissions in flight, for the read-back)."""
    gate = asyncio.Semaphore(limit)

    async def gated(job: Awaitable[None]) -> None:
        async with gate:
            await job

    results = await asyncio.gather(*(gated(j) for j in jobs), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
