"""The service layer's results as the contract's models (``shared.contracts.compliance``).

Nothing here can show a key: credentials are presented from ``CredentialsView`` (hints and
status), and the only models that carry a key are the request's."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from shared.contracts import compliance as api

from compliance.domain import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FromBatches,
    FromHarvest,
    IngredientDraw,
    JurisdictionRules,
    LinkPackage,
    Notification,
    OpeningBalance,
    PackageLink,
    PackageSource,
    Problem,
    Readiness,
    ReceivedByTransfer,
    Submission,
    SyncLogEntry,
    TransferOut,
)
from compliance.domain.cultivation_intents import (
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
)
from compliance.domain.plant_batch_links import PlantBatchMetrc
from compliance.service_layer import (
    BatchCompliance,
    CredentialsView,
    LicenseSyncHealth,
    ManualPush,
    RulesSaved,
)

__all__ = [
    "batch_compliance",
    "batch_link",
    "credentials",
    "license_health",
    "manual_push",
    "notification",
    "rules",
    "rules_saved",
    "submission",
    "sync_log_entry",
]


def rules(r: JurisdictionRules) -> api.SiteRules:
    return api.SiteRules(
        site_id=r.site_id,
        state=r.state,
        program=api.Program(r.program.value),
        require_metrc_id=r.require_metrc_id,
        metrc_base_url=r.metrc_base_url,
        license_number=r.license_number,
        time_zone=r.time_zone,
        reason_map=dict(r.reason_map),
        unit_map=dict(r.unit_map),
        item_map=dict(r.item_map),
        location_map=dict(r.location_map),
        track_locations=r.track_locations,
        allow_opening_balance=r.allow_opening_balance,
        pushes_to_metrc=r.pushes_to_metrc,
        why_not_metrc=r.why_not_metrc or None,
        updated_at=r.updated_at,
        updated_by=r.updated_by,
    )


def rules_saved(saved: RulesSaved) -> api.RulesSaveResult:
    return api.RulesSaveResult(
        rules=rules(saved.rules),
        checked_against_metrc=saved.checked_against_metrc,
        unchecked_because=saved.unchecked_because,
    )


def credentials(v: CredentialsView) -> api.CredentialsView:
    return api.CredentialsView(
        license_number=v.license_number,
        state=v.state,
        vendor_key_hint=v.vendor_key_hint,
        user_key_hint=v.user_key_hint,
        status=api.KeyStatus(v.status.value),
        validated_at=v.validated_at,
        validation_message=v.validation_message,
        expires_at=v.expires_at,
        notify_emails=list(v.notify_emails),
        saved_at=v.saved_at,
        saved_by=v.saved_by,
    )


def problem(p: Problem | None) -> api.MetrcProblem | None:
    if p is None:
        return None
    return api.MetrcProblem(
        code=p.code.value,
        message=p.message,
        guidance=p.guidance,
        field=p.field,
        retry_at=p.retry_at,
    )


def _source(source: PackageSource | None) -> api.PackageSourceView | None:
    match source:
        case None:
            return None
        case OpeningBalance():
            return api.PackageSourceView(kind="OPENING_BALANCE")
        case ReceivedByTransfer(manifest_number=manifest):
            return api.PackageSourceView(kind="TRANSFER", manifest_number=manifest)
        case FromBatches(ingredients=ingredients):
            return api.PackageSourceView(
                kind="BATCHES", ingredient_batch_ids=[i.batch_id for i in ingredients]
            )
        case FromHarvest():
            return api.PackageSourceView(kind="HARVEST")


def submission(s: Submission, waits: Readiness | None = None) -> api.SubmissionView:
    intent = s.intent
    quantity = unit = cause = note = location = None
    into = None
    match intent:
        case CreatePackage() | LinkPackage():
            quantity, unit = intent.quantity, intent.unit
        case AdjustPackage():
            quantity, unit, cause, note = intent.quantity, intent.unit, intent.cause, intent.note
        case ChangeLocation():
            location = intent.location_id
        case IngredientDraw():
            quantity, into = intent.quantity, intent.into_batch_id
        case TransferOut():
            quantity = intent.quantity
        case PlantBatchCountChange():
            quantity, unit, cause, note = (
                Decimal(intent.quantity),
                "Plants",
                intent.reason,
                intent.note,
            )
        case PlantBatchMove():
            location = intent.location_id
        case PlantBatchSplitOff():
            quantity, unit, into = Decimal(intent.count), "Plants", intent.new_plant_batch_id
        case PlantBatchPlanting() | PlantBatchDestroy() | PlantBatchGrowthPhase():
            quantity, unit = Decimal(intent.count), "Plants"
    return api.SubmissionView(
        id=s.id,
        sequence=s.sequence,
        license_number=s.license_number,
        site_id=s.site_id,
        batch_id=s.batch_id,
        kind=api.SubmissionKind(s.kind.value),
        state=api.SubmissionState(s.state.value),
        quantity=quantity,
        unit=unit,
        cause=cause,
        note=note,
        location_id=location,
        into_batch_id=into,
        tag=s.tag or None,
        metrc_reason=s.sent_as.reason if s.sent_as else None,
        attempts=s.attempts,
        manual_retries=s.manual_retries,
        next_attempt_at=s.next_attempt_at,
        last_error=problem(s.last_error),
        metrc_ids=list(s.metrc_ids),
        created_at=s.created_at,
        first_sent_at=s.first_sent_at,
        sent_at=s.sent_at,
        completed_at=s.completed_at,
        caused_by=s.caused_by,
        actor=s.actor,
        dismissed_by=s.dismissed_by,
        dismissed_at=s.dismissed_at,
        waits_for=api.WaitReason(waits.wait.value) if waits is not None else None,
        settled_by=s.settled_by.describe() if s.settled_by is not None else None,
    )


def batch_link(link: PackageLink, subs: Iterable[Submission]) -> api.BatchLink:
    ordered = sorted(subs, key=lambda s: s.sequence)
    planned = link.planned
    return api.BatchLink(
        batch_id=link.batch_id,
        site_id=link.site_id,
        license_number=link.license_number,
        state=api.LinkState(link.state.value),
        tag=link.tag,
        metrc_package_id=link.metrc_package_id,
        source=_source(link.source),
        planned_quantity=planned.quantity if planned else None,
        planned_finished=planned.finished if planned else None,
        problem=problem(link.problem),
        updated_at=link.updated_at,
        last_push=submission(ordered[-1]) if ordered else None,
        open_writes=sum(not s.is_done for s in ordered),
    )


def plant_batch_link(found: PlantBatchMetrc) -> api.PlantBatchLink:
    subs = found.submissions
    return api.PlantBatchLink(
        plant_batch_id=found.plant_batch_id,
        site_id=found.site_id,
        license_number=found.license_number,
        name=found.name,
        state=api.PlantBatchMetrcState(found.state.value),
        metrc_id=found.metrc_id,
        last_push=submission(subs[-1]) if subs else None,
        open_writes=sum(not s.is_done for s in subs),
        submissions=[submission(s) for s in subs],
    )


def batch_compliance(found: BatchCompliance) -> api.BatchCompliance:
    subs = [s for s, _ in found.submissions]
    return api.BatchCompliance(
        link=batch_link(found.link, subs),
        submissions=[submission(s, waits) for s, waits in found.submissions],
    )


def manual_push(pushed: ManualPush) -> api.ManualPushResult:
    return api.ManualPushResult(
        link=batch_link(pushed.link, pushed.submissions),
        submissions=[submission(s) for s in pushed.submissions],
        notes=[p for p in (problem(n) for n in pushed.notes) if p is not None],
    )


def sync_log_entry(e: SyncLogEntry) -> api.SyncLogEntryView:
    return api.SyncLogEntryView(
        id=e.id,
        operation=e.operation,
        direction=api.SyncDirection(e.direction.value),
        status=api.SyncStatus(e.status.value),
        started_at=e.started_at,
        finished_at=e.finished_at,
        duration_ms=int(e.duration.total_seconds() * 1000),
        actor=e.actor,
        license_number=e.license_number,
        site_id=e.site_id,
        objects=e.objects,
        accepted=e.accepted,
        rejected=e.rejected,
        batch_ids=list(e.batch_ids),
        submission_ids=list(e.submission_ids),
        http_status=e.http_status,
        error_code=e.error_code,
        error_message=e.error_message,
        guidance=e.guidance,
    )


def notification(n: Notification) -> api.NotificationView:
    return api.NotificationView(
        id=n.id,
        kind=api.NotificationKind(n.kind.value),
        severity=api.Severity(n.severity.value),
        title=n.title,
        message=n.message,
        guidance=n.guidance,
        created_at=n.created_at,
        license_number=n.license_number,
        site_id=n.site_id,
        subject=n.subject,
        resolved_at=n.resolved_at,
        emailed_at=n.emailed_at,
    )


def license_health(h: LicenseSyncHealth) -> api.LicenseHealth:
    queue, keys = h.queue, h.keys
    age = queue.oldest_waiting_age
    return api.LicenseHealth(
        license_number=queue.license_number,
        key_status=api.KeyStatus(keys.status.value) if keys else None,
        validated_at=keys.validated_at if keys else None,
        waiting=queue.waiting,
        in_flight=queue.in_flight,
        stopped=queue.stopped,
        oldest_waiting_seconds=int(age.total_seconds()) if age is not None else None,
        open_notifications=h.open_notifications,
    )
