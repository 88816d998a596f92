"""Steps 2 and 3 of a push round: send the claimed writes, and record what Metrc made of them.

Each request's outcome is recorded in its own transaction, and only if its submissions are still
the send it belongs to (a read-back may have settled them meanwhile):

* accepted: with Metrc's Ids; a create or link makes the batch LINKED;
* rejected (400): the rows Metrc named fail with Metrc's message and the guide's guidance, the
  others are sent again without them (a request Metrc refused applied nothing);
* 429 / 5xx (after the client's own retries): back to pending with backoff that honours
  Retry-After, or failed after ``policy.max_attempts`` (``compliance.push_failed``);
* no answer, or one that cannot be read: left in flight; the read-back decides;
* 401/403: the keys are marked invalid, the license stops until they are validated again.

A link (a batch received by transfer) is a read: find the package by tag and check it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import (
    Direction,
    Problem,
    ProblemCode,
    Submission,
    SubmissionKind,
    SubmissionState,
    SyncStatus,
    check_arrived_package,
    problem,
    problem_from_metrc_message,
    split_rejection,
)
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.metrc_requests import OPERATIONS, package_view, write
from compliance.service_layer.outcomes import (
    combine,
    store_accepted,
    store_accepted_many,
    store_rejected,
    store_retry_later,
)
from compliance.service_layer.ports import UnitOfWork
from compliance.service_layer.report import PushReport

__all__ = ["Sender", "all_still_in_flight", "keys_work", "still_in_flight"]


class Sender:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def send(
        self,
        metrc: MetrcPort,
        license_number: str,
        kind: SubmissionKind,
        subs: Sequence[Submission],
        report: PushReport,
    ) -> None:
        ctx = self._ctx
        started = ctx.now()
        report.requests += 1
        try:
            with ctx.telemetry.metrc_request(
                operation=OPERATIONS[kind],
                license_number=license_number,
                trace_parents=[s.trace_parent for s in subs],
            ):
                result = await write(metrc, license_number, kind, subs)
        except MetrcRejectedError as error:
            await self._split(metrc, license_number, kind, subs, error.rows, error, started, report)
            return
        except MetrcRequestTooLargeError as error:
            rows: list[tuple[int | None, str]] = [(None, error.message)]
            await self._split(metrc, license_number, kind, subs, rows, error, started, report)
            return
        except MetrcTransientError as error:
            after = timedelta(seconds=error.retry_after) if error.retry_after is not None else None
            await self._retry_later(subs, error, started, report, retry_after=after)
            return
        except MetrcAuthError as error:
            await self._keys_refused(subs, error, started, report)
            return
        except MetrcNotFoundError as error:
            message = f"This state's Metrc refused the call: {error.message}"
            await self._reject_all(
                subs, problem(ProblemCode.METRC_REJECTED, message), error, started, report
            )
            return
        except MetrcError as error:
            # No answer, or one we cannot read: Metrc may have applied it. The read-back decides.
            await self._unknown(subs, error, started, report)
            return
        ids = list(result.ids) if len(result.ids) == len(subs) else []
        async with ctx.uow() as uow:
            current = await all_still_in_flight(uow, subs)
            accepted = [
                (current[s.id], (ids[i],) if ids else ())
                for i, s in enumerate(subs)
                if s.id in current
            ]
            await store_accepted_many(uow, accepted, now=ctx.now(), actor=ctx.system_actor)
            await self._log_request(
                uow, subs, SyncStatus.SUCCESS, started, accepted=len(accepted), http_status=200
            )
            await uow.commit()
        report.accepted += len(accepted)

    async def _split(
        self,
        metrc: MetrcPort,
        license_number: str,
        kind: SubmissionKind,
        subs: Sequence[Submission],
        rows: Sequence[tuple[int | None, str]],
        error: MetrcError,
        started: datetime,
        report: PushReport,
    ) -> None:
        """Metrc refused the whole request: fail the rows it named, send the others again."""
        ctx = self._ctx
        split = split_rejection(subs, rows)
        resend: list[list[Submission]] = []
        async with ctx.uow() as uow:
            now = ctx.now()
            first: Problem | None = None
            for s, messages in split.rejected:
                current = await still_in_flight(uow, s)
                if current is None:
                    continue
                rejection = combine([problem_from_metrc_message(m) for m in messages])
                first = first or rejection
                await store_rejected(uow, current, rejection, now=now, actor=ctx.system_actor)
                report.rejected += 1
            for group in split.resend:
                again: list[Submission] = []
                for s in group:
                    current = await still_in_flight(uow, s)
                    if current is not None:
                        again.append(current.resent(now))
                        await uow.submissions.save(again[-1])
                if again:
                    resend.append(again)
            status = SyncStatus.PARTIAL if split.resend else SyncStatus.REJECTED
            shown = first or problem(ProblemCode.METRC_REJECTED, error.message)
            await self._log_request(
                uow,
                subs,
                status,
                started,
                rejected=len(split.rejected),
                http_status=error.status_code,
                error=shown,
            )
            await uow.commit()
        for again_group in resend:
            await self.send(metrc, license_number, kind, again_group, report)

    async def _retry_later(
        self,
        subs: Sequence[Submission],
        error: MetrcError,
        started: datetime,
        report: PushReport,
        *,
        retry_after: timedelta | None,
    ) -> None:
        ctx = self._ctx
        why = problem(
            ProblemCode.METRC_UNAVAILABLE, f"Metrc did not serve the call: {error.message}"
        )
        async with ctx.uow() as uow:
            now = ctx.now()
            for s in subs:
                current = await still_in_flight(uow, s)
                if current is None:
                    continue
                after = await store_retry_later(
                    uow, current, why, now=now, actor=ctx.system_actor,
                    policy=ctx.policy, jitter=ctx.jitter(), retry_after=retry_after,
                )  # fmt: skip
                if after.state is SubmissionState.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
            await self._log_request(
                uow, subs, SyncStatus.RETRYING, started, http_status=error.status_code, error=why
            )
            await uow.commit()

    async def _keys_refused(
        self,
        subs: Sequence[Submission],
        error: MetrcAuthError,
        started: datetime,
        report: PushReport,
    ) -> None:
        ctx = self._ctx
        why = problem(
            ProblemCode.CREDENTIALS_INVALID, f"Metrc refused the API keys: {error.message}"
        )
        license_number = subs[0].license_number
        async with ctx.uow() as uow:
            now = ctx.now()
            for s in subs:
                current = await still_in_flight(uow, s)
                if current is not None:
                    await uow.submissions.save(current.requeue(retry_at=now, error=why))
            await self._log_request(
                uow, subs, SyncStatus.FAILED, started, http_status=error.status_code, error=why
            )
            await uow.commit()
        report.retrying += len(subs)
        report.skipped[license_number] = why
        await ctx.keys_refused(license_number, error, actor=ctx.system_actor)

    async def _reject_all(
        self,
        subs: Sequence[Submission],
        why: Problem,
        error: MetrcError,
        started: datetime,
        report: PushReport,
    ) -> None:
        ctx = self._ctx
        async with ctx.uow() as uow:
            for s in subs:
                current = await still_in_flight(uow, s)
                if current is not None:
                    await store_rejected(uow, current, why, now=ctx.now(), actor=ctx.system_actor)
                    report.rejected += 1
            await self._log_request(
                uow,
                subs,
                SyncStatus.REJECTED,
                started,
                rejected=len(subs),
                http_status=error.status_code,
                error=why,
            )
            await uow.commit()

    async def _unknown(
        self, subs: Sequence[Submission], error: MetrcError, started: datetime, report: PushReport
    ) -> None:
        ctx = self._ctx
        why = problem(
            ProblemCode.METRC_UNAVAILABLE,
            f"No answer from Metrc ({error.message}); Metrc will be read back before any re-send.",
        )
        async with ctx.uow() as uow:
            for s in subs:
                current = await still_in_flight(uow, s)
                if current is not None:
                    await uow.submissions.save(current.outcome_unknown(why))
                    report.unknown += 1
            await self._log_request(
                uow, subs, SyncStatus.UNKNOWN, started, http_status=error.status_code, error=why
            )
            await uow.commit()

    async def check_link(self, metrc: MetrcPort, s: Submission, report: PushReport) -> None:
        """A batch received by transfer: find its package in Metrc and check it is the batch's."""
        ctx = self._ctx
        started = ctx.now()
        assert s.sent_as is not None
        try:
            with ctx.telemetry.metrc_request(
                operation=OPERATIONS[s.kind],
                license_number=s.license_number,
                trace_parents=[s.trace_parent],
            ):
                package = await metrc.find_package(s.license_number, s.sent_as.tag)
        except MetrcAuthError as error:
            if await keys_work(metrc, s.license_number):
                why = problem(
                    ProblemCode.LINK_MISMATCH,
                    f"Package {s.sent_as.tag} belongs to another facility in Metrc.",
                    field="tag",
                )
                await self._reject_all([s], why, error, started, report)
            else:
                await self._keys_refused([s], error, started, report)
            return
        except MetrcError as error:
            # A read: whatever went wrong, nothing was changed and asking again is safe.
            await self._retry_later([s], error, started, report, retry_after=None)
            return
        found = check_arrived_package(s, s.sent_as, package_view(package))
        async with ctx.uow() as uow:
            now = ctx.now()
            current = await still_in_flight(uow, s)
            if current is None:
                return
            if found is None:
                assert package is not None
                await store_accepted(
                    uow, current, now=now, actor=ctx.system_actor, metrc_ids=(package.id,)
                )
                report.accepted += 1
                status = SyncStatus.SUCCESS
            elif found.code is ProblemCode.PACKAGE_NOT_RECEIVED:
                after = await store_retry_later(
                    uow,
                    current,
                    found,
                    now=now,
                    actor=ctx.system_actor,
                    policy=ctx.policy,
                    jitter=ctx.jitter(),
                )
                if after.state is SubmissionState.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
                status = SyncStatus.RETRYING
            else:
                await store_rejected(uow, current, found, now=now, actor=ctx.system_actor)
                report.rejected += 1
                status = SyncStatus.REJECTED
            await self._log_request(
                uow, [s], status, started, accepted=int(found is None), error=found
            )
            await uow.commit()

    async def _log_request(
        self,
        uow: UnitOfWork,
        subs: Sequence[Submission],
        status: SyncStatus,
        started: datetime,
        *,
        accepted: int = 0,
        rejected: int = 0,
        http_status: int | None = None,
        error: Problem | None = None,
    ) -> None:
        first = subs[0]
        await self._ctx.log(
            uow,
            operation=OPERATIONS[first.kind],
            direction=Direction.PUSH,
            status=status,
            started=started,
            actor=self._ctx.system_actor,
            license_number=first.license_number,
            site_id=first.site_id if all(s.site_id == first.site_id for s in subs) else None,
            objects=len(subs),
            accepted=accepted,
            rejected=rejected,
            batch_ids=[s.batch_id for s in subs],
            submission_ids=[s.id for s in subs],
            http_status=http_status,
            problem=error,
        )


async def all_still_in_flight(
    uow: UnitOfWork, subs: Sequence[Submission]
) -> dict[UUID, Submission]:
    """``still_in_flight`` for a request's submissions, in one read: the ones that are, by id."""
    stored = {c.id: c for c in await uow.submissions.get_many([s.id for s in subs])}
    return {
        s.id: current
        for s in subs
        if (current := stored.get(s.id)) is not None
        and current.state is SubmissionState.IN_FLIGHT
        and current.sent_at == s.sent_at
    }


async def still_in_flight(uow: UnitOfWork, s: Submission) -> Submission | None:
    """The stored submission, if it is still the send this outcome belongs to (a read-back may
    have settled it meanwhile)."""
    current = await uow.submissions.get(s.id)
    if current is None or current.state is not SubmissionState.IN_FLIGHT:
        return None
    if current.sent_at != s.sent_at:
        return None
    return current


async def keys_work(metrc: MetrcPort, license_number: str) -> bool:
    try:
        facilities = await metrc.list_facilities()
    except MetrcError:
        return False
    return any(f.license_number == license_number for f in facilities)
