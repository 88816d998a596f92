"""Recording what happened to a batch: the planned Metrc writes become submissions.

:func:`record_batch_change` runs *inside* the caller's unit of work and does not commit: the
inventory consumer opens one per event, records the event's inbox row in it, calls this, and
commits, so the submissions exist exactly when the event counts as consumed. It never calls
Metrc: an intake succeeds in inventory, and is recorded here, while Metrc is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from compliance.domain import (
    BatchChange,
    Direction,
    Notification,
    NotificationKind,
    PackageLink,
    Problem,
    ProblemCode,
    Severity,
    Submission,
    SyncLogEntry,
    SyncStatus,
    link_changed,
    plan_batch_change,
    submission_event,
)
from compliance.domain.planner import Plan
from compliance.domain.reconciliation import marked_finding
from compliance.domain.submissions import TRANSFER_REFERENCE
from compliance.service_layer.ports import UnitOfWork
from compliance.service_layer.sale_settlement import note_returns, settle_planned_sales

__all__ = ["Recorded", "record_batch_change", "store_plan"]

_NOTIFY: dict[ProblemCode, tuple[NotificationKind, Severity]] = {
    ProblemCode.QUANTITY_DRIFT: (NotificationKind.QUANTITY_DRIFT, Severity.ERROR),
    ProblemCode.NEEDS_MANUAL_PUSH: (NotificationKind.BATCH_NOT_PUSHED, Severity.WARNING),
    ProblemCode.SOURCE_REQUIRED: (NotificationKind.BATCH_NOT_PUSHED, Severity.WARNING),
    ProblemCode.SOURCE_NOT_SUPPORTED: (NotificationKind.BATCH_NOT_PUSHED, Severity.INFO),
    ProblemCode.OPENING_BALANCE_NOT_ALLOWED: (NotificationKind.BATCH_NOT_PUSHED, Severity.WARNING),
    ProblemCode.TAG_CHANGE_AFTER_LINK: (NotificationKind.BATCH_NOT_PUSHED, Severity.WARNING),
}


@dataclass(frozen=True)
class Recorded:
    link: PackageLink
    submissions: tuple[Submission, ...]
    notes: tuple[Problem, ...]


async def record_batch_change(
    uow: UnitOfWork, change: BatchChange, *, now: datetime, trace_parent: str | None = None
) -> Recorded:
    """Plan ``change`` and store its writes (the caller commits, with the event's inbox row).
    ``trace_parent``: where the change was recorded (the consumer's span), carried on each
    submission so the Metrc calls that push it join the inventory request's trace."""
    await uow.links.lock([change.batch.batch_id])
    link = await uow.links.get(change.batch.batch_id)
    rules = await uow.jurisdictions.get(change.batch.site_id)
    plan = plan_batch_change(change, link, rules, settled=await _settled(uow, change))
    if plan.link == link:
        return Recorded(plan.link, (), plan.notes)
    recorded = await store_plan(
        uow,
        plan,
        now=now,
        actor=change.actor,
        caused_by=change.event_id,
        operation="plan",
        trace_parent=trace_parent,
    )
    await note_returns(uow, change.batch.batch_id, _returned_from(change))
    return recorded


def _returned_from(change: BatchChange) -> set[UUID]:
    """The transfers a package rejected on its manifest came back from (inventory's RETURN)."""
    out: set[UUID] = set()
    for e in change.entries:
        if e.type == "RETURN" and e.reference_type == TRANSFER_REFERENCE and e.reference_id:
            try:
                out.add(UUID(e.reference_id))
            except ValueError:
                continue
    return out


async def _settled(uow: UnitOfWork, change: BatchChange) -> frozenset[tuple[int, int]]:
    """Rows an approved reconciliation fix recorded to match Metrc (their notes name the
    finding, and the finding's fix expects exactly that movement on this batch): Metrc holds
    them already, so they are not pushed."""
    marked = {
        e.position: (fid, e.change) for e in change.entries if (fid := marked_finding(e.notes))
    }
    if not marked:
        return frozenset()
    expected = await uow.movements.expected(
        change.batch.batch_id, {fid for fid, _ in marked.values()}
    )
    return frozenset(pos for pos, (fid, q) in marked.items() if expected.get(fid) == q)


async def store_plan(
    uow: UnitOfWork,
    plan: Plan,
    *,
    now: datetime,
    actor: str,
    caused_by: UUID | None = None,
    operation: str,
    trace_parent: str | None = None,
) -> Recorded:
    """Store a plan's link and its writes as submissions, publish them, log and notify its notes.
    A sale whose manifest settled already (inventory's event consumed late) is stored and
    published settled (``sale_settlement``): each submission's first event says what it is."""
    link = plan.link
    await uow.links.save(link)
    planned: list[Submission] = []
    for intent in plan.intents:
        assert link.license_number is not None, "a plan with writes has a license"
        planned.append(
            Submission.new(
                id=uuid4(),
                sequence=await uow.submissions.next_sequence(),
                license_number=link.license_number,
                site_id=link.site_id,
                batch_id=link.batch_id,
                intent=intent,
                now=now,
                actor=actor,
                caused_by=caused_by,
                trace_parent=trace_parent,
            )
        )
    stored = await settle_planned_sales(uow, uow.transfer_manifests, planned, now=now)
    for s in stored:
        await uow.submissions.add(s)
        await uow.outbox.add(submission_event(s, at=now, actor=actor))
    if plan.link_changed:
        await uow.outbox.add(link_changed(link, at=now, actor=actor))
    for note in plan.notes:
        await _log_note(uow, link, note, now=now, actor=actor, operation=operation)
    return Recorded(link, tuple(stored), plan.notes)


async def _log_note(
    uow: UnitOfWork,
    link: PackageLink,
    note: Problem,
    *,
    now: datetime,
    actor: str,
    operation: str,
) -> None:
    await uow.sync_log.add(
        SyncLogEntry(
            id=uuid4(),
            operation=operation,
            direction=Direction.PUSH,
            status=SyncStatus.SKIPPED,
            started_at=now,
            finished_at=now,
            actor=actor,
            license_number=link.license_number,
            site_id=link.site_id,
            batch_ids=(link.batch_id,),
            error_code=note.code.value,
            error_message=note.message,
            guidance=note.guidance,
        )
    )
    notify = _NOTIFY.get(note.code)
    if notify is None:
        return
    kind, severity = notify
    await uow.notifications.raise_(
        Notification(
            id=uuid4(),
            kind=kind,
            severity=severity,
            title=f"Batch {link.batch.code} is not in step with Metrc",
            message=note.message,
            guidance=note.guidance,
            created_at=now,
            license_number=link.license_number,
            site_id=link.site_id,
            subject=str(link.batch_id),
            dedup_key=f"{note.code.value}:{link.batch_id}",
        )
    )
