"""Bulk status change and bulk soft delete: every batch validated and changed on its own, through
the same domain operations as the single-batch endpoints (never around the state machine), with
a result per batch. All in one transaction: the batches are locked in id order (no deadlock
between two bulk actions), and a refusal of one batch writes nothing for it and does not stop
the others. A reason is required, as for the single-batch change and delete: without one the
whole request is refused (REASON_REQUIRED) before any batch is touched, so the audit trail always
says why."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from shared.contracts.inventory_enums import BulkOutcome

from inventory.domain import (
    BatchNotFoundError,
    DomainError,
    InvariantViolationError,
    LedgerInconsistencyError,
    ReasonRequiredError,
)
from inventory.service_layer import batch_commands
from inventory.service_layer import batch_operations as ops
from inventory.service_layer import commands as c
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import BatchRecord

__all__ = ["BulkItem", "BulkOutcome", "bulk_delete", "bulk_update_status"]


@dataclass(frozen=True, slots=True)
class BulkItem:
    """What happened to one batch of a bulk action."""

    batch_id: UUID
    outcome: BulkOutcome
    code: str | None = None
    """The error code when FAILED or SKIPPED."""
    message: str | None = None
    version: int | None = None
    """The batch's version after the change."""


Apply = Callable[[UUID, BatchRecord], Awaitable[ops.WriteOutcome]]
Skip = Callable[[BatchRecord], tuple[str, str] | None]


async def _each(
    uow: UnitOfWork,
    caller: Caller,
    batch_ids: Sequence[UUID],
    *,
    done: BulkOutcome,
    skip: Skip,
    apply: Apply,
) -> list[BulkItem]:
    unique = list(dict.fromkeys(batch_ids))
    records = await uow.batches.lock_many(sorted(unique))
    results = []
    for batch_id in unique:
        record = records.get(str(batch_id))
        if record is None or not caller.can_access_site(record.facts.site.id):
            results.append(_failed(batch_id, BatchNotFoundError(str(batch_id))))
            continue
        if (why := skip(record)) is not None:
            code, message = why
            results.append(
                BulkItem(
                    batch_id=batch_id,
                    outcome=BulkOutcome.SKIPPED,
                    code=code,
                    message=f"Batch {batch_id} is already {message}",
                    version=record.state.version,
                )
            )
            continue
        try:
            outcome = await apply(batch_id, record)
        except (InvariantViolationError, LedgerInconsistencyError):
            raise
        except DomainError as error:
            results.append(_failed(batch_id, error))
            continue
        results.append(
            BulkItem(batch_id=batch_id, outcome=done, version=outcome.record.state.version)
        )
    return results


def _required(reason: str | None) -> str:
    # The domain trims and checks the reason of each batch's change; checked here first too, so
    # a missing one refuses the request as a whole rather than failing every batch in it.
    if not (reason or "").strip():
        raise ReasonRequiredError
    assert reason is not None
    return reason


def _failed(batch_id: UUID, error: DomainError) -> BulkItem:
    return BulkItem(
        batch_id=batch_id, outcome=BulkOutcome.FAILED, code=error.code, message=error.message
    )


async def bulk_update_status(
    uow: UnitOfWork, caller: Caller, cmd: c.ChangeStatuses
) -> list[BulkItem]:
    target = cmd.status
    reason = _required(cmd.reason)

    async def apply(batch_id: UUID, record: BatchRecord) -> ops.WriteOutcome:
        return await ops.operate(
            uow,
            caller,
            batch_id,
            action="BULK_UPDATE_STATUS",
            operation=lambda batch, now: batch.change_status(
                new_status=target,
                reason=reason,
                actor=caller.actor,
                occurred_at=now,
            ),
            reason=reason,
            record=record,
        )

    return await _each(
        uow,
        caller,
        cmd.batch_ids,
        done=BulkOutcome.UPDATED,
        skip=lambda r: ("ALREADY_IN_STATUS", target.value) if r.state.status is target else None,
        apply=apply,
    )


async def bulk_delete(uow: UnitOfWork, caller: Caller, cmd: c.DeleteBatches) -> list[BulkItem]:
    reason = _required(cmd.reason)

    async def apply(batch_id: UUID, record: BatchRecord) -> ops.WriteOutcome:
        return await batch_commands.delete_batch(
            uow, caller, c.DeleteBatch(batch_id=batch_id, reason=reason), record=record
        )

    return await _each(
        uow,
        caller,
        cmd.batch_ids,
        done=BulkOutcome.DELETED,
        skip=lambda r: ("ALREADY_DELETED", "deleted") if r.state.deleted_at is not None else None,
        apply=apply,
    )
