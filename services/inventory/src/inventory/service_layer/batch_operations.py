"""Handlers of the writes on one existing batch: adjust, status, transfer, reservations, sales,
returns, samples, disposal, holds, defects, soft delete.

Each runs the same sequence inside the caller's unit of work (see :func:`operate`): lock the
batch row (SELECT ... FOR UPDATE: concurrent writers of one batch queue up, none loses an
update), hide it when the caller may not see its site, check the client's version, apply the
domain operation, then write state, per-location quantities, reservations, movements, audit row
and outbox events, all in the one transaction the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.contracts import inventory as api

from inventory.adapters.batch_store import AuditEntry
from inventory.adapters.records import BatchRecord
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchNotFoundError,
    BatchState,
    BatchStatus,
    Bucket,
    Movement,
    OperationResult,
    Reference,
)
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.event_mapping import integration_events
from inventory.service_layer.unit_of_work import UnitOfWork, VersionMovedOnError

__all__ = ["WriteOutcome", "operate", "state_changes"]

Operation = Callable[[Batch, datetime], OperationResult]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """A batch after a write, the movements the write appended and their ledger ids."""

    record: BatchRecord
    movements: tuple[Movement, ...]
    movement_ids: tuple[int, ...]


_BUCKET_FIELDS = {bucket: bucket.spec_field for bucket in Bucket}


def state_changes(before: BatchState, after: BatchState) -> dict[str, Any]:
    """What the audit log records: each bucket, status and version that changed."""
    changes: dict[str, Any] = {}
    for bucket, name in _BUCKET_FIELDS.items():
        old, new = before.buckets.get(bucket), after.buckets.get(bucket)
        if old != new:
            changes[name] = {"before": str(old), "after": str(new)}
    if before.status is not after.status:
        changes["batchStatus"] = {"before": before.status.value, "after": after.status.value}
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
    )
    events = integration_events(record, result.events, caller, changes=extra_changes)
    ids = await uow.batches.save(before, record, result.movements, audit, events)
    if ids is None:
        if uow.autocommit:
            raise VersionMovedOnError
        # Under the row lock nobody else can have written: this is a bug, and writing over a
        # newer state would hide it.
        raise RuntimeError(f"batch {before.batch_id} moved past version {before.version}")
    return WriteOutcome(record=record, movements=result.movements, movement_ids=tuple(ids))


def _reason(value: api.AdjustmentReason | None) -> AdjustmentReason | None:
    return None if value is None else AdjustmentReason(value.value)


def _ref(kind: str | None, ref_id: str | None) -> Reference | None:
    return Reference(kind, ref_id) if kind and ref_id else None


def _loc(value: UUID | None) -> str | None:
    return None if value is None else str(value)


_FIELD_BUCKETS = {
    api.QuantityField.ON_HAND: Bucket.ON_HAND,
    api.QuantityField.RESERVED: Bucket.RESERVED,
    api.QuantityField.QUARANTINE: Bucket.QUARANTINE,
    api.QuantityField.HOLD: Bucket.HOLD,
    api.QuantityField.DEFECTIVE: Bucket.DEFECTIVE,
}


async def adjust_quantity(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.AdjustQuantityRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.adjust(
            bucket=_FIELD_BUCKETS[cmd.field],
            adjustment=cmd.adjustment,
            reason=_reason(cmd.reason),
            notes=cmd.notes,
            location_id=_loc(cmd.location_id),
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="ADJUST_QTY",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
        locations=[cmd.location_id],
    )


async def change_status(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.StatusChangeRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.change_status(
            new_status=BatchStatus(cmd.status.value),
            reason=cmd.reason or "",
            disposal_reason=AdjustmentReason(cmd.disposal_reason.value),
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="UPDATE_STATUS",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.reason,
    )


async def transfer(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.TransferRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.transfer(
            quantity=cmd.quantity,
            from_location_id=str(cmd.from_location_id),
            to_location_id=str(cmd.to_location_id),
            bucket=Bucket(cmd.bucket.value) if cmd.bucket else None,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="TRANSFER",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.from_location_id, cmd.to_location_id],
    )


async def reserve(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.ReserveRequest
) -> WriteOutcome:
    reference = Reference(cmd.reference_type, cmd.reference_id)

    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.reserve(
            quantity=cmd.quantity,
            reference=reference,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="RESERVE",
        operation=run,
        expected_version=cmd.version,
        reason=str(reference),
    )


async def release_reservation(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.ReleaseReservationRequest
) -> WriteOutcome:
    reference = Reference(cmd.reference_type, cmd.reference_id)

    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.release_reservation(
            reference=reference,
            quantity=cmd.quantity,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="RELEASE_RESERVATION",
        operation=run,
        expected_version=cmd.version,
        reason=str(reference),
    )


async def sell(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.SaleRequest
) -> WriteOutcome:
    reference = Reference(cmd.reference_type, cmd.reference_id)

    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.sell(
            quantity=cmd.quantity,
            reference=reference,
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="SALE",
        operation=run,
        expected_version=cmd.version,
        reason=str(reference),
        locations=[cmd.location_id],
    )


async def receive_return(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.ReturnRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.receive_return(
            quantity=cmd.quantity,
            refund=cmd.refund,
            reference=_ref(cmd.reference_type, cmd.reference_id),
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="RETURN",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.location_id],
    )


async def send_sample(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.SampleRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.send_sample(
            quantity=cmd.quantity,
            reference=_ref(cmd.reference_type, cmd.reference_id),
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="SAMPLE",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.location_id],
    )


async def dispose(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.DisposalRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.dispose(
            quantity=cmd.quantity,
            bucket=Bucket(cmd.bucket.value),
            reason=_reason(cmd.reason),
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="DISPOSAL",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
        locations=[cmd.location_id],
    )


async def hold(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.HoldRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.hold(
            quantity=cmd.quantity, notes=cmd.notes, actor=caller.actor, occurred_at=now
        )

    return await operate(
        uow, caller, batch_id, action="HOLD", operation=run, expected_version=cmd.version,
        reason=cmd.notes,
    )  # fmt: skip


async def release_hold(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.HoldRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.release_hold(
            quantity=cmd.quantity, notes=cmd.notes, actor=caller.actor, occurred_at=now
        )

    return await operate(
        uow, caller, batch_id, action="RELEASE_HOLD", operation=run,
        expected_version=cmd.version, reason=cmd.notes,
    )  # fmt: skip


async def mark_defective(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, cmd: api.DefectiveRequest
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.mark_defective(
            quantity=cmd.quantity,
            reason=_reason(cmd.reason),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        )

    return await operate(
        uow,
        caller,
        batch_id,
        action="MARK_DEFECTIVE",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
    )


async def delete_batch(
    uow: UnitOfWork,
    caller: Caller,
    batch_id: UUID,
    *,
    reason: str | None,
    version: int | None,
    record: BatchRecord | None = None,
) -> WriteOutcome:
    def run(batch: Batch, now: datetime) -> OperationResult:
        return batch.delete(reason=reason or "", actor=caller.actor, occurred_at=now)

    return await operate(
        uow,
        caller,
        batch_id,
        action="DELETE",
        operation=run,
        expected_version=version,
        reason=reason,
        record=record,
    )
