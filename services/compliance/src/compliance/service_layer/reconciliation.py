"""Reconciliation of a license: run it, read its findings, approve or reject their fixes, and
the month-end report.

A run reads everything it compares in one transaction, one statement per kind of record (links,
mirror packages, mirror adjustments, queued writes, pull state), classifies in memory
(``domain.reconciliation``), folds the findings into the license's undecided ones
(``domain.reconciliation.lifecycle``) and publishes what opened or settled.

Approving applies the fix and records it (who, when, what it did); a fix that fails leaves the
finding OPEN with the reason. Each fix goes through the path the same change takes anywhere
else in compliance: retries through the manual retry, adjustments and re-pushes as submissions
of the ledger (the push worker sends them, in order per package), links and re-maps as saved
links and rules. The one change in Canopy, a ``COUNT_DISCREPANCY`` movement, goes through
inventory's public API as the approver, with an Idempotency-Key per finding and batch, and with
the finding named in its notes so the planner does not push it back to Metrc.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as dt_time
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from compliance.domain import ComplianceError, validate_rules
from compliance.domain.links import LinkState, PackageLink, PlannedPackage
from compliance.domain.planner import Plan, plan_manual_push
from compliance.domain.reconciliation import (
    MOVEMENT_REASON,
    Finding,
    FindingRecord,
    FixAction,
    FixKind,
    ReconciliationInput,
    merge_run,
    movement_marker,
    reconcile,
    report_rows,
)
from compliance.domain.submissions import AdjustPackage
from compliance.service_layer.commands import RetryFailed
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.errors import NotFoundError
from compliance.service_layer.manual import ManualOperations
from compliance.service_layer.ports import TagTakenError
from compliance.service_layer.reconciliation_ports import (
    FindingQuery,
    InventoryMovements,
    InventoryRefusedError,
    InventoryUnavailableError,
    LocalMovement,
    ReconciliationRun,
    ReconciliationUnitOfWork,
)
from compliance.service_layer.record import store_plan

__all__ = [
    "ApproveFix",
    "FixFailedError",
    "FixNotApplicableError",
    "InventoryUnreachableError",
    "ReconciliationService",
    "RejectFinding",
    "RunOutcome",
]

_NOTES_LIMIT = 2000


class FixNotApplicableError(ComplianceError):
    """The finding's fix is not one Canopy applies (WAIT, REPLACE_KEYS), or lacks a batch."""

    code = "FIX_NOT_APPLICABLE"


class FixFailedError(ComplianceError):
    """Applying the fix was refused (by inventory, or a rule of compliance's own): the finding
    stays OPEN with the reason."""

    code = "FIX_FAILED"


class InventoryUnreachableError(ComplianceError):
    code = "INVENTORY_UNAVAILABLE"


@dataclass(frozen=True, kw_only=True)
class ApproveFix:
    finding_id: UUID
    actor: str
    identity_token: str = field(repr=False)  # a credential: never in a repr, log or traceback
    batch_id: UUID | None = None
    """For a LINK_PACKAGE fix that proposes no batch: the batch to link the package to."""
    note: str | None = None
    sites: Callable[[UUID], bool] = lambda _: True
    """Whether the approver is granted a site (a fix touching another site is not theirs)."""


@dataclass(frozen=True, kw_only=True)
class RejectFinding:
    finding_id: UUID
    actor: str
    note: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    run: ReconciliationRun
    findings: tuple[FindingRecord, ...]
    """Every undecided finding of the license after the run."""


class ReconciliationService:
    def __init__(
        self,
        uow: Callable[[], ReconciliationUnitOfWork],
        ctx: ServiceContext,
        manual: ManualOperations,
        inventory: InventoryMovements,
    ) -> None:
        self._uow = uow
        self._ctx = ctx
        self._manual = manual
        self._inventory = inventory

    # --- runs -----------------------------------------------------------------------------

    async def run(self, license_number: str, *, actor: str) -> RunOutcome:
        started = self._ctx.now()
        clock = time.perf_counter()
        run_id = uuid4()
        async with self._uow() as uow:
            await uow.findings.lock(license_number)
            reads = uow.reconciliation
            data = ReconciliationInput(
                license_number=license_number,
                lots=await reads.lots(license_number),
                packages=await reads.packages(license_number),
                adjustments=await reads.adjustments(license_number),
                writes=await reads.writes(license_number),
                rules={r.site_id: r for r in await uow.jurisdictions.for_license(license_number)},
                pull_problems=await reads.pull_problems(license_number),
                settled_evidence=await uow.findings.settled_evidence(license_number),
                departed=await reads.departed(license_number),
            )
            findings = reconcile(data)
            undecided = await uow.findings.undecided(license_number)
            now = self._ctx.now()
            merged = merge_run(undecided, findings, run_id=run_id, at=now, new_id=uuid4)
            await uow.findings.save_many([*merged.opened, *merged.updated, *merged.settled])
            await uow.findings.publish([*merged.opened, *merged.settled], actor=actor, at=now)
            run = ReconciliationRun(
                id=run_id,
                license_number=license_number,
                actor=actor,
                started_at=started,
                finished_at=self._ctx.now(),
                lots=sum(1 for lot in data.lots if lot.state in _TRACKED),
                packages=len(data.packages),
                opened=len(merged.opened),
                updated=len(merged.updated),
                settled=len(merged.settled),
                by_class=dict(Counter(f.finding_class.value for f in findings)),
                duration_ms=int((time.perf_counter() - clock) * 1000),
            )
            await uow.findings.add_run(run)
            await uow.commit()
        kept = {r.id: r for r in undecided}
        kept.update({r.id: r for r in (*merged.opened, *merged.updated)})
        for r in merged.settled:
            kept.pop(r.id, None)
        return RunOutcome(run, tuple(sorted(kept.values(), key=lambda r: r.finding.key)))

    async def runs(self, license_number: str, limit: int = 20) -> list[ReconciliationRun]:
        async with self._uow() as uow:
            return await uow.findings.runs(license_number, limit)

    async def findings(self, query: FindingQuery) -> list[FindingRecord]:
        async with self._uow() as uow:
            return await uow.findings.search(query)

    async def get(self, finding_id: UUID) -> FindingRecord:
        async with self._uow() as uow:
            record = await uow.findings.get(finding_id)
        if record is None:
            raise NotFoundError("FINDING_NOT_FOUND", f"There is no finding {finding_id}")
        return record

    async def report(self, license_number: str, day: date) -> tuple[datetime, list[dict[str, str]]]:
        """The month-end report as of the end of ``day`` in the facility's time zone (the first
        site of the license that names one; UTC without rules): the instant and the rows."""
        async with self._uow() as uow:
            sites = await uow.jurisdictions.for_license(license_number)
            zone = sites[0].zone if sites else ZoneInfo("UTC")
            as_of = _end_of(day, zone)
            records = await uow.findings.opened_by(license_number, as_of)
        return as_of, report_rows(records, as_of)

    # --- decisions ------------------------------------------------------------------------

    async def reject(self, cmd: RejectFinding) -> FindingRecord:
        now = self._ctx.now()
        async with self._uow() as uow:
            record = await self._locked(uow, cmd.finding_id)
            rejected = record.rejected(cmd.actor, now, cmd.note)
            await uow.findings.save_many([rejected])
            await uow.findings.publish([rejected], actor=cmd.actor, at=now)
            await uow.commit()
        return rejected

    async def approve(self, cmd: ApproveFix) -> FindingRecord:
        now = self._ctx.now()
        async with self._uow() as uow:
            record = await self._locked(uow, cmd.finding_id)
            fix = record.finding.fix
            if not fix.applicable:
                raise FixNotApplicableError(
                    f"Finding {record.id} proposes {fix.kind.value}: {fix.description}",
                    details={"fix": fix.kind.value},
                )
            record = _with_chosen_batch(record, cmd.batch_id)
            for batch_site in await _sites_touched(uow, record):
                if not cmd.sites(batch_site):
                    raise NotFoundError("FINDING_NOT_FOUND", f"There is no finding {record.id}")
            applying = record.approving(cmd.actor, now, cmd.note)
            if fix.kind not in _APPLIED_OUTSIDE:
                # Compliance's own writes and APPLIED in one transaction, under the finding's
                # lock: a second approval finds it decided and writes nothing again.
                try:
                    result = await _in_compliance(uow, applying, cmd, now)
                except ComplianceError as error:
                    failure: ComplianceError | None = error
                else:
                    failure = None
                    done = applying.applied_by(result, now)
                    await uow.findings.save_many([done])
                    await uow.findings.publish([done], actor=cmd.actor, at=now)
                    await uow.commit()
                    return done
            else:
                failure = None
                await uow.findings.save_many([applying])
                await uow.findings.publish([applying], actor=cmd.actor, at=now)
                await uow.commit()
        if failure is not None:
            await self._failed(applying, failure, cmd.actor)
            raise failure
        try:
            result = await self._apply(applying, cmd)
        except ComplianceError as error:
            await self._failed(applying, error, cmd.actor)
            raise
        done = applying.applied_by(result, self._ctx.now())
        async with self._uow() as uow:
            await uow.findings.save_many([done])
            await uow.findings.publish([done], actor=cmd.actor, at=done.updated_at)
            await uow.commit()
        return done

    async def _locked(self, uow: ReconciliationUnitOfWork, finding_id: UUID) -> FindingRecord:
        # The license's lock before the finding's row, the order a run takes them in: the other
        # order deadlocks against a run that upserts this finding.
        seen = await uow.findings.get(finding_id)
        if seen is None:
            raise NotFoundError("FINDING_NOT_FOUND", f"There is no finding {finding_id}")
        await uow.findings.lock(seen.finding.license_number)
        record = await uow.findings.get(finding_id, for_update=True)
        if record is None:
            raise NotFoundError("FINDING_NOT_FOUND", f"There is no finding {finding_id}")
        return record

    async def _failed(self, record: FindingRecord, error: Exception, actor: str) -> None:
        message = getattr(error, "message", None) or str(error)
        failed = record.failed(message, self._ctx.now())
        async with self._uow() as uow:
            await uow.findings.save_many([failed])
            await uow.findings.publish([failed], actor=actor, at=failed.updated_at)
            await uow.commit()

    async def _apply(self, record: FindingRecord, cmd: ApproveFix) -> dict[str, Any]:
        if record.finding.fix.kind is FixKind.RETRY_PUSH:
            return await self._retry(record, cmd)
        return await self._movements(record, cmd)

    async def _retry(self, record: FindingRecord, cmd: ApproveFix) -> dict[str, Any]:
        ids = tuple(i for a in record.finding.fix.actions for i in a.submission_ids)
        retried = await self._manual.retry_failed(
            RetryFailed(
                license_number=record.finding.license_number,
                actor=cmd.actor,
                submission_ids=ids,
            )
        )
        return {"submissions": {str(s.id): s.state.value for s in retried}}

    async def _movements(self, record: FindingRecord, cmd: ApproveFix) -> dict[str, Any]:
        evidence = "; ".join(e.summary for e in record.finding.evidence)
        notes = (
            f"{movement_marker(record.id)} Metrc reconciliation: {record.finding.message}"
            f" Evidence: {evidence}"
        )[:_NOTES_LIMIT]
        done: dict[str, Any] = {}
        for action in record.finding.fix.actions:
            assert action.batch_id is not None
            assert action.quantity is not None
            assert action.version is not None
            try:
                answer = await self._inventory.record(
                    LocalMovement(
                        batch_id=action.batch_id,
                        quantity=action.quantity,
                        version=action.version,
                        notes=notes,
                        idempotency_key=f"reconciliation:{record.id}:{action.batch_id}",
                        identity_token=cmd.identity_token,
                    )
                )
            except InventoryRefusedError as error:
                raise FixFailedError(
                    f"Inventory refused the {MOVEMENT_REASON} movement on batch "
                    f"{action.batch_id}: {error.code}: {error.message}",
                    details={"inventoryCode": error.code, "batchId": str(action.batch_id)},
                ) from None
            except InventoryUnavailableError as error:
                raise InventoryUnreachableError(
                    f"Inventory did not answer; nothing is known to have changed ({error})."
                ) from None
            done[str(action.batch_id)] = {
                "quantity": str(action.quantity),
                "reason": MOVEMENT_REASON,
                "version": answer.get("version"),
            }
        return {"movements": done}


_APPLIED_OUTSIDE = (FixKind.RETRY_PUSH, FixKind.LOCAL_MOVEMENT)
"""Fixes applied after the approval's transaction (the manual retry's own transaction;
inventory's API, made once by its Idempotency-Key): an approval cut short runs them again."""


async def _in_compliance(
    uow: ReconciliationUnitOfWork, record: FindingRecord, cmd: ApproveFix, now: datetime
) -> dict[str, Any]:
    """Fixes that are compliance's own writes, in the approval's transaction."""
    f = record.finding
    result: dict[str, Any] = {}
    for action in f.fix.actions:
        match f.fix.kind:
            case FixKind.PUSH_ADJUSTMENT:
                result.update(await _push_adjustment(uow, record, action, cmd, now))
            case FixKind.PUSH_PACKAGE:
                result.update(await _push_package(uow, action, cmd, now))
            case FixKind.LINK_PACKAGE:
                result.update(await _link_package(uow, f, action, cmd, now))
            case FixKind.REMAP_ITEM | FixKind.REMAP_UNIT:
                result.update(await _remap(uow, f.fix.kind, action, cmd, now))
            case _:  # pragma: no cover - applicable kinds are all handled above
                raise FixNotApplicableError(f"{f.fix.kind.value} is not applied here")
    return result


_TRACKED = (LinkState.PENDING, LinkState.LINKED)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """The last instant of ``day`` in ``zone``, in UTC (the calendar's ends clamp to its
    first and last instants)."""
    try:
        return datetime.combine(day, dt_time.max, zone).astimezone(UTC)
    except OverflowError:
        last = datetime.max.replace(tzinfo=UTC)
        return last if day.year > 1 else datetime.min.replace(tzinfo=UTC)


def _with_chosen_batch(record: FindingRecord, batch_id: UUID | None) -> FindingRecord:
    fix = record.finding.fix
    if fix.kind is not FixKind.LINK_PACKAGE:
        return record
    action = fix.actions[0]
    if action.batch_id is not None and batch_id not in (None, action.batch_id):
        raise FixNotApplicableError(
            f"Finding {record.id} links package {action.tag} to batch {action.batch_id}; "
            "reject it to choose another batch."
        )
    chosen = action.batch_id or batch_id
    if chosen is None:
        raise FixNotApplicableError(
            f"Name the batch to link package {action.tag} to (batchId).",
            details={"field": "batchId"},
        )
    finding = replace(
        record.finding,
        batch_ids=(chosen,),
        fix=replace(fix, actions=(replace(action, batch_id=chosen),)),
    )
    return replace(record, finding=finding)


async def _sites_touched(uow: ReconciliationUnitOfWork, record: FindingRecord) -> set[UUID]:
    sites = {record.finding.site_id} if record.finding.site_id else set()
    links = await uow.links.get_many(record.finding.batch_ids)
    return sites | {link.site_id for link in links.values()}


async def _tracked_link(
    uow: ReconciliationUnitOfWork, action: FixAction
) -> tuple[PackageLink, Any]:
    assert action.batch_id is not None
    # Locked before it is read: a fix saves the link whole, so an outcome landing meanwhile
    # (a create accepted: LINKED) must be read, not saved over.
    await uow.links.lock([action.batch_id])
    link = await uow.links.get(action.batch_id)
    if link is None:
        raise NotFoundError("BATCH_NOT_TRACKED", f"Compliance has not heard of {action.batch_id}")
    rules = await uow.jurisdictions.get(link.site_id)
    return link, rules


async def _push_adjustment(
    uow: ReconciliationUnitOfWork,
    record: FindingRecord,
    action: FixAction,
    cmd: ApproveFix,
    now: datetime,
) -> dict[str, Any]:
    link, rules = await _tracked_link(uow, action)
    if not link.is_tracked or rules is None or action.quantity is None:
        raise FixFailedError(f"Batch {link.batch.code} is no longer tracked in Metrc.")
    intent = AdjustPackage(
        quantity=action.quantity,
        unit=link.batch.unit,
        cause=MOVEMENT_REASON,
        note=f"Canopy reconciliation {record.id}",
        date=rules.local_date(now),
    )
    # What Metrc will show once every planned write lands: Canopy's count (the adjustment
    # closes the gap the queued writes leave).
    planned = link.planned or PlannedPackage(
        quantity=link.batch.physical, finished=False, location_id=None
    )
    updated = replace(link, planned=replace(planned, quantity=link.batch.physical), updated_at=now)
    stored = await store_plan(
        uow, Plan(updated, (intent,)), now=now, actor=cmd.actor, operation="reconcile"
    )
    return {str(link.batch_id): {"submissions": [str(s.id) for s in stored.submissions]}}


async def _push_package(
    uow: ReconciliationUnitOfWork, action: FixAction, cmd: ApproveFix, now: datetime
) -> dict[str, Any]:
    link, rules = await _tracked_link(uow, action)
    untracked = replace(link, state=LinkState.UNLINKED, planned=None, metrc_package_id=None)
    plan = plan_manual_push(untracked, rules, now)
    if not plan.intents:
        why = "; ".join(n.message for n in plan.notes) or "nothing to push"
        raise FixFailedError(f"Batch {link.batch.code} cannot be pushed again: {why}")
    stored = await store_plan(uow, plan, now=now, actor=cmd.actor, operation="reconcile")
    return {str(link.batch_id): {"submissions": [str(s.id) for s in stored.submissions]}}


async def _link_package(
    uow: ReconciliationUnitOfWork,
    finding: Finding,
    action: FixAction,
    cmd: ApproveFix,
    now: datetime,
) -> dict[str, Any]:
    link, rules = await _tracked_link(uow, action)
    if link.is_tracked:
        raise FixFailedError(
            f"Batch {link.batch.code} is already tracked as package {link.tag}; reject this "
            "finding or choose another batch."
        )
    if rules is None or rules.license_number != finding.license_number:
        raise FixFailedError(
            f"Batch {link.batch.code}'s site does not push to license {finding.license_number}."
        )
    assert action.tag is not None
    linked = replace(
        link,
        state=LinkState.LINKED,
        license_number=finding.license_number,
        tag=action.tag,
        metrc_package_id=action.metrc_package_id,
        planned=PlannedPackage(
            quantity=action.quantity if action.quantity is not None else link.batch.physical,
            finished=False,
            location_id=None,
        ),
        problem=None,
        updated_at=now,
    )
    try:
        await store_plan(
            uow, Plan(linked, link_changed=True), now=now, actor=cmd.actor, operation="reconcile"
        )
    except TagTakenError:
        raise FixFailedError(f"Another batch already holds tag {action.tag}.") from None
    return {str(link.batch_id): {"linkedTo": action.tag}}


async def _remap(
    uow: ReconciliationUnitOfWork,
    kind: FixKind,
    action: FixAction,
    cmd: ApproveFix,
    now: datetime,
) -> dict[str, Any]:
    assert action.site_id is not None
    assert action.metrc_name is not None
    rules = await uow.jurisdictions.get(action.site_id)
    if rules is None:
        raise NotFoundError("RULES_NOT_FOUND", f"Site {action.site_id} has no rules")
    if kind is FixKind.REMAP_ITEM:
        assert action.product_id is not None
        changed: Mapping[str, Any] = {
            "item_map": {**rules.item_map, action.product_id: action.metrc_name}
        }
        what = {"itemMap": {action.product_id: action.metrc_name}}
    else:
        assert action.canopy_unit is not None
        changed = {"unit_map": {**rules.unit_map, action.canopy_unit: action.metrc_name}}
        what = {"unitMap": {action.canopy_unit: action.metrc_name}}
    saved = validate_rules(replace(rules, **changed, updated_at=now, updated_by=cmd.actor))
    await uow.jurisdictions.save(saved)
    return {str(action.site_id): what}
