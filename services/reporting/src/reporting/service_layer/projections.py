"""Handlers of the consumers: a batch of consumed messages folded into the read models in the
caller's transaction.

A batch of N events costs a fixed number of statements, whatever N: read the views of the
batches they touch, fold the events in memory (:func:`reporting.domain.fold`), then write the
changed views, the new ledger rows, one upsert per touched aggregate row (all in one statement
per table) and the partitions' positions. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from reporting.domain import BatchChange, InconsistentEventError, LicenseKey, fold, fold_compliance
from reporting.domain.compliance import BatchLinkUpdate, FindingUpdate, PushUpdate, SyncFinished
from reporting.service_layer.commands import (
    ConsumedComplianceUpdate,
    ConsumedInventoryEvent,
    Position,
    Watermark,
)
from reporting.service_layer.errors import UnprojectableEventError
from reporting.service_layer.event_mapping import batch_change
from reporting.service_layer.ports import FoldWrites, Progress, ReadModelUnitOfWork

__all__ = [
    "Applied",
    "apply_compliance_updates",
    "apply_inventory_events",
    "record_watermarks",
]


@dataclass(frozen=True, slots=True)
class Applied:
    """How many messages changed the read models, and how many were not new."""

    applied: int
    skipped: int


def _progress(
    positions: Sequence[tuple[Position, datetime]], applied_at: datetime
) -> list[Progress]:
    last: dict[tuple[str, int], tuple[Position, datetime]] = {}
    for position, event_at in positions:
        key = (position.topic, position.partition)
        seen = last.get(key)
        if seen is None or position.offset > seen[0].offset:
            last[key] = (position, event_at)
    return [
        Progress(p.topic, p.partition, p.offset, event_at, applied_at)
        for p, event_at in last.values()
    ]


def _change(event: ConsumedInventoryEvent) -> BatchChange:
    try:
        return batch_change(event)
    except InconsistentEventError as error:
        raise UnprojectableEventError(event.event_id, event.position, error.message) from error


async def apply_inventory_events(
    uow: ReadModelUnitOfWork, events: Sequence[ConsumedInventoryEvent], *, now: datetime
) -> Applied:
    """Fold consumed inventory events (in partition order) into the read models.

    Raises:
        UnprojectableEventError: An event cannot be projected (it names the event); nothing of
            the batch is written: the consumer dead-letters that message and retries the others.
    """
    changes = [_change(event) for event in events]
    batch_ids = {change.batch.batch_id for change in changes}
    known = await uow.batches.lock_many(batch_ids)
    result = fold(known, changes)
    await uow.write_fold(
        FoldWrites(
            new_views=[v for i, v in result.views.items() if i not in known],
            replaced_views=[v for i, v in result.views.items() if i in known],
            movements=result.movements,
            deltas=result.deltas,
            progress=_progress(
                [(e.position, c.occurred_at) for e, c in zip(events, changes, strict=True)], now
            ),
        )
    )
    return Applied(result.applied, result.skipped)


async def apply_compliance_updates(
    uow: ReadModelUnitOfWork, updates: Sequence[ConsumedComplianceUpdate], *, now: datetime
) -> Applied:
    """Fold consumed compliance facts (in partition order) into the compliance status."""
    facts = [u.update for u in updates if u.update is not None]
    link_ids: set[UUID] = {f.batch_id for f in facts if isinstance(f, BatchLinkUpdate)}
    push_ids: set[UUID] = {f.submission_id for f in facts if isinstance(f, PushUpdate)}
    finding_ids: set[UUID] = {f.finding_id for f in facts if isinstance(f, FindingUpdate)}
    licenses: set[LicenseKey] = {f.license for f in facts if isinstance(f, SyncFinished)}
    store = uow.compliance
    result = fold_compliance(
        facts,
        links=await store.links(link_ids) if link_ids else {},
        pushes=await store.pushes(push_ids) if push_ids else {},
        findings=await store.findings(finding_ids) if finding_ids else {},
        syncs=await store.syncs(licenses) if licenses else {},
    )
    if result.applied:
        await store.save(result)
    await uow.positions.advance(_progress([(u.position, u.occurred_at) for u in updates], now))
    return Applied(result.applied, result.skipped + len(updates) - len(facts))


async def record_watermarks(uow: ReadModelUnitOfWork, watermarks: Sequence[Watermark]) -> None:
    """Record partitions' high watermarks as the consumer saw them (also while idle)."""
    if watermarks:
        await uow.positions.record_watermarks(watermarks)
