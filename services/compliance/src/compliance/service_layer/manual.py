"""The guide's manual operations: push a batch to Metrc, retry failed pushes, dismiss one.

Each goes through the same validation as the automatic pushes (the push round validates before
it sends) and runs a push round for the license at once, so the operator sees the outcome
("Success: Metrc package UID appears; Failure: error message with guidance").
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.domain import (
    PackageLink,
    Problem,
    ProblemCode,
    PushDismissed,
    PushRetried,
    Submission,
    SubmissionState,
    plan_manual_push,
    problem,
    submission_event,
)
from compliance.service_layer.commands import DismissSubmission, PushBatch, RetryFailed
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.errors import NotFoundError, batch_not_tracked
from compliance.service_layer.outcomes import settle_draws
from compliance.service_layer.ports import UnitOfWork
from compliance.service_layer.push import Pusher
from compliance.service_layer.record import store_plan
from compliance.service_layer.report import PushReport

__all__ = ["ManualOperations", "ManualPush"]

_STOPPED = (SubmissionState.REJECTED, SubmissionState.FAILED)


@dataclass(frozen=True)
class ManualPush:
    """The batch's link and every submission of its package after the push round."""

    link: PackageLink
    submissions: tuple[Submission, ...]
    notes: tuple[Problem, ...]


class ManualOperations:
    def __init__(self, ctx: ServiceContext, pusher: Pusher) -> None:
        self._ctx = ctx
        self._pusher = pusher

    async def push_batch(self, cmd: PushBatch) -> ManualPush:
        """A batch not in Metrc gets its package planned (linked, or an opening balance of its
        current quantity); a tracked batch gets its rejected and failed writes retried."""
        ctx = self._ctx
        now = ctx.now()
        async with ctx.uow() as uow:
            link = await _link(uow, cmd)
            notes: tuple[Problem, ...] = ()
            if link.is_tracked:
                stopped = [
                    s for s in await uow.submissions.for_batch(link.batch_id) if s.state in _STOPPED
                ]
                for s in stopped:
                    await _retry(uow, s, ctx, actor=cmd.actor, trace_parent=cmd.trace_parent)
                if not stopped and all(
                    s.is_done for s in await uow.submissions.for_batch(link.batch_id)
                ):
                    notes = (
                        problem(
                            ProblemCode.NOTHING_TO_PUSH,
                            f"Batch {link.batch.code} is in step with Metrc.",
                        ),
                    )
            else:
                rules = await uow.jurisdictions.get(link.site_id)
                plan = plan_manual_push(link, rules, now)
                recorded = await store_plan(
                    uow,
                    plan,
                    now=now,
                    actor=cmd.actor,
                    operation="manual_push",
                    trace_parent=cmd.trace_parent,
                )
                link, notes = recorded.link, plan.notes
            await uow.commit()
        if link.license_number is not None and link.is_tracked:
            await self._pusher.push_license(link.license_number, PushReport(), max_rounds=3)
        async with ctx.uow() as uow:
            link = await _link(uow, cmd)
            subs = await uow.submissions.for_batch(cmd.batch_id)
        return ManualPush(link, tuple(subs), notes)

    async def retry_failed(self, cmd: RetryFailed) -> list[Submission]:
        """Retry the license's rejected and failed submissions (those named, or all of them),
        then push; returns them as they stand after the push round."""
        ctx = self._ctx
        async with ctx.uow() as uow:
            if cmd.submission_ids is None:
                chosen = await uow.submissions.stopped(cmd.license_number)
            else:
                chosen = await uow.submissions.get_many(cmd.submission_ids)
                missing = set(cmd.submission_ids) - {s.id for s in chosen}
                wrong = [s for s in chosen if s.license_number != cmd.license_number]
                if missing or wrong:
                    shown = ", ".join(sorted(str(i) for i in missing | {s.id for s in wrong}))
                    raise NotFoundError(
                        "SUBMISSION_NOT_FOUND",
                        f"No such submission of license {cmd.license_number}: {shown}",
                    )
                chosen = [s for s in chosen if s.state in _STOPPED]
            for s in chosen:
                await _retry(uow, s, ctx, actor=cmd.actor, trace_parent=cmd.trace_parent)
            await uow.commit()
        if chosen:
            await self._pusher.push_license(cmd.license_number, PushReport(), max_rounds=3)
        async with ctx.uow() as uow:
            return await uow.submissions.get_many([s.id for s in chosen])

    async def dismiss(self, cmd: DismissSubmission) -> Submission:
        """Settle a rejected or failed submission by hand (fixed in Metrc, or moot): the writes
        behind it on its package may go."""
        ctx = self._ctx
        now = ctx.now()
        async with ctx.uow() as uow:
            s = await uow.submissions.get(cmd.submission_id)
            if s is None:
                raise NotFoundError("SUBMISSION_NOT_FOUND", f"No submission {cmd.submission_id}")
            dismissed = s.dismiss(now, actor=cmd.actor)
            await uow.submissions.save(dismissed)
            await uow.outbox.add(
                submission_event(dismissed, at=now, actor=cmd.actor, event=PushDismissed)
            )
            await settle_draws(uow, dismissed, now=now, actor=cmd.actor)
            await uow.notifications.resolve(f"push:{s.id}:{s.manual_retries}", now)
            await uow.commit()
        return dismissed


async def _link(uow: UnitOfWork, cmd: PushBatch) -> PackageLink:
    # Locked as the consumer and the worker lock it: a push's outcome landing meanwhile must not
    # be saved over by this push's plan.
    await uow.links.lock([cmd.batch_id])
    link = await uow.links.get(cmd.batch_id)
    if link is None:
        raise batch_not_tracked(cmd.batch_id)
    return link


async def _retry(
    uow: UnitOfWork,
    s: Submission,
    ctx: ServiceContext,
    *,
    actor: str,
    trace_parent: str | None,
) -> None:
    now = ctx.now()
    retried = s.retry(now, trace_parent=trace_parent)
    await uow.submissions.save(retried)
    await uow.outbox.add(submission_event(retried, at=now, actor=actor, event=PushRetried))
    await uow.notifications.resolve(f"push:{s.id}:{s.manual_retries}", now)
