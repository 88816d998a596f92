"""A sent transfer's sales settled by its manifest, with no Metrc write.

Inventory's SALE of a package shipped on an outgoing transfer becomes a ``TRANSFER_OUT``
submission (``planner``) that waits for the manifest (``ordering``). When the receiver has
decided every package (``transfer_manifest_rounds``), each shipped batch's sale of that transfer
is SETTLED (``Submission.settle_by_manifest``) in the transaction that records the settlement;
a sale planned only after that (inventory's event consumed late) is settled before it is stored
and published: one event, already done (a "planned" and a "settled" published at one instant
carry one version, and reporting, keeping only a newer one, would count the sale pending).
The two meet on the batch's link lock, so whichever commits second sees the other's rows: a
sale is never left waiting, and a settled one is never settled again (only PENDING sales of
that transfer are taken, so a redelivery or a second round changes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from compliance.domain import (
    Direction,
    ManifestSettlement,
    Submission,
    SubmissionState,
    SyncLogEntry,
    SyncStatus,
    TransferOut,
    submission_event,
)
from compliance.service_layer.ports import (
    EventOutbox,
    LinkRepository,
    SettledSales,
    SubmissionRepository,
    SyncLogRepository,
)

__all__ = [
    "SETTLE_OPERATION",
    "SaleSettlementUnitOfWork",
    "note_returns",
    "settle_planned_sales",
    "settle_sales",
]

SETTLE_OPERATION = "transfers.settle"
"""The sync log's operation for sales settled by a manifest (no Metrc call)."""
_ACTOR = "compliance"


class SaleSettlementUnitOfWork(Protocol):
    @property
    def links(self) -> LinkRepository: ...
    @property
    def submissions(self) -> SubmissionRepository: ...
    @property
    def sync_log(self) -> SyncLogRepository: ...
    @property
    def outbox(self) -> EventOutbox: ...


async def settle_sales(
    uow: SaleSettlementUnitOfWork,
    transfer_id: UUID,
    settlements: Mapping[UUID, ManifestSettlement],
    *,
    now: datetime,
) -> list[Submission]:
    """Settle each shipped batch's pending sale of ``transfer_id`` (``settlements`` by batch
    id), inside the caller's transaction; the sales settled."""
    await uow.links.lock(settlements)
    settled: list[Submission] = []
    for batch_id in sorted(settlements):
        settled.extend(
            s.settle_by_manifest(now, settlements[batch_id])
            for s in await uow.submissions.for_batch(batch_id)
            if _is_sale_of(s, transfer_id)
        )
    await _store(uow, settled, now)
    return settled


async def settle_planned_sales(
    uow: SaleSettlementUnitOfWork,
    manifests: SettledSales,
    planned: Sequence[Submission],
    *,
    now: datetime,
) -> list[Submission]:
    """``planned`` (not stored yet, the batch's link locked) with each sale of a transfer whose
    manifest settled already settled, and logged: the caller stores and publishes them as they
    are returned, once each."""
    out: list[Submission] = []
    settled: list[Submission] = []
    for s in planned:
        transfer_id = s.intent.transfer_id if isinstance(s.intent, TransferOut) else None
        if transfer_id is not None and _is_sale_of(s, transfer_id):
            outcome = (await manifests.sales_of(transfer_id)).get(s.batch_id)
            if outcome is not None:
                s = s.settle_by_manifest(now, outcome)
                settled.append(s)
        out.append(s)
    await _log(uow, settled, now)
    return out


async def note_returns(
    uow: SaleSettlementUnitOfWork, batch_id: UUID, transfer_ids: Iterable[UUID]
) -> None:
    """Inventory recorded the RETURN of ``batch_id``'s package rejected on each of
    ``transfer_ids``: its settled sale no longer expects it (the batch's link locked)."""
    wanted = set(transfer_ids)
    if not wanted:
        return
    for s in await uow.submissions.for_batch(batch_id):
        if (
            isinstance(s.intent, TransferOut)
            and s.intent.transfer_id in wanted
            and s.state is SubmissionState.SETTLED
            and s.settled_by is not None
            and not s.settled_by.accepted
            and not s.settled_by.returned
        ):
            await uow.submissions.save(s.return_recorded())


def _is_sale_of(s: Submission, transfer_id: UUID) -> bool:
    return (
        isinstance(s.intent, TransferOut)
        and s.intent.transfer_id == transfer_id
        and s.state is SubmissionState.PENDING
    )


async def _store(
    uow: SaleSettlementUnitOfWork, settled: Sequence[Submission], now: datetime
) -> None:
    for s in settled:
        await uow.submissions.save(s)
        # Published like an accepted push: the sale is done (reporting stops counting it
        # pending), its event's state says SETTLED.
        await uow.outbox.add(submission_event(s, at=now, actor=_ACTOR))
    await _log(uow, settled, now)


async def _log(uow: SaleSettlementUnitOfWork, done: Sequence[Submission], now: datetime) -> None:
    # One entry per license's manifest: its counts say how the receiver decided (each
    # submission says which manifest settled it).
    by_manifest: dict[tuple[str, str | None], list[Submission]] = {}
    for s in done:
        assert s.settled_by is not None
        key = (s.license_number, s.settled_by.manifest_number)
        by_manifest.setdefault(key, []).append(s)
    for (license_number, _), subs in by_manifest.items():
        accepted = sum(1 for s in subs if s.settled_by is not None and s.settled_by.accepted)
        await uow.sync_log.add(
            SyncLogEntry(
                id=uuid4(),
                operation=SETTLE_OPERATION,
                direction=Direction.PULL,
                status=SyncStatus.SUCCESS,
                started_at=now,
                finished_at=now,
                actor=_ACTOR,
                license_number=license_number,
                site_id=subs[0].site_id,
                objects=len(subs),
                accepted=accepted,
                rejected=len(subs) - accepted,
                batch_ids=tuple(s.batch_id for s in subs),
                submission_ids=tuple(s.id for s in subs),
            )
        )
