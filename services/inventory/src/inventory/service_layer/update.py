"""updateBatch: descriptive fields (price, notes, grade, SKU, costing, payment terms, metadata)
with optimistic locking; the domain revises what it models, the rest are facts of the row."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from inventory.domain import (
    Batch,
    BatchDetails,
    CogsMode,
    Costing,
    OperationResult,
    ValidationError,
    to_quantity,
)
from inventory.service_layer import commands as c
from inventory.service_layer.batch_operations import WriteOutcome, locked_batch, operate
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.records import BatchRecord

__all__ = ["price", "update_batch"]

_COSTING_FIELDS = frozenset({"cogs_mode", "unit_cogs", "unit_cogs_min", "unit_cogs_max"})


def price(value: Decimal | None) -> Decimal | None:
    """A price (the ticket) as stored: four places, not negative; None stays None.

    Raises:
        InvalidQuantityError: More than four places or beyond NUMERIC(15,4).
        ValidationError: Negative.
    """
    if value is None:
        return None
    amount = to_quantity(value, field="ticket")
    if amount < 0:
        raise ValidationError.single("ticket", "must not be negative")
    return amount


def _costing(current: Costing, cmd: c.UpdateBatch, given: frozenset[str]) -> Costing:
    if not given & _COSTING_FIELDS:
        return current
    mode = cmd.cogs_mode or current.mode
    # Amounts not sent carry over only within the same mode: switching FIXED -> RANGE must
    # name the range (the domain reports what is missing).
    keep = mode is current.mode

    def pick(name: str) -> Any:
        if name in given:
            return getattr(cmd, name)
        return getattr(current, name) if keep else None

    if mode is CogsMode.FIXED:
        return Costing(mode=mode, unit_cogs=pick("unit_cogs"))
    return Costing(
        mode=mode, unit_cogs_min=pick("unit_cogs_min"), unit_cogs_max=pick("unit_cogs_max")
    )


def _revised_details(
    current: BatchDetails, cmd: c.UpdateBatch, given: frozenset[str]
) -> BatchDetails:
    return replace(
        current,
        sku=cmd.sku if "sku" in given and cmd.sku else current.sku,
        grade=cmd.grade if "grade" in given else current.grade,
        payment_terms=(
            cmd.payment_terms
            if "payment_terms" in given and cmd.payment_terms
            else current.payment_terms
        ),
        costing=_costing(current.costing, cmd, given),
    )


def _wire(value: Any) -> Any:
    return None if value is None else (value if isinstance(value, bool | dict) else str(value))


def _diff(before: BatchRecord, after: BatchRecord) -> dict[str, Any]:
    """Changed fields, by their wire names, with before/after as JSON-friendly values."""
    old, new = before.state.details, after.state.details
    pairs = {
        "sku": (old.sku, new.sku),
        "grade": (old.grade, new.grade),
        "paymentTerms": (old.payment_terms.value, new.payment_terms.value),
        "cogsMode": (old.costing.mode.value, new.costing.mode.value),
        "unitCogs": (old.costing.unit_cogs, new.costing.unit_cogs),
        "unitCogsMin": (old.costing.unit_cogs_min, new.costing.unit_cogs_min),
        "unitCogsMax": (old.costing.unit_cogs_max, new.costing.unit_cogs_max),
        # Any costing edit drops the exact total (it no longer matches the unit cost).
        "cogsTotal": (old.costing.total, new.costing.total),
        "ticket": (before.facts.ticket, after.facts.ticket),
        "notes": (before.facts.notes, after.facts.notes),
        "isSample": (before.facts.is_sample, after.facts.is_sample),
        "metadata": (before.facts.metadata, after.facts.metadata),
    }
    return {
        name: {"before": _wire(a), "after": _wire(b)} for name, (a, b) in pairs.items() if a != b
    }


async def update_batch(uow: UnitOfWork, caller: Caller, cmd: c.UpdateBatch) -> WriteOutcome:
    record = await locked_batch(uow, caller, cmd.batch_id)
    original = BatchRecord(state=record.state, facts=record.facts, places=record.places)
    given = cmd.given
    facts = record.facts
    new_facts = replace(
        facts,
        ticket=price(cmd.ticket) if "ticket" in given else facts.ticket,
        notes=cmd.notes if "notes" in given else facts.notes,
        is_sample=cmd.is_sample if cmd.is_sample is not None else facts.is_sample,
        metadata=dict(cmd.metadata) if cmd.metadata is not None else facts.metadata,
    )
    details = _revised_details(record.state.details, cmd, given)

    def run(batch: Batch, now: datetime) -> OperationResult:
        result = batch.revise(
            details=details, reason=cmd.reason or "", actor=caller.actor, occurred_at=now
        )
        record.facts = new_facts
        return result

    return await operate(
        uow,
        caller,
        cmd.batch_id,
        action="UPDATE_BATCH",
        operation=run,
        expected_version=cmd.version,
        reason=cmd.reason,
        record=record,
        describe=lambda after: _diff(original, after),
    )
