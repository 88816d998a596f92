"""Outgoing transfers that stall, told to a person: a ``TRANSFER_STALLED`` notification per
transfer whose manifest has waited too long (``domain.transfer_manifests.stalled``) or that Metrc
refused, raised by the manifest round that saves the row (same transaction), once per episode
(the dedup key ``transfer-stalled:<transfer id>``), and resolved by the round that ends the wait
(the template made, the manifest found and followed, the transfer cancelled) or, for a refused one,
when inventory cancels the transfer.

The message names the cause: each package Metrc does not have yet with why (its create pending,
failed or rejected with the ledger's last error, its batch not pushed, or unknown to compliance),
a sent transfer's template nobody registered as a manifest in Metrc's UI, or Metrc's last error
when it did not answer, and since when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from compliance.domain import (
    LinkState,
    Notification,
    NotificationKind,
    PackageLink,
    Severity,
    SubmissionKind,
)
from compliance.domain.transfer_manifests import ManifestState, stalled, unregistered_message
from compliance.service_layer.ports import NotificationRepository, SubmissionRepository
from compliance.service_layer.transfer_manifest_ports import ManifestRow

__all__ = ["StallUnitOfWork", "notice_stalls", "stall_key", "stall_notification"]

_CREATES = frozenset(
    {
        SubmissionKind.CREATE_PACKAGE,
        SubmissionKind.CREATE_HARVEST_PACKAGE,
        SubmissionKind.LINK_PACKAGE,
    }
)
_OPEN_READ = 500
"""Open notifications of the license read to skip rows already told (beyond them the dedup key
still keeps one open per transfer)."""

PACKAGES_GUIDANCE = (
    "A transfer's template names its packages, so it is sent to Metrc only once every package "
    "is there. Open the batch of each package named (its Metrc link) or Compliance > Sync log: "
    "a create that FAILED or was REJECTED says why; fix the cause and use Push to Metrc (or "
    "retry the failed pushes of the license); a batch not pushed needs Push to Metrc. If the "
    "transfer should not go, cancel it in Transfers > Outgoing. The transfer is sent by the next "
    "round once every package is in Metrc, and this notification then resolves itself."
)
UNREGISTERED_GUIDANCE = (
    "Metrc's API cannot turn a template into a manifest: in Metrc's UI, open Transfers > "
    "Templates, find the template named in the message and register it (the driver and an "
    "inspector need its manifest). The next round finds the manifest and follows it, and this "
    "notification resolves itself."
)
UNANSWERED_GUIDANCE = (
    "Metrc has not answered this transfer's rounds (the last error says why). Open Compliance > "
    "Sync dashboard: invalid keys stop the license (Compliance > API keys); Metrc down or "
    "rate-limiting clears by itself, and the rounds go on every few seconds (a template Metrc "
    "has is read back, never sent twice). Check that the compliance worker runs. This "
    "notification resolves itself once a round gets through."
)
REFUSED_GUIDANCE = (
    "Nothing sends this transfer's template again. Fix what Metrc's message names (the "
    "destination or transporter license, the driver or vehicle, a package; or Metrc being away "
    "for all of its rounds), then cancel the transfer in Transfers > Outgoing and plan it "
    "again; cancelling resolves this notification."
)
ARCHIVE_REFUSED_GUIDANCE = (
    "The transfer is cancelled in Canopy, but its template is still active in Metrc. Archive "
    "the template named in the message in Metrc's UI (Transfers > Templates). This notification "
    "stays in the feed as the record of it."
)


class StallUnitOfWork(Protocol):
    @property
    def notifications(self) -> NotificationRepository: ...
    @property
    def submissions(self) -> SubmissionRepository: ...


def stall_key(transfer_id: UUID) -> str:
    return f"transfer-stalled:{transfer_id}"


async def notice_stalls(
    unit: StallUnitOfWork,
    saved: Sequence[tuple[ManifestRow, ManifestRow]],
    links: Mapping[UUID, PackageLink],
    *,
    now: datetime,
    after: timedelta,
) -> None:
    """Raise the notification of each saved row (``(before, after)`` a round's step) that is
    stalled and not told yet, and resolve that of each row whose wait the step ended. ``links``:
    the shipped batches' links the round read. The caller commits."""
    stalled_rows = [
        row for _, row in saved if stalled(row.state, row.waiting_since, now, after=after)
    ]
    ended = [row for before, row in saved if _wait_ended(before, row)]
    for row in ended:
        await unit.notifications.resolve(stall_key(row.transfer_id), now)
    if not stalled_rows:
        return
    open_keys = {
        n.dedup_key
        for n in await unit.notifications.recent(
            license_number=stalled_rows[0].license_number, open_only=True, limit=_OPEN_READ
        )
    }
    for row in stalled_rows:
        if stall_key(row.transfer_id) not in open_keys:
            causes = await _package_causes(unit, row, links)
            await unit.notifications.raise_(stall_notification(row, causes, now=now))


def _wait_ended(before: ManifestRow, after: ManifestRow) -> bool:
    """The step ended the row's wait: it moves again, or Metrc refused it after all (the
    waiting notice's guidance no longer holds; the refusal's is raised in its place)."""
    if after.state is ManifestState.FAILED:
        return before.state is not ManifestState.FAILED and before.waiting_since is not None
    return before.waiting_since is not None and after.waiting_since is None


async def _package_causes(
    unit: StallUnitOfWork, row: ManifestRow, links: Mapping[UUID, PackageLink]
) -> list[str]:
    """Why each package of a row waiting for its packages is not in Metrc yet (empty when the
    row waits for something else)."""
    if row.state is not ManifestState.PENDING or row.cancel_requested:
        return []
    causes = []
    for tag, batch_id in sorted(row.shipped_batches.items()):
        link = links.get(batch_id)
        if link is not None and link.state is LinkState.LINKED:
            continue
        causes.append(f"{tag}: {await _why_not_in_metrc(unit, batch_id, link)}")
    return causes


async def _why_not_in_metrc(unit: StallUnitOfWork, batch_id: UUID, link: PackageLink | None) -> str:
    if link is None:
        return "compliance has not heard of its batch (its creation not consumed yet)"
    if link.state is not LinkState.PENDING:
        why = f": {link.problem.message}" if link.problem is not None else ""
        return f"its batch is {link.state.value}, no package planned{why}"
    creates = [s for s in await unit.submissions.for_batch(batch_id) if s.kind in _CREATES]
    if not creates:
        return "its package's create is not planned yet"
    create = max(creates, key=lambda s: s.sequence)
    error = f" ({create.last_error.message})" if create.last_error is not None else ""
    return f"its package's {create.kind.value} is {create.state.value}{error}"


def stall_notification(row: ManifestRow, causes: Sequence[str], *, now: datetime) -> Notification:
    """The notification of a stalled row; ``causes``: its packages not in Metrc and why."""
    destination = (
        f"{row.plan.get('destination_name') or 'its destination'}"
        f" ({row.plan.get('destination_license_number', '?')})"
    )
    since = (row.waiting_since or row.updated_at).isoformat()
    named = f"Transfer {row.transfer_id} to {destination}"
    if row.state is ManifestState.FAILED and row.cancel_requested:
        severity, guidance = Severity.ERROR, ARCHIVE_REFUSED_GUIDANCE
        title = f"The cancelled transfer to {destination} is still a template in Metrc"
        message = (
            f"{named} was cancelled, and archiving its template '{row.template_name}' failed: "
            f"{row.last_error}."
        )
    elif row.state is ManifestState.FAILED:
        severity, guidance = Severity.ERROR, REFUSED_GUIDANCE
        title = f"Transfer to {destination} could not be sent to Metrc"
        message = (
            f"{named}: Metrc refused its template (or did not answer its rounds until they "
            f"gave up): {row.last_error}."
        )
    elif row.last_error == unregistered_message(row.template_name):
        severity, guidance = Severity.WARNING, UNREGISTERED_GUIDANCE
        title = f"Transfer to {destination} is sent but has no manifest in Metrc"
        message = (
            f"{named} was sent in Canopy, and since {since} Metrc lists no manifest made from "
            f"its template '{row.template_name}' (Id {row.metrc_template_id})."
        )
    elif causes:
        severity, guidance = Severity.WARNING, PACKAGES_GUIDANCE
        title = f"Transfer to {destination} waits for its packages in Metrc"
        message = (
            f"{named} has waited since {since} to be sent to Metrc, which does not have "
            f"every package yet: {'; '.join(causes)}."
        )
    else:
        severity, guidance = Severity.WARNING, UNANSWERED_GUIDANCE
        title = f"Transfer to {destination} is not getting through to Metrc"
        message = (
            f"{named} ({row.state.value}, attempts {row.attempts}) has not got through to "
            f"Metrc since {since}; last error: {row.last_error or 'none recorded'}."
        )
    return Notification(
        id=uuid4(),
        kind=NotificationKind.TRANSFER_STALLED,
        severity=severity,
        title=title,
        message=message,
        guidance=guidance,
        created_at=now,
        license_number=row.license_number,
        site_id=row.site_id,
        subject=str(row.transfer_id),
        dedup_key=stall_key(row.transfer_id),
    )
