"""Bulk status change and bulk soft delete: every batch validated and changed on its own, through
the same domain operations as the single-batch endpoints (never around the state machine), with
a result per batch. All in one transaction: the batches are locked in id order (no deadlock
between two bulk actions), and a refusal of one batch writes nothing for it and does not stop
the others. A reason is required, as for the single-batch change and delete: without one the
whole request is refused (REASON_REQUIRED) before any batch is touched, so the audit trail always
says why."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from shared.contracts import inventory as api

from inventory.adapters.records import BatchRecord
from inventory.domain import (
    BatchNotFoundError,
    BatchStatus,
    DomainError,
    InvariantViolationError,
    LedgerInconsistencyError,
    ReasonRequiredError,
)
from inventory.service_layer import batch_commands
from inventory.service_layer import batch_operations as ops
from inventory.service_layer.caller import Caller
from inventory.service_layer.unit_of_work import UnitOfWork

__all__ = ["bulk_delete", "bulk_update_status"]

Apply = Callable[[UUID, BatchRecord], Awaitable[ops.WriteOutcome]]
Skip = Callable[[BatchRecord], tuple[str, str] | None]


async def _each(
    uow: UnitOfWork,
    caller: Caller,
    batch_ids: list[UUID],
    *,
    done: api.BulkOutcome,
    skip: Skip,
    apply: Apply,
) -> list[api.BulkItemResult]:
    unique = list(dict.fromkeys(batch_ids))
    records = await uow.batches.lock_many(sorted(unique))
    results = []
    for batch_id in unique:
        record = records.get(str(batch_id))
        if record is None or not caller.can_access_site(record.facts.site.id):
            missing = BatchNotFoundError(str(batch_id))
            results.append(_failed(batch_id, missing))
            continue
        if (why := skip(record)) is not None:
            code, message = why
            results.append(
                api.BulkItemResult(
                    batch_id=batch_id,
                    outcome=api.BulkOutcome.SKIPPED,
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
            api.BulkItemResult(
                batch_id=batch_id, outcome=done, version=outcome.record.state.version
            )
        )
    return results


def _required(reason: str | None) -> str:
    # The domain trims and checks the reason of each batch's change; checked here first too, so
    # a missing one refuses the request as a whole rather than failing every batch in it.
    if not (reason or "").strip():
        raise ReasonRequiredError
    assert reason is not None
    return reason


def _failed(batch_id: UUID, error: DomainError) -> api.BulkItemResult:
    return api.BulkItemResult(
        batch_id=batch_id, outcome=api.BulkOutcome.FAILED, code=error.code, message=error.message
    )


def _errors(results: list[api.BulkItemResult]) -> list[api.BulkItemError]:
    return [
        api.BulkItemError(batch_id=r.batch_id, code=r.code or "", message=r.message or "")
        for r in results
        if r.outcome is api.BulkOutcome.FAILED
    ]


def _count(results: list[api.BulkItemResult], outcome: api.BulkOutcome) -> int:
    return sum(1 for r in results if r.outcome is outcome)


async def bulk_update_status(
    uow: UnitOfWork, caller: Caller, cmd: api.BulkStatusRequest
) -> api.BulkStatusResult:
    target = BatchStatus(cmd.new_status.value)
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

    results = await _each(
        uow,
        caller,
        cmd.batch_ids,
        done=api.BulkOutcome.UPDATED,
        skip=lambda r: ("ALREADY_IN_STATUS", target.value) if r.state.status is target else None,
        apply=apply,
    )
    errors = _errors(results)
    return api.BulkStatusResult(
        success=not errors,
        updated=_count(results, api.BulkOutcome.UPDATED),
        skipped=_count(results, api.BulkOutcome.SKIPPED),
        errors=errors,
        results=results,
    )


async def bulk_delete(
    uow: UnitOfWork, caller: Caller, cmd: api.BulkDeleteRequest
) -> api.BulkDeleteResult:
    reason = _required(cmd.reason)

    async def apply(batch_id: UUID, record: BatchRecord) -> ops.WriteOutcome:
        return await batch_commands.delete_batch(
            uow, caller, batch_id, reason=reason, version=None, record=record
        )

    results = await _each(
        uow,
        caller,
        cmd.batch_ids,
        done=api.BulkOutcome.DELETED,
        skip=lambda r: ("ALREADY_DELETED", "deleted") if r.state.deleted_at is not None else None,
        apply=apply,
    )
    errors = _errors(results)
    return api.BulkDeleteResult(
        success=not errors,
        deleted=_count(results, api.BulkOutcome.DELETED),
        skipped=_count(results, api.BulkOutcome.SKIPPED),
        errors=errors,
        results=results,
    )
