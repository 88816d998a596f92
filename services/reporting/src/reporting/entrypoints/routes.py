"""The reporting API's routes (``shared.contracts.reporting.ROUTES``): each report as JSON and
as CSV, for the caller's sites, in one read-only snapshot of the live read models.

Errors: a batch not in the read models or of a site the caller cannot see is BATCH_NOT_FOUND
(404); a requested site not granted is SITE_ACCESS_DENIED (403); no live read model (not
migrated) or the database away is READ_MODEL_UNAVAILABLE (503).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from shared.contracts import reporting as api
from shared.errors import ServiceError
from shared.http import ContractRoutes, json_response
from shared.identity import ALL_SITES, Identity

from reporting.adapters.generations import GenerationNotFoundError
from reporting.domain import AgingThresholds, ReportingDomainError
from reporting.entrypoints import answers
from reporting.entrypoints.container import Container
from reporting.service_layer import csv_export, reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    ComplianceStatusQuery,
    DashboardQuery,
    ProfitabilitySummaryQuery,
    SiteScope,
)
from reporting.service_layer.ports import ReportsUnitOfWork

__all__ = ["ROUTE_TABLE", "router"]

T = TypeVar("T")
router = APIRouter()


class Caller:
    def __init__(self, identity: Identity, request_id: str | None) -> None:
        self.identity = identity
        self.request_id = request_id

    @property
    def scope(self) -> SiteScope:
        sites = self.identity.sites
        if ALL_SITES in sites:
            return SiteScope.every_site()
        granted: list[UUID] = []
        for site in sites:
            try:
                granted.append(UUID(site))
            except ValueError:
                continue  # not a site id: grants nothing here
        return SiteScope.of(granted)


ROUTE_TABLE: ContractRoutes[Caller] = ContractRoutes(api.ROUTES, caller=Caller)
_R = "/v1/reports"
BatchId = Annotated[UUID, Path(alias="batchId")]


async def _run(
    request: Request, work: Callable[[ReportsUnitOfWork, datetime], Awaitable[T]]
) -> tuple[T, datetime]:
    container: Container = request.app.state.container
    now = datetime.now(UTC)
    try:
        async with container.reports() as uow:
            return await work(uow, now), now
    except ReportingDomainError as error:
        status, _ = api.ERROR_CODES.get(error.code, (422, ""))
        raise ServiceError(error.code, error.message, status=status) from None
    except (GenerationNotFoundError, OSError) as error:
        raise ServiceError(
            "READ_MODEL_UNAVAILABLE", "The reporting read models are not available", status=503
        ) from error


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _aging_query(caller: Caller, query: api.AgingQuery) -> AgingQuery:
    thresholds = AgingThresholds(
        query.fresh_max_days, query.moderate_max_days, query.aging_max_days
    )
    return AgingQuery(caller.scope, tuple(query.site_id), thresholds, query.top)


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/dashboard", response_model=api.DashboardStats)
async def dashboard(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = DashboardQuery(caller.scope, tuple(query.site_id))
    report, now = await _run(request, lambda uow, now: reports.dashboard(uow, q, now=now))
    return json_response(answers.dashboard_answer(report, now))


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/dashboard/export", response_model=None)
async def dashboard_export(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = DashboardQuery(caller.scope, tuple(query.site_id))
    report, _ = await _run(request, lambda uow, now: reports.dashboard(uow, q, now=now))
    return _csv(csv_export.dashboard_csv(report), "dashboard")


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/aging", response_model=api.AgingSummary)
async def aging(
    request: Request, caller: Caller, query: Annotated[api.AgingQuery, Query()]
) -> Response:
    q = _aging_query(caller, query)
    report, now = await _run(request, lambda uow, now: reports.aging(uow, q, now=now))
    return json_response(answers.aging_answer(report, now))


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/aging/export", response_model=None)
async def aging_export(
    request: Request, caller: Caller, query: Annotated[api.AgingQuery, Query()]
) -> Response:
    q = _aging_query(caller, query)
    report, _ = await _run(request, lambda uow, now: reports.aging(uow, q, now=now))
    return _csv(csv_export.aging_csv(report), "aging")


@ROUTE_TABLE.endpoint(
    router,
    "GET",
    f"{_R}/profitability/batches/{{batchId}}",
    response_model=api.BatchProfitability,
)
async def batch_profitability(request: Request, caller: Caller, batch_id: BatchId) -> Response:
    q = BatchProfitabilityQuery(caller.scope, batch_id)
    report, now = await _run(
        request, lambda uow, now: reports.batch_profitability_report(uow, q, now=now)
    )
    return json_response(answers.batch_profitability_answer(report, now))


@ROUTE_TABLE.endpoint(
    router, "GET", f"{_R}/profitability/batches/{{batchId}}/export", response_model=None
)
async def batch_profitability_export(
    request: Request, caller: Caller, batch_id: BatchId
) -> Response:
    q = BatchProfitabilityQuery(caller.scope, batch_id)
    report, _ = await _run(
        request, lambda uow, now: reports.batch_profitability_report(uow, q, now=now)
    )
    return _csv(csv_export.batch_profitability_csv(report), f"profitability-{batch_id}")


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/profitability", response_model=api.ProfitabilitySummary)
async def profitability(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = ProfitabilitySummaryQuery(caller.scope, tuple(query.site_id))
    report, now = await _run(
        request, lambda uow, now: reports.profitability_summary_report(uow, q, now=now)
    )
    return json_response(answers.profitability_answer(report, now))


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/profitability/export", response_model=None)
async def profitability_export(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = ProfitabilitySummaryQuery(caller.scope, tuple(query.site_id))
    report, _ = await _run(
        request, lambda uow, now: reports.profitability_summary_report(uow, q, now=now)
    )
    return _csv(csv_export.profitability_summary_csv(report), "profitability")


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/compliance", response_model=api.ComplianceStatus)
async def compliance(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = ComplianceStatusQuery(caller.scope, tuple(query.site_id))
    report, now = await _run(
        request, lambda uow, now: reports.compliance_status_report(uow, q, now=now)
    )
    return json_response(answers.compliance_answer(report, now))


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/compliance/export", response_model=None)
async def compliance_export(
    request: Request, caller: Caller, query: Annotated[api.ReportQuery, Query()]
) -> Response:
    q = ComplianceStatusQuery(caller.scope, tuple(query.site_id))
    report, _ = await _run(
        request, lambda uow, now: reports.compliance_status_report(uow, q, now=now)
    )
    return _csv(csv_export.compliance_status_csv(report), "compliance")


@ROUTE_TABLE.endpoint(router, "GET", f"{_R}/lag", response_model=api.ReadModelStatus)
async def lag(request: Request, caller: Caller) -> Response:
    lags, now = await _run(request, lambda uow, now: reports.lag(uow, now=now))
    return json_response(answers.lag_answer(lags, now))
