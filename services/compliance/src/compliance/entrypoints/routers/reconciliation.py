"""Reconciliation: run it and read its findings (``compliance:sync``), approve or reject a
finding's fix (``compliance:manage``), and the month-end report (JSON, and CSV at ``/export``).

A license spans its sites, so every route here needs a caller granted every site (as sync
health does). Approvals take an Idempotency-Key: a replay answers the first decision and applies
nothing twice.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from shared.contracts import compliance as api
from shared.errors import ServiceError
from shared.http import json_response
from shared.http.strict_json import StrictJsonRoute
from shared.identity import IDENTITY_HEADER

from compliance.domain.reconciliation import FindingClass, FindingRecord, FindingState, report_csv
from compliance.entrypoints.container import Handlers
from compliance.entrypoints.deps import Caller, HandlersDep, endpoint, write
from compliance.entrypoints.routers.params import LicenseNumber
from compliance.service_layer.reconciliation import ApproveFix, ReconciliationService, RejectFinding
from compliance.service_layer.reconciliation_ports import FindingQuery, ReconciliationRun

__all__ = ["router"]

router = APIRouter(tags=["compliance reconciliation"], route_class=StrictJsonRoute)
FindingId = Annotated[UUID, Path(alias="findingId")]
_L = "/v1/compliance/licenses/{licenseNumber}"


def _service(handlers: Handlers) -> ReconciliationService:
    if handlers.reconciliation is None:
        raise ServiceError("INTERNAL_ERROR", "Reconciliation is not configured", status=500)
    return handlers.reconciliation


def finding_view(r: FindingRecord) -> api.FindingView:
    f = r.finding
    return api.FindingView(
        id=r.id,
        license_number=f.license_number,
        finding_class=api.FindingClass(f.finding_class.value),
        state=api.FindingState(r.state.value),
        site_id=f.site_id,
        batch_ids=list(f.batch_ids),
        tags=list(f.tags),
        unit=f.unit,
        canopy_quantity=f.canopy_quantity,
        metrc_quantity=f.metrc_quantity,
        pending_quantity=f.pending_quantity,
        message=f.message,
        fix=api.FixView(
            kind=api.FixKind(f.fix.kind.value),
            description=f.fix.description,
            applicable=f.fix.applicable,
            actions=[
                api.FixAction(
                    batch_id=a.batch_id,
                    quantity=a.quantity,
                    submission_ids=list(a.submission_ids),
                    tag=a.tag,
                    metrc_package_id=a.metrc_package_id,
                    site_id=a.site_id,
                    product_id=a.product_id,
                    canopy_unit=a.canopy_unit,
                    metrc_name=a.metrc_name,
                )
                for a in f.fix.actions
            ],
        ),
        evidence=[api.Evidence(kind=e.kind, key=e.key, summary=e.summary) for e in f.evidence],
        opened_at=r.opened_at,
        updated_at=r.updated_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
        applied=dict(r.applied) if r.applied is not None else None,
        error=r.error,
        settled_at=r.settled_at,
    )


def run_view(run: ReconciliationRun) -> api.ReconciliationRunView:
    return api.ReconciliationRunView(
        id=run.id,
        license_number=run.license_number,
        actor=run.actor,
        started_at=run.started_at,
        finished_at=run.finished_at,
        lots=run.lots,
        packages=run.packages,
        opened=run.opened,
        updated=run.updated,
        settled=run.settled,
        by_class=dict(run.by_class),
        duration_ms=run.duration_ms,
    )


@endpoint(router, "POST", f"{_L}/reconciliation", response_model=api.ReconciliationStarted)
async def reconcile(
    caller: Caller, handlers: HandlersDep, request: Request, license_number: LicenseNumber
) -> Response:

    async def work() -> api.ReconciliationStarted:
        outcome = await _service(handlers).run(license_number, actor=caller.actor)
        return api.ReconciliationStarted(
            run=run_view(outcome.run), findings=[finding_view(r) for r in outcome.findings]
        )

    return await write(request, caller, work)


@endpoint(
    router,
    "GET",
    f"{_L}/reconciliation/runs",
    response_model=list[api.ReconciliationRunView],
)
async def runs(caller: Caller, handlers: HandlersDep, license_number: LicenseNumber) -> Response:
    return json_response([run_view(r) for r in await _service(handlers).runs(license_number)])


def _cursor(text: str | None) -> tuple[datetime, UUID] | None:
    if text is None:
        return None
    try:
        at, finding = json.loads(base64.urlsafe_b64decode(text.encode()))
        instant = datetime.fromisoformat(at)
        if instant.tzinfo is None:
            raise ValueError(at)
        return instant.astimezone(UTC), UUID(finding)
    except (
        binascii.Error,
        ValueError,
        TypeError,
        AttributeError,
        UnicodeDecodeError,
        OverflowError,
    ):
        raise ServiceError(
            "VALIDATION_ERROR",
            "The request is not valid: cursor is not one this API gave out",
            status=422,
            details={
                "problems": [{"field": "query.cursor", "problem": "not a cursor of this list"}]
            },
        ) from None


def _next_cursor(r: FindingRecord) -> str:
    return base64.urlsafe_b64encode(
        json.dumps([r.opened_at.isoformat(), str(r.id)]).encode()
    ).decode()


@endpoint(router, "GET", f"{_L}/findings", response_model=api.FindingPage)
async def findings(
    caller: Caller,
    handlers: HandlersDep,
    license_number: LicenseNumber,
    query: Annotated[api.FindingQuery, Query()],
) -> Response:
    found = await _service(handlers).findings(
        FindingQuery(
            license_number=license_number,
            states=[FindingState(s.value) for s in query.state],
            classes=[FindingClass(c.value) for c in query.finding_class],
            limit=query.limit + 1,
            before=_cursor(query.cursor),
        )
    )
    page, more = found[: query.limit], len(found) > query.limit
    return json_response(
        api.FindingPage(
            items=[finding_view(r) for r in page],
            has_more=more,
            next_cursor=_next_cursor(page[-1]) if more and page else None,
        )
    )


@endpoint(router, "GET", "/v1/compliance/findings/{findingId}", response_model=api.FindingView)
async def finding(caller: Caller, handlers: HandlersDep, finding_id: FindingId) -> Response:
    return json_response(finding_view(await _service(handlers).get(finding_id)))


@endpoint(
    router, "POST", "/v1/compliance/findings/{findingId}/approve", response_model=api.FindingView
)
async def approve(
    caller: Caller,
    handlers: HandlersDep,
    request: Request,
    finding_id: FindingId,
    body: api.FixApproval,
) -> Response:
    cmd = ApproveFix(
        finding_id=finding_id,
        actor=caller.actor,
        identity_token=request.headers.get(IDENTITY_HEADER, ""),
        batch_id=body.batch_id,
        note=body.note,
        sites=caller.can_access_site,
    )

    async def work() -> api.FindingView:
        return finding_view(await _service(handlers).approve(cmd))

    return await write(request, caller, work)


@endpoint(
    router, "POST", "/v1/compliance/findings/{findingId}/reject", response_model=api.FindingView
)
async def reject(
    caller: Caller,
    handlers: HandlersDep,
    request: Request,
    finding_id: FindingId,
    body: api.FindingDecision,
) -> Response:
    cmd = RejectFinding(finding_id=finding_id, actor=caller.actor, note=body.note)

    async def work() -> api.FindingView:
        return finding_view(await _service(handlers).reject(cmd))

    return await write(request, caller, work)


async def _report(
    handlers: Handlers, caller: Caller, license_number: str, query: api.MonthEndQuery
) -> api.MonthEndReport:
    as_of, rows = await _service(handlers).report(license_number, query.as_of)
    return api.MonthEndReport(
        license_number=license_number,
        as_of=as_of,
        totals=dict(Counter(r["state"] for r in rows)),
        rows=rows,
    )


@endpoint(router, "GET", f"{_L}/reconciliation/report", response_model=api.MonthEndReport)
async def month_end(
    caller: Caller,
    handlers: HandlersDep,
    license_number: LicenseNumber,
    query: Annotated[api.MonthEndQuery, Query()],
) -> Response:
    return json_response(await _report(handlers, caller, license_number, query))


@endpoint(router, "GET", f"{_L}/reconciliation/report/export", response_model=None)
async def month_end_csv(
    caller: Caller,
    handlers: HandlersDep,
    license_number: LicenseNumber,
    query: Annotated[api.MonthEndQuery, Query()],
) -> Response:
    report = await _report(handlers, caller, license_number, query)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", license_number)
    name = f"reconciliation-{safe}-{query.as_of.isoformat()}"
    return Response(
        report_csv(report.rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
