"""Handlers of the writes on one existing batch: adjust, status, transfer, reservations, sales,
returns, samples, disposal, holds, defects, soft delete. Each maps its request onto one domain
operation and runs it through :func:`inventory.service_layer.batch_operations.operate`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shared.contracts import inventory as api

from inventory.adapters.records import BatchRecord
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchStatus,
    Bucket,
    OperationResult,
    Reference,
)
from inventory.service_layer.batch_operations import WriteOutcome, operate
from inventory.service_layer.caller import Caller
from inventory.service_layer.unit_of_work import UnitOfWork

__all__ = [
    "adjust_quantity",
    "change_status",
    "delete_batch",
    "dispose",
    "hold",
    "mark_defective",
    "receive_return",
    "release_hold",
    "release_reservation",
    "reserve",
    "sell",
    "send_sample",
    "transfer",
]


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
