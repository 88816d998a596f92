"""Inventory's events in compliance's words: each ``inventory.batch.*`` event becomes a
``BatchChange`` (the batch after the change and the ledger rows it wrote), the mapping the
compliance README proposes in its §6. Compliance learns everything it needs from these events
and never calls inventory back.
"""

from __future__ import annotations

from shared.events import EventEnvelope, decode
from shared.events.inventory import BatchEventBase, BatchSnapshot, MovementInfo, PackageSourceInfo

from compliance.domain import (
    BatchChange,
    BatchFacts,
    FromBatches,
    FromHarvest,
    Ingredient,
    LedgerEntry,
    OpeningBalance,
    PackageSource,
    ReceivedByTransfer,
    StockAt,
)

__all__ = ["batch_change", "batch_facts"]

CREATED = "inventory.batch.created"


def batch_change(envelope: EventEnvelope) -> BatchChange:
    """The change an inventory event reports.

    Raises:
        UnknownEventTypeError, ValidationError: not a registered, valid event (poison).
    """
    event = decode(envelope)
    if not isinstance(event, BatchEventBase):
        raise TypeError(f"{envelope.event_type} is not a batch event")
    notes = getattr(event, "notes", None)
    return BatchChange(
        batch=batch_facts(event.batch),
        entries=tuple(_entry(m) for m in event.movements),
        created=envelope.event_type == CREATED,
        occurred_at=event.occurred_at,
        actor=event.actor,
        event_id=envelope.event_id,
        notes=notes if isinstance(notes, str) else None,
    )


def batch_facts(batch: BatchSnapshot) -> BatchFacts:
    return BatchFacts(
        batch_id=batch.batch_id,
        site_id=batch.site.id,
        code=batch.code,
        product_id=str(batch.product.id),
        product_name=batch.product.name,
        unit=batch.unit_of_measure,
        status=batch.status.value,
        physical=batch.balances.physical,
        locations=tuple(
            StockAt(
                location_id=str(held.location.id),
                location_label=held.location.label,
                quantity=held.qty,
            )
            for held in batch.locations
        ),
        version=batch.version,
        package_tag=batch.package_tag,
        source=_source(batch.package_source),
        deleted=batch.deleted_at is not None,
    )


def _source(info: PackageSourceInfo | None) -> PackageSource | None:
    if info is None:
        return None
    if info.kind == "OPENING_BALANCE":
        return OpeningBalance()
    if info.kind == "TRANSFER":
        return ReceivedByTransfer(manifest_number=info.manifest_number)
    if info.kind == "BATCHES":
        return FromBatches(
            tuple(Ingredient(i.batch_id, i.quantity) for i in info.ingredients or ())
        )
    return FromHarvest(harvest_id=str(info.harvest_id), harvest_name=info.harvest_name)


def _entry(m: MovementInfo) -> LedgerEntry:
    return LedgerEntry(
        batch_version=m.batch_version,
        sequence=m.sequence,
        bucket=m.bucket.value,
        type=m.type,
        change=m.change,
        reason=None if m.reason is None else m.reason.value,
        notes=m.notes,
        reference_type=None if m.reference is None else m.reference.type,
        reference_id=None if m.reference is None else m.reference.id,
    )
