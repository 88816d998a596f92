"""The sequence every write on one existing batch runs (see :func:`operate`).

Inside the caller's unit of work: load the batch (under SELECT ... FOR UPDATE in a transaction,
so concurrent writers of one batch queue up and none loses an update; or, on the optimistic
path, without a lock), hide it when the caller may not see its site, check the client's
version, apply the domain operation, then write state, per-location quantities, reservations,
movements, audit row and outbox events in one statement, conditional on the version read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from inventory.domain import (
    Batch,
    BatchNotFoundError,
    BatchState,
    Bucket,
    Movement,
    OperationResult,
    spec_field,
)
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.event_mapping import integration_events
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import AuditEntry, BatchRecord
from inventory.service_layer.unit_of_work import VersionMovedOnError

__all__ = [
    "Operation",
    "WriteOutcome",
    "known_locations",
    "locked_batch",
    "operate",
    "state_changes",
]

Operation = Callable[[Batch, datetime], OperationResult]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """A batch after a write, the movements the write appended and their ledger ids."""

    record: BatchRecord
    movements: tuple[Movement, ...]
    movement_ids: tuple[int, ...]
    actor_name: str | None = None


_BUCKET_FIELDS = {bucket: spec_field(bucket) for bucket in Bucket}


def state_changes(before: BatchState, after: BatchState) -> dict[str, Any]:
    """What the audit log records: each bucket, status and version that changed."""
    changes: dict[str, Any] = {}
    for bucket, name in _BUCKET_FIELDS.items():
        old, new = before.buckets.get(bucket), after.buckets.get(bucket)
        if old != new:
            changes[name] = {"before": str(old), "after": str(new)}
    if before.status is not after.status:
        changes["status"] = {"before": before.status.value, "after": after.status.value}
    if before.deleted_at != after.deleted_at:
        changes["deletedAt"] = {"before": None, "after": after.deleted_at}
    changes["version"] = {"before": before.version, "after": after.version}
    return changes


async def locked_batch(uow: UnitOfWork, caller: Caller, batch_id: UUID | str) -> BatchRecord:
    """The batch, row-locked; BATCH_NOT_FOUND also when its site is not the caller's (a
    caller learns nothing about other sites, not even that a batch exists)."""
    # In an autocommit unit of work (the optimistic path) a lock would end with its statement;
    # the write there is conditional on the version read instead.
    record = await (uow.batches.read(batch_id) if uow.autocommit else uow.batches.lock(batch_id))
    if record is None or not caller.can_access_site(record.facts.site.id):
        raise BatchNotFoundError(str(batch_id))
    return record


async def known_locations(
    uow: UnitOfWork, record: BatchRecord, location_ids: Iterable[UUID | None]
) -> None:
    """Make sure every named location exists in the batch's site and is described in
    ``record.places`` (events name locations in full)."""
    for location_id in location_ids:
        if location_id is None or str(location_id) in record.places:
            continue
        row = await uow.batches.location_in_site(str(location_id), record.facts.site.id)
        if row is None:
            raise NotFoundError("location", str(location_id))
        record.places[row.id] = row


async def operate(
    uow: UnitOfWork,
    caller: Caller,
    batch_id: UUID | str,
    *,
    action: str,
    operation: Operation,
    expected_version: int | None = None,
    reason: str | None = None,
    locations: Iterable[UUID | None] = (),
    record: BatchRecord | None = None,
    describe: Callable[[BatchRecord], Mapping[str, Any]] | None = None,
) -> WriteOutcome:
    """Apply one domain operation to one batch and stage everything it writes.

    ``record`` may be passed when the caller already holds the row lock (bulk actions, update).
    ``describe`` names field changes the domain does not model, from the record after the
    operation; they join the audit row and the ``updated`` event.
    """
    if record is None:
        record = await locked_batch(uow, caller, batch_id)
    batch = Batch(record.state)
    if expected_version is not None:
        batch.check_version(expected_version)
    await known_locations(uow, record, locations)
    before = record.state
    # Time never goes backwards per batch (the domain refuses it): a writer whose clock lags
    # the last writer's records the last change's time instead.
    now = max(utc_now(), before.updated_at)
    result = operation(batch, now)
    record.state = batch.state
    changes = state_changes(before, record.state)
    extra_changes = describe(record) if describe else None
    if extra_changes:
        changes.update(extra_changes)
    audit = AuditEntry(
        action=action,
        actor=caller.actor,
        reason=reason,
        changes=changes,
        request_id=caller.request_id,
        actor_name=caller.actor_name,
    )
    events = integration_events(record, result.events, caller, changes=extra_changes)
    ids = await uow.batches.save(
        before, record, result.movements, audit, events, revised=describe is not None
    )
    if ids is None:
        if uow.autocommit:
            raise VersionMovedOnError
        # Under the row lock nobody else can have written: this is a bug, and writing over a
        # newer state would hide it.
        raise RuntimeError(f"batch {before.batch_id} moved past version {before.version}")
    return WriteOutcome(
        record=record,
        movements=result.movements,
        movement_ids=tuple(ids),
        actor_name=caller.actor_name,
    )
