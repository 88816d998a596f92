"""The push worker's step: for each license with due submissions, claim, send, record.

A round claims the license's ready submissions (``claim.py``: validated, marked in flight,
committed), sends them grouped up to 10 per request, at most ``policy.concurrent_requests``
requests at once, and records each outcome (``send.py``). Rounds repeat while something was
claimed, since the writes behind an accepted one become ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from uuid import uuid4

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcError
from compliance.domain import (
    Notification,
    NotificationKind,
    Problem,
    ProblemCode,
    Severity,
    SubmissionKind,
    group_requests,
    problem,
)
from compliance.service_layer.claim import claim_ready
from compliance.service_layer.context import ServiceContext
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
            try:
                catalog = await ctx.catalogs.get(license_number, metrc)
            except MetrcAuthError as error:
                await ctx.keys_refused(license_number, error, actor=ctx.system_actor)
                report.skipped[license_number] = problem(
                    ProblemCode.CREDENTIALS_INVALID, error.message
                )
                return
            except MetrcError as error:
                report.skipped[license_number] = problem(
                    ProblemCode.METRC_UNAVAILABLE, error.message
                )
                return
            claimed = await claim_ready(ctx, license_number, catalog, report)
            if not claimed:
                return
            requests = group_requests(
                [s for s in claimed if s.is_write],
                max_objects=ctx.policy.max_objects_per_request,
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
            await _gather_limited(jobs, ctx.policy.concurrent_requests)
            if license_number in report.skipped:
                return

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
