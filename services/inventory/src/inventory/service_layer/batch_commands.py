"""Handlers of the writes on one existing batch: adjust, status, transfer, reservations, sales,
returns, samples, disposal, holds, defects, soft delete. Each maps its command onto one domain
operation and runs it through :func:`inventory.service_layer.batch_operations.operate`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from inventory.domain import Batch, OperationResult
from inventory.service_layer import commands as c
from inventory.service_layer.batch_operations import WriteOutcome, operate
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import BatchRecord

__all__ = [
    "adjust_quantity",
    "change_status",
    "delete_batch",
    "dispose",
    "hold",
    "mark_defective",
    "quarantine_part",
    "receive_return",
    "release_hold",
    "release_reservation",
    "reserve",
    "sell",
    "send_sample",
    "transfer",
]


def _loc(value: UUID | None) -> str | None:
    return None if value is None else str(value)


async def adjust_quantity(uow: UnitOfWork, caller: Caller, cmd: c.AdjustQuantity) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="ADJUST_QTY",
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
        locations=[cmd.location_id],
        operation=lambda batch, now: batch.adjust(
            bucket=cmd.bucket,
            adjustment=cmd.adjustment,
            reason=cmd.reason,
            notes=cmd.notes,
            location_id=_loc(cmd.location_id),
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def change_status(uow: UnitOfWork, caller: Caller, cmd: c.ChangeStatus) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="UPDATE_STATUS",
        expected_version=cmd.version,
        reason=cmd.reason,
        operation=lambda batch, now: batch.change_status(
            new_status=cmd.status,
            reason=cmd.reason or "",
            disposal_reason=cmd.disposal_reason,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def transfer(uow: UnitOfWork, caller: Caller, cmd: c.Transfer) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="TRANSFER",
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.from_location_id, cmd.to_location_id],
        operation=lambda batch, now: batch.transfer(
            quantity=cmd.quantity,
            from_location_id=str(cmd.from_location_id),
            to_location_id=str(cmd.to_location_id),
            bucket=cmd.bucket,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def reserve(uow: UnitOfWork, caller: Caller, cmd: c.Reserve) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="RESERVE",
        expected_version=cmd.version,
        reason=str(cmd.reference),
        operation=lambda batch, now: batch.reserve(
            quantity=cmd.quantity,
            reference=cmd.reference,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def release_reservation(
    uow: UnitOfWork, caller: Caller, cmd: c.ReleaseReservation
) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="RELEASE_RESERVATION",
        expected_version=cmd.version,
        reason=str(cmd.reference),
        operation=lambda batch, now: batch.release_reservation(
            reference=cmd.reference,
            quantity=cmd.quantity,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def sell(uow: UnitOfWork, caller: Caller, cmd: c.Sell) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="SALE",
        expected_version=cmd.version,
        reason=str(cmd.reference),
        locations=[cmd.location_id],
        operation=lambda batch, now: batch.sell(
            quantity=cmd.quantity,
            reference=cmd.reference,
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def receive_return(uow: UnitOfWork, caller: Caller, cmd: c.ReceiveReturn) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="RETURN",
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.location_id],
        operation=lambda batch, now: batch.receive_return(
            quantity=cmd.quantity,
            refund=cmd.refund,
            reference=cmd.reference,
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def send_sample(uow: UnitOfWork, caller: Caller, cmd: c.SendSample) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="SAMPLE",
        expected_version=cmd.version,
        reason=cmd.notes,
        locations=[cmd.location_id],
        operation=lambda batch, now: batch.send_sample(
            quantity=cmd.quantity,
            reference=cmd.reference,
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def dispose(uow: UnitOfWork, caller: Caller, cmd: c.Dispose) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="DISPOSAL",
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
        locations=[cmd.location_id],
        operation=lambda batch, now: batch.dispose(
            quantity=cmd.quantity,
            bucket=cmd.bucket,
            reason=cmd.reason,
            location_id=_loc(cmd.location_id),
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def hold(uow: UnitOfWork, caller: Caller, cmd: c.Hold) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="HOLD",
        expected_version=cmd.version,
        reason=cmd.notes,
        operation=lambda batch, now: batch.hold(
            quantity=cmd.quantity, notes=cmd.notes, actor=caller.actor, occurred_at=now
        ),
    )


async def release_hold(uow: UnitOfWork, caller: Caller, cmd: c.ReleaseHold) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="RELEASE_HOLD",
        expected_version=cmd.version,
        reason=cmd.notes,
        operation=lambda batch, now: batch.release_hold(
            quantity=cmd.quantity, notes=cmd.notes, actor=caller.actor, occurred_at=now
        ),
    )


async def mark_defective(uow: UnitOfWork, caller: Caller, cmd: c.MarkDefective) -> WriteOutcome:
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="MARK_DEFECTIVE",
        expected_version=cmd.version,
        reason=cmd.reason.value if cmd.reason else None,
        operation=lambda batch, now: batch.mark_defective(
            quantity=cmd.quantity,
            reason=cmd.reason,
            notes=cmd.notes,
            actor=caller.actor,
            occurred_at=now,
        ),
    )


async def quarantine_part(uow: UnitOfWork, caller: Caller, cmd: c.QuarantinePart) -> WriteOutcome:
    def operation(batch: Batch, now: datetime) -> OperationResult:
        move = batch.release_part if cmd.release else batch.quarantine_part
        return move(
            quantity=cmd.quantity, reason=cmd.reason or "", actor=caller.actor, occurred_at=now
        )

    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="RELEASE_QUARANTINE_PART" if cmd.release else "QUARANTINE_PART",
        expected_version=cmd.version,
        reason=cmd.reason,
        operation=operation,
    )


async def delete_batch(
    uow: UnitOfWork, caller: Caller, cmd: c.DeleteBatch, *, record: BatchRecord | None = None
) -> WriteOutcome:
    """``record``: the batch, when the caller (a bulk delete) holds its row lock already."""
    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="DELETE",
        expected_version=cmd.version,
        reason=cmd.reason,
        record=record,
        operation=lambda batch, now: batch.delete(
            reason=cmd.reason or "", actor=caller.actor, occurred_at=now
        ),
    )
