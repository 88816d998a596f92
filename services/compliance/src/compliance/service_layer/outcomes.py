"""Recording what became of a submission, with everything that goes with it, in one unit of work.

Every state change of a submission is stored together with its consequences: the event on
``compliance.events``, the link (a create or a link accepted makes the batch LINKED; the draws
of its ingredients are accounted for), and a notification when a push is rejected or fails.
The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import uuid4

from compliance.domain import (
    CREATES_PACKAGE,
    IngredientDraw,
    Notification,
    NotificationKind,
    Problem,
    ProblemCode,
    PushPolicy,
    Severity,
    Submission,
    SubmissionKind,
    SubmissionState,
    link_changed,
    problem,
    submission_event,
)
from compliance.service_layer.ports import UnitOfWork

__all__ = [
    "combine",
    "store_accepted",
    "store_accepted_many",
    "store_failed",
    "store_rejected",
    "store_retry_later",
]


def combine(problems: Sequence[Problem]) -> Problem:
    """One problem standing for several: the first one's code, every message, each guidance once."""
    first = problems[0]
    if len(problems) == 1:
        return first
    guidance = " ".join(dict.fromkeys(p.guidance for p in problems))
    return Problem(
        code=first.code,
        message="; ".join(p.message for p in problems),
        guidance=guidance,
        field=first.field,
    )


async def store_accepted(
    uow: UnitOfWork,
    s: Submission,
    *,
    now: datetime,
    actor: str,
    metrc_ids: tuple[int, ...] = (),
) -> Submission:
    (done,) = await store_accepted_many(uow, [(s, metrc_ids)], now=now, actor=actor)
    return done


async def store_accepted_many(
    uow: UnitOfWork,
    accepted: Sequence[tuple[Submission, tuple[int, ...]]],
    *,
    now: datetime,
    actor: str,
) -> list[Submission]:
    """Each submission accepted with its Metrc ids, with its event; a create or link makes its
    batch LINKED. A request's worth in a few statements, not a few per submission."""
    done = [s.accept(now, metrc_ids=ids) for s, ids in accepted]
    await uow.submissions.save_many(done)
    for d in done:
        await uow.outbox.add(submission_event(d, at=now, actor=actor))
    linking = [
        d for d in done if d.kind in CREATES_PACKAGE or d.kind is SubmissionKind.LINK_PACKAGE
    ]
    if linking:
        await uow.links.lock({d.batch_id for d in linking})
        links = await uow.links.get_many({d.batch_id for d in linking})
        changed = []
        for d in linking:
            link = links.get(d.batch_id)
            if link is None:
                continue
            package_id = d.metrc_ids[0] if d.metrc_ids else None
            linked = link.linked(now, metrc_package_id=package_id)
            if d.tag is not None and linked.tag is None:
                linked = linked.with_tag(d.tag, now)
            links[d.batch_id] = linked
            if linked != link:
                changed.append(linked)
                await uow.outbox.add(link_changed(linked, at=now, actor=actor))
        await uow.links.save_many(changed)
    for d in done:
        await settle_draws(uow, d, now=now, actor=actor)
    return done


async def settle_draws(uow: UnitOfWork, s: Submission, *, now: datetime, actor: str) -> None:
    """A record made from other batches, a harvest or a package was created (or a person
    settled its create): the draws it made on its sources are accounted for, so their later
    writes may go."""
    if not s.draws_on:
        return
    for draw in await uow.submissions.draws_into(s.batch_id):
        if (
            isinstance(draw.intent, IngredientDraw)
            and draw.intent.into_batch_id == s.batch_id
            and draw.state is SubmissionState.PENDING
        ):
            done = draw.accept(now)
            await uow.submissions.save(done)
            # Published like any accepted write: reporting counts it pending until then.
            await uow.outbox.add(submission_event(done, at=now, actor=actor))


async def store_rejected(
    uow: UnitOfWork, s: Submission, error: Problem, *, now: datetime, actor: str
) -> Submission:
    rejected = s.reject(now, error)
    await uow.submissions.save(rejected)
    await uow.outbox.add(submission_event(rejected, at=now, actor=actor))
    await _notify_stopped(uow, rejected, now=now)
    return rejected


async def store_failed(
    uow: UnitOfWork, s: Submission, error: Problem, *, now: datetime, actor: str
) -> Submission:
    failed = s.fail(now, error)
    await uow.submissions.save(failed)
    await uow.outbox.add(submission_event(failed, at=now, actor=actor))
    await _notify_stopped(uow, failed, now=now)
    return failed


async def store_retry_later(
    uow: UnitOfWork,
    s: Submission,
    error: Problem,
    *,
    now: datetime,
    actor: str,
    policy: PushPolicy,
    jitter: float,
    retry_after: timedelta | None = None,
) -> Submission:
    """Metrc did not apply it and may later: back to PENDING with backoff (never earlier than
    Metrc's Retry-After), or FAILED once ``policy.max_attempts`` sends were spent."""
    if policy.exhausted(s.attempts):
        final = error
        if error.code is not ProblemCode.PACKAGE_NOT_RECEIVED:
            final = problem(
                ProblemCode.METRC_UNAVAILABLE,
                f"Gave up after {s.attempts} attempts; the last said: {error.message}",
            )
        return await store_failed(uow, s, final, now=now, actor=actor)
    later = s.requeue(
        retry_at=policy.retry_at(
            attempts=s.attempts, now=now, jitter=jitter, retry_after=retry_after
        ),
        error=error,
    )
    await uow.submissions.save(later)
    return later


async def _notify_stopped(uow: UnitOfWork, s: Submission, *, now: datetime) -> None:
    link = await uow.links.get(s.batch_id)
    code = link.batch.code if link is not None else str(s.batch_id)
    error = s.last_error
    assert error is not None
    verb = "rejected" if s.state is SubmissionState.REJECTED else "failed"
    await uow.notifications.raise_(
        Notification(
            id=uuid4(),
            kind=NotificationKind.PUSH_FAILED,
            severity=Severity.ERROR,
            title=f"Metrc push {verb}: {s.kind.value.lower().replace('_', ' ')} of batch {code}",
            message=error.message,
            guidance=error.guidance,
            created_at=now,
            license_number=s.license_number,
            site_id=s.site_id,
            subject=str(s.id),
            dedup_key=f"push:{s.id}:{s.manual_retries}",
        )
    )
