"""What the compliance worker does with outgoing transfers: record each inventory transfer event
(in the inbox's transaction: the intent exists exactly when the event counts as consumed, and
recording never calls Metrc), and rounds that bring each open manifest one step further in Metrc
(``transfer_manifests``): make the template, archive it when cancelled, follow the sent manifest
until the receiver decided every package, then stage ``compliance.transfer_manifest.settled`` and
settle each shipped package's sale in the same transaction (``sale_settlement``).

No transaction is open while a round talks to Metrc: under the license's lock (``lock_license``)
a round claims the license's open rows for ``LEASE`` (``claim_open``) and commits; it then works
them with Metrc, and saves each outcome (releasing the claim) in a second transaction. Another
worker skips claimed rows, so two workers never work one manifest at once; a worker killed
mid-round leaves its claim to expire, and the next round's read-back by name finds a template a
lost answer made instead of making a second. That read-back can only be trusted if nothing the
first round sent can still land after its claim ran out: the round's Metrc calls carry a
deadline (``calls_deadline``) of the claim's end less ``margin`` (one try's time limit and
Metrc's lag), after which they start no try, so a round outliving its claim makes no late write. The manifest is looked for in Metrc's outgoing list
modified since the last look (minus ``OVERLAP``), and once found read by its id.

A template names its packages, and Metrc refuses one naming a package it does not have: a
PENDING row whose shipped batches' links are not all LINKED (read in the claim's transaction)
waits, its ``last_error`` naming the tags still on their way, and is sent by the first round
that finds them all in Metrc. Waiting counts no attempt: only Metrc's answers do.

A row that waits (its packages, Metrc not answering, its license's keys unusable, a sent
transfer's template not registered as a manifest in Metrc's UI) keeps when the
wait began (``waiting_since``); once it has waited ``stall_after``, or when Metrc refused it, the
round that saves it raises a ``TRANSFER_STALLED`` notification in the same transaction, once
per episode (``transfer_stalls``), and the round that ends the wait resolves it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from compliance.adapters.metrc.deadline import calls_deadline
from compliance.adapters.metrc.errors import MetrcError, MetrcRejectedError
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import LinkState, Problem
from compliance.domain.transfer_manifests import (
    STALL_AFTER,
    ManifestState,
    PackageOutcome,
    sale_settlements,
    template_name,
    unregistered_message,
)
from compliance.service_layer.ports import (
    JurisdictionRepository,
    NotificationRepository,
    SubmissionRepository,
)
from compliance.service_layer.sale_settlement import SaleSettlementUnitOfWork, settle_sales
from compliance.service_layer.transfer_manifest_ports import (
    ManifestRow,
    TransferManifestRepository,
)
from compliance.service_layer.transfer_manifests import (
    PlannedTransfer,
    TemplateNotFoundError,
    archive_cancelled,
    ensure_template,
    follow_manifest,
)
from compliance.service_layer.transfer_stalls import notice_stalls, stall_key

log = logging.getLogger(__name__)

__all__ = [
    "ManifestUnitOfWork",
    "manifest_round",
    "minimum_claim",
    "planned_transfer",
    "record_transfer_event",
    "save_steps",
]

MAX_ATTEMPTS = 8
"""Rounds a template may fail to reach Metrc before the manifest is FAILED for a person. A
template Metrc has is followed (or archived) however long Metrc is away: failing it would leave
inventory's transfer SENT for good."""
LEASE = timedelta(minutes=5)
"""How long a round's claim on a row lasts by default (``COMPLIANCE_TRANSFER_CLAIM_SECONDS``):
longer than a round's Metrc calls with retries. A worker killed mid-round leaves its rows to
the next round once the claim runs out."""
MARGIN_SHARE = 0.4
"""No row's step begins in the claim's last two fifths (2 minutes of 5: a step is a few Metrc
calls)."""
CALLS_MARGIN = timedelta(seconds=100)
"""How long before the claim's end a round's Metrc calls start no more tries, by default: one
try's limit (10 s to connect and 30 s to read) and Metrc's lag (60 s), the compliance
settings' defaults (``ComplianceSettings.transfer_calls_margin``)."""
OVERLAP = timedelta(minutes=5)
"""How far before the last look the next look for the manifest starts (clocks differ)."""


class ManifestUnitOfWork(SaleSettlementUnitOfWork, Protocol):
    @property
    def transfer_manifests(self) -> TransferManifestRepository: ...
    @property
    def jurisdictions(self) -> JurisdictionRepository: ...
    @property
    def notifications(self) -> NotificationRepository: ...
    @property
    def submissions(self) -> SubmissionRepository: ...
    async def lock_license(self, license_number: str) -> None: ...
    async def commit(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


async def record_transfer_event(
    uow: ManifestUnitOfWork, event_type: str, transfer: dict[str, Any], occurred_at: datetime
) -> None:
    """Record one ``inventory.transfer.*`` event (its ``transfer`` snapshot as JSON). A transfer
    of a site that does not report to Metrc has no manifest (its later events change nothing)."""
    transfer_id = UUID(str(transfer["transfer_id"]))
    if event_type == "inventory.transfer.created":
        site_id = UUID(str(transfer["site"]["id"]))
        rules = await uow.jurisdictions.get(site_id)
        if rules is None or not rules.pushes_to_metrc or rules.license_number is None:
            return
        await uow.transfer_manifests.add(
            ManifestRow(
                transfer_id=transfer_id,
                site_id=site_id,
                license_number=rules.license_number,
                template_name=template_name(transfer_id),
                state=ManifestState.PENDING,
                plan=transfer,
                created_at=occurred_at,
                updated_at=occurred_at,
            )
        )
    elif event_type == "inventory.transfer.sent":
        await uow.transfer_manifests.mark(transfer_id, sent=True, at=occurred_at)
    elif event_type == "inventory.transfer.cancelled":
        await uow.transfer_manifests.mark(transfer_id, cancel=True, at=occurred_at)
        row = await uow.transfer_manifests.get(transfer_id)
        if row is not None and row.state is ManifestState.FAILED:
            # No round takes a FAILED row again: cancelling is what its notification asked for.
            await uow.notifications.resolve(stall_key(transfer_id), occurred_at)


def planned_transfer(row: ManifestRow) -> PlannedTransfer:
    plan = row.plan
    return PlannedTransfer(
        transfer_id=row.transfer_id,
        license_number=row.license_number,
        destination_license_number=plan["destination_license_number"],
        transfer_type=plan["transfer_type"],
        planned_route=plan["planned_route"],
        transporter_license_number=plan["transporter_license_number"],
        driver_name=plan["driver_name"],
        driver_occupational_license_number=plan["driver_occupational_license_number"],
        driver_license_number=plan["driver_license_number"],
        vehicle_make=plan["vehicle_make"],
        vehicle_model=plan["vehicle_model"],
        vehicle_license_plate=plan["vehicle_license_plate"],
        phone_number=plan.get("phone_number"),
        estimated_departure=datetime.fromisoformat(plan["estimated_departure"]),
        estimated_arrival=datetime.fromisoformat(plan["estimated_arrival"]),
        packages=tuple(
            (
                line["package_tag"],
                None if line.get("wholesale_price") is None else Decimal(line["wholesale_price"]),
            )
            for line in plan["lines"]
        ),
    )


Step = tuple[ManifestRow, Sequence[PackageOutcome] | None]
"""A row as a round leaves it, and the package outcomes when it settled."""


def _awaits_template(row: ManifestRow) -> bool:
    return row.state is ManifestState.PENDING and not row.cancel_requested


def _batches_to_check(rows: Iterable[ManifestRow]) -> set[UUID]:
    """The shipped batches of the rows whose template is still to be made."""
    batches: set[UUID] = set()
    for row in rows:
        if not _awaits_template(row):
            continue
        try:
            batches.update(row.shipped_batches.values())
        except (KeyError, ValueError, TypeError):
            continue  # its step fails the row, saying why
    return batches


def waiting_message(tags: Iterable[str]) -> str:
    return (
        "waiting for its packages to reach Metrc first (not yet created or linked there): "
        + ", ".join(sorted(tags))
    )


async def _step(
    metrc: MetrcPort, row: ManifestRow, now: datetime, *, linked: Collection[UUID]
) -> Step:
    """One row one step further with Metrc; a Metrc error is kept on the row (never raised).
    ``linked``: the batches whose package Metrc has (their link LINKED). Touches no database:
    the caller saves the result."""
    update = dataclasses.replace
    try:
        if row.cancel_requested and not row.sent:
            await archive_cancelled(
                metrc, row.license_number, row.template_name, row.metrc_template_id
            )
            cancelled = update(
                row, state=ManifestState.CANCELLED, updated_at=now, waiting_since=None
            )
            return cancelled, None
        if row.state is ManifestState.PENDING:
            waiting = [tag for tag, batch in row.shipped_batches.items() if batch not in linked]
            if waiting:
                # Metrc would refuse the template for good; a later round sends it.
                message = waiting_message(waiting)
                changed = message != row.last_error
                return update(
                    row,
                    last_error=message,
                    updated_at=now if changed else row.updated_at,
                    waiting_since=row.waiting_since or now,
                ), None
            template_id = await ensure_template(metrc, planned_transfer(row))
            created = update(
                row,
                state=ManifestState.CREATED,
                metrc_template_id=template_id,
                attempts=row.attempts + 1,
                last_error=None,
                updated_at=now,
                waiting_since=None,
            )
            return created, None
        if row.sent and row.metrc_template_id is not None:
            known = (
                None
                if row.metrc_transfer_id is None
                else (row.metrc_transfer_id, row.manifest_number)
            )
            progress = await follow_manifest(
                metrc,
                row.license_number,
                row.metrc_template_id,
                since=(row.followed_at or row.created_at) - OVERLAP,
                until=now,
                known=known,
            )
            found = progress.metrc_transfer_id or row.metrc_transfer_id
            followed = update(
                row,
                metrc_transfer_id=found,
                manifest_number=progress.manifest_number or row.manifest_number,
                followed_at=now,
                # Not registered yet: a person's step in Metrc's UI, waited for (and told).
                last_error=None if found is not None else unregistered_message(row.template_name),
                waiting_since=None if found is not None else row.waiting_since or now,
            )
            if progress.outcomes is None:
                return followed, None
            settled = update(followed, state=ManifestState.SETTLED, updated_at=now)
            return settled, progress.outcomes
        return row, None
    except MetrcRejectedError as error:
        failed = update(row, state=ManifestState.FAILED, last_error=str(error), updated_at=now)
        return failed, None
    except (KeyError, ValueError, TypeError) as error:
        # The plan cannot become a template (a snapshot this version cannot read): failing this
        # row, not the round, keeps the license's other manifests moving.
        message = (
            f"the transfer cannot be sent as a Metrc template: {type(error).__name__}: {error}"
        )
        return update(row, state=ManifestState.FAILED, last_error=message, updated_at=now), None
    except (MetrcError, TemplateNotFoundError) as error:
        attempts = row.attempts + 1
        given_up = attempts >= MAX_ATTEMPTS and row.state is ManifestState.PENDING
        state = ManifestState.FAILED if given_up else row.state
        kept = update(
            row,
            state=state,
            attempts=attempts,
            last_error=str(error),
            updated_at=now,
            waiting_since=row.waiting_since or now,
        )
        return kept, None


def minimum_claim(margin: timedelta) -> timedelta:
    """The shortest claim whose calls' deadline (its end less ``margin``) does not come before
    the last moment a step may begin: shorter, and a step could begin with no time to call."""
    return margin / MARGIN_SHARE


async def manifest_round(
    uow: Callable[[], ManifestUnitOfWork],
    metrc_for: Callable[[str], Awaitable[MetrcPort | Problem]],
    now: Callable[[], datetime],
    *,
    lease: timedelta = LEASE,
    margin: timedelta = CALLS_MARGIN,
    stall_after: timedelta = STALL_AFTER,
) -> int:
    """Every open manifest not claimed by another worker one step further, each claimed for
    ``lease``; the number of rows looked at. No Metrc call starts a try later than ``margin``
    before the claim's end (``minimum_claim``: the lease must be at least that long). A row
    that has waited ``stall_after`` (or that Metrc refused) raises its ``TRANSFER_STALLED``
    notification."""
    if lease < minimum_claim(margin):
        raise ValueError(f"a claim of {lease} is shorter than {minimum_claim(margin)}")
    async with uow() as unit:
        licenses = await unit.transfer_manifests.licenses_with_work()
    seen = 0
    for license_number in licenses:
        async with uow() as unit:
            await unit.lock_license(license_number)
            at = now()
            rows = await unit.transfer_manifests.claim_open(license_number, at, until=at + lease)
            links = await unit.links.get_many(_batches_to_check(rows))
            await unit.commit()
        linked = {b for b, link in links.items() if link.state is LinkState.LINKED}
        if not rows:
            continue
        seen += len(rows)
        claim = at + lease
        metrc = await metrc_for(license_number)
        steps: list[Step] = []
        # A call cut short by the deadline leaves its row as a lost answer would: the next
        # round reads Metrc back before sending anything again.
        with calls_deadline(claim - margin):
            for row in rows:
                # A row not begun before its claim nears its end is left for the next round:
                # another worker may take it over once the claim runs out.
                if now() > claim - lease * MARGIN_SHARE:
                    break
                if isinstance(metrc, Problem):
                    kept = dataclasses.replace(
                        row, last_error=metrc.message, waiting_since=row.waiting_since or now()
                    )
                    steps.append((kept, None))
                else:
                    steps.append(await _step(metrc, row, now(), linked=linked))
        before = {row.transfer_id: row for row in rows}
        async with uow() as unit:
            saved = await save_steps(unit, steps, claimed_until=claim, now=now)
            await notice_stalls(
                unit,
                [(before[row.transfer_id], row) for row in saved],
                links,
                now=now(),
                after=stall_after,
            )
            await unit.commit()
    return seen


async def save_steps(
    unit: ManifestUnitOfWork,
    steps: Sequence[Step],
    *,
    claimed_until: datetime,
    now: Callable[[], datetime],
) -> list[ManifestRow]:
    """Each step's row saved (the caller commits), a settled manifest's sales settled with it;
    the rows saved (a row whose claim ran out is not)."""
    settlements = [
        sale_settlements(after.transfer_id, after.manifest_number, after.shipped_batches, outcomes)
        if outcomes is not None
        else {}
        for after, outcomes in steps
    ]
    # Every batch whose sale this transaction may settle, locked at once in one order before
    # anything else: locked manifest by manifest, two rounds (or a round and a push claim)
    # could take the same links in different orders and deadlock.
    await unit.links.lock({batch_id for sales in settlements for batch_id in sales})
    saved_rows: list[ManifestRow] = []
    for (after, outcomes), sales in zip(steps, settlements, strict=True):
        # Saved only under this round's claim: a round that outlived it (another took the row
        # over) must not write over what the other round found.
        if outcomes is None:
            saved = await unit.transfer_manifests.save(after, claimed_until=claimed_until)
        else:
            settled_at = now()
            saved = await unit.transfer_manifests.settled(
                after, outcomes, settled_at, claimed_until=claimed_until
            )
            if saved:
                await settle_sales(unit, after.transfer_id, sales, now=settled_at)
        if saved:
            saved_rows.append(after)
        else:
            log.warning(
                "transfer %s: its claim ran out; left to the round holding it", after.transfer_id
            )
    return saved_rows
