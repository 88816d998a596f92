"""Outgoing transfer handlers: create (reserve each package's quantity), send (ship it out: a
SALE drawn from the reservation), cancel (release the reservations), settle (what Metrc says
the receiver did: a rejected package's quantity comes back, RETURN). Each runs in the caller's
unit of work: lock the transfer, then its batches (in id order), let the domain decide, and
write the transfer, the batches' ledger rows and events, and the transfer's event together.
Every batch movement references ``TRANSFER <transfer id>``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from inventory.domain import Batch, DomainError, OperationResult, Reference, ValidationError
from inventory.domain.transfers import (
    LineOutcome,
    OutgoingTransfer,
    PlannedLine,
    Shipment,
    TransferLine,
    TransferState,
)
from inventory.service_layer import transfer_commands as c
from inventory.service_layer.batch_operations import WriteOutcome, operate
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.plant_batches import site_of
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import BatchRecord, SiteRow
from inventory.service_layer.transfer_events import transfer_event

__all__ = [
    "TRANSFER",
    "TransferOutcome",
    "cancel_transfer",
    "create_transfer",
    "send_transfer",
    "settle_transfer",
]

TRANSFER = "TRANSFER"
"""The reference type of every batch movement a transfer writes."""


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    state: TransferState
    site: SiteRow
    batches: tuple[WriteOutcome, ...] = ()


def _reference(transfer_id: str) -> Reference:
    return Reference(TRANSFER, transfer_id)


async def _lock_batches(
    uow: UnitOfWork, caller: Caller, batch_ids: list[UUID], site_id: str
) -> dict[str, BatchRecord]:
    records = await uow.batches.lock_many(sorted(set(batch_ids)))
    for n, batch_id in enumerate(batch_ids):
        record = records.get(str(batch_id))
        field = f"lines.{n}.batchId"
        if record is None or not caller.can_access_site(record.facts.site.id):
            raise NotFoundError("batch", str(batch_id))
        if record.facts.site.id != site_id:
            raise ValidationError.single(
                field, f"batch {record.state.details.code} is in another site than the transfer"
            )
    return records


async def _each(
    uow: UnitOfWork,
    caller: Caller,
    lines: tuple[TransferLine, ...],
    records: dict[str, BatchRecord],
    *,
    action: str,
    reason: str,
    step: Callable[[TransferLine], Callable[[Batch, datetime], OperationResult]],
) -> tuple[WriteOutcome, ...]:
    done = []
    for n, line in enumerate(lines):
        record = records[line.batch_id]
        try:
            done.append(
                await operate(
                    uow,
                    caller,
                    line.batch_id,
                    action=action,
                    reason=reason,
                    record=record,
                    operation=step(line),
                )
            )
        except ValidationError:
            raise
        except DomainError as error:
            raise error.concerning(f"lines.{n}", f"Batch {line.batch_code}") from None
    return tuple(done)


async def create_transfer(
    uow: UnitOfWork, caller: Caller, cmd: c.CreateTransfer
) -> TransferOutcome:
    site = await site_of(uow, caller, cmd.site_id)
    records = await _lock_batches(uow, caller, [line.batch_id for line in cmd.lines], site.row.id)
    now = utc_now()
    transfer_id = str(uuid4())
    planned = []
    for choice in cmd.lines:
        record = records[str(choice.batch_id)]
        planned.append(
            PlannedLine(
                batch_id=record.state.batch_id,
                batch_code=record.state.details.code,
                package_tag=record.state.details.package_tag,
                product_name=record.facts.product_name,
                unit=record.facts.unit_of_measure,
                on_hand=record.state.buckets.physical,
                quantity=choice.quantity,
                wholesale_price=choice.wholesale_price,
            )
        )
    state = OutgoingTransfer.plan(
        transfer_id=transfer_id,
        site_id=site.row.id,
        site_license=site.row.license_number,
        shipment=Shipment(
            destination_license_number=cmd.destination_license_number,
            destination_name=cmd.destination_name,
            transfer_type=cmd.transfer_type,
            planned_route=cmd.planned_route,
            transporter_license_number=cmd.transporter_license_number,
            transporter_name=cmd.transporter_name,
            driver_name=cmd.driver_name,
            driver_occupational_license_number=cmd.driver_occupational_license_number,
            driver_license_number=cmd.driver_license_number,
            vehicle_make=cmd.vehicle_make,
            vehicle_model=cmd.vehicle_model,
            vehicle_license_plate=cmd.vehicle_license_plate,
            phone_number=cmd.phone_number,
            estimated_departure=cmd.estimated_departure,
            estimated_arrival=cmd.estimated_arrival,
        ),
        lines=planned,
        occurred_at=now,
    )
    reference = _reference(transfer_id)
    to = state.shipment.destination_name

    def reserve(line: TransferLine) -> Callable[[Batch, datetime], OperationResult]:
        return lambda batch, at: batch.reserve(
            quantity=line.quantity,
            reference=reference,
            notes=f"transfer to {to}",
            actor=caller.actor,
            occurred_at=at,
        )

    batches = await _each(
        uow,
        caller,
        state.lines,
        records,
        action="RESERVE",
        reason=f"transfer to {to}",
        step=reserve,
    )
    await uow.transfers.insert(state, caller.actor)
    await uow.transfers.write_events([transfer_event(state, site.row, caller)])
    return TransferOutcome(state, site.row, batches)


async def _locked(
    uow: UnitOfWork, caller: Caller, transfer_id: UUID, version: int | None
) -> tuple[OutgoingTransfer, SiteRow, dict[str, BatchRecord]]:
    state = caller.visible(await uow.transfers.lock(transfer_id), "transfer", transfer_id)
    transfer = OutgoingTransfer(state)
    transfer.check_version(version)
    site = await site_of(uow, caller, state.site_id)
    records = await uow.batches.lock_many(sorted(UUID(line.batch_id) for line in state.lines))
    return transfer, site.row, records


async def _save(
    uow: UnitOfWork, caller: Caller, before: TransferState, after: TransferState, site: SiteRow
) -> None:
    await uow.transfers.save(before.version, after)
    await uow.transfers.write_events([transfer_event(after, site, caller)])


async def send_transfer(uow: UnitOfWork, caller: Caller, cmd: c.SendTransfer) -> TransferOutcome:
    transfer, site, records = await _locked(uow, caller, cmd.transfer_id, cmd.version)
    before = transfer.state
    after = transfer.send(occurred_at=utc_now())
    reference = _reference(before.transfer_id)
    to = before.shipment.destination_name

    def sell(line: TransferLine) -> Callable[[Batch, datetime], OperationResult]:
        return lambda batch, at: batch.sell(
            quantity=line.quantity,
            reference=reference,
            notes=f"shipped to {to}",
            actor=caller.actor,
            occurred_at=at,
        )

    batches = await _each(
        uow, caller, before.lines, records, action="SALE", reason=f"shipped to {to}", step=sell
    )
    await _save(uow, caller, before, after, site)
    return TransferOutcome(after, site, batches)


async def cancel_transfer(
    uow: UnitOfWork, caller: Caller, cmd: c.CancelTransfer
) -> TransferOutcome:
    transfer, site, records = await _locked(uow, caller, cmd.transfer_id, cmd.version)
    before = transfer.state
    after = transfer.cancel(occurred_at=utc_now())
    reference = _reference(before.transfer_id)
    reason = cmd.reason or "transfer cancelled"

    def release(line: TransferLine) -> Callable[[Batch, datetime], OperationResult]:
        return lambda batch, at: batch.release_reservation(
            reference=reference, notes=reason, actor=caller.actor, occurred_at=at
        )

    batches = await _each(
        uow,
        caller,
        before.lines,
        records,
        action="RELEASE_RESERVATION",
        reason=reason,
        step=release,
    )
    await _save(uow, caller, before, after, site)
    return TransferOutcome(after, site, batches)


async def settle_transfer(
    uow: UnitOfWork, caller: Caller, cmd: c.SettleTransfer
) -> TransferOutcome:
    """Apply what the receiver did. A transfer settled already is left as it is (Metrc's
    receipt is final; a repeated report changes nothing)."""
    transfer, site, records = await _locked(uow, caller, cmd.transfer_id, None)
    before = transfer.state
    if before.status.value in ("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED"):
        return TransferOutcome(before, site)
    after, rejected = transfer.settle(
        {
            p.package_tag: LineOutcome(accepted=p.accepted, received_quantity=p.received_quantity)
            for p in cmd.packages
        },
        occurred_at=utc_now(),
    )
    reference = _reference(before.transfer_id)
    by = before.shipment.destination_name

    def back(line: TransferLine) -> Callable[[Batch, datetime], OperationResult]:
        return lambda batch, at: batch.receive_return(
            quantity=line.quantity,
            refund=False,
            reference=reference,
            notes=f"rejected by {by}",
            actor=caller.actor,
            occurred_at=at,
        )

    batches = await _each(
        uow, caller, rejected, records, action="RETURN", reason=f"rejected by {by}", step=back
    )
    await _save(uow, caller, before, after, site)
    return TransferOutcome(after, site, batches)
