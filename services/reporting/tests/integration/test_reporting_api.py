"""The reporting API on real PostgreSQL: each report as the contract's JSON with its freshness,
and as CSV; filtered by the caller's sites; clear errors with stable codes."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from reporting.adapters.read_model import reading
from reporting.config import ReportingSettings
from reporting.entrypoints import answers
from reporting.entrypoints.api import create_app
from reporting.entrypoints.container import Container
from reporting.service_layer import reports
from reporting.service_layer.commands import DashboardQuery, SiteScope
from reporting.service_layer.projections import apply_inventory_events
from reporting.testing.inventory_history import SITES, in_order, random_batch
from reporting.testing.simulated_batch import NOW
from shared.database import Database, UnitOfWork
from shared.identity import ALL_SITES, Identity, generate_keypair, issue_identity_token

SITE_A, SITE_B = UUID(SITES[0]["id"]), UUID(SITES[1]["id"])


class Api:
    def __init__(self, client: httpx.AsyncClient, private_key: str, batches: list[Any]) -> None:
        self.client = client
        self.private_key = private_key
        self.batches = batches

    async def get(
        self, path: str, *, sites: tuple[str, ...] = (ALL_SITES,), permission: str = "reports:read"
    ) -> httpx.Response:
        identity = Identity(subject="tester", permissions=(permission,), sites=sites)
        token = issue_identity_token(identity, self.private_key)
        return await self.client.get(path, headers={"X-Canopy-Identity": token})


@pytest.fixture
async def api(reporting_dsn: str, database_url: str, open_read_model: Any) -> AsyncIterator[Api]:
    rng = random.Random(3)
    batches = [random_batch(rng, n, steps=15) for n in range(40)]
    async with open_read_model() as uow:
        await apply_inventory_events(uow, in_order(batches), now=NOW)
    private, public = generate_keypair()
    settings = ReportingSettings.model_validate(
        {"REPORTING_DATABASE_URL": database_url, "CANOPY_IDENTITY_PUBLIC_KEY": public}
    )
    database = Database(database_url, name="reporting-api-tests", max_size=4)
    container = Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        reports=partial(reading, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=TracerProvider(),
    )
    app = create_app(container)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting"
    ) as client:
        yield Api(client, private, batches)
    await database.close()


def _without_freshness(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("asOf", "lagMs")}


class TestEachReportIsServedForTheCallersSites:
    async def test_the_dashboard_equals_the_reports_service_layer_answer_in_camel_case(
        self, api: Api, open_read_model: Any
    ) -> None:
        answer = await api.get("/v1/reports/dashboard", sites=(str(SITE_A),))
        assert answer.status_code == 200, answer.text
        async with open_read_model(writer=False, isolation="repeatable_read") as uow:
            report = await reports.dashboard(uow, DashboardQuery(SiteScope.of([SITE_A])), now=NOW)
        expected = answers.dashboard_answer(report, NOW).model_dump(mode="json", by_alias=True)
        body = answer.json()
        assert _without_freshness(body) == _without_freshness(expected)
        assert {"totalInventoryValue", "totalUnits", "statusCounts", "categoryStats"} <= set(body)
        assert "asOf" in body
        assert "lagMs" in body

    async def test_a_site_not_granted_is_refused_and_another_sites_batch_is_not_found(
        self, api: Api
    ) -> None:
        denied = await api.get(f"/v1/reports/dashboard?siteId={SITE_B}", sites=(str(SITE_A),))
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "SITE_ACCESS_DENIED"
        of_b = [b.batch_id for b in api.batches if UUID(b.site["id"]) == SITE_B]
        assert of_b
        for batch_id in of_b:
            hidden = await api.get(
                f"/v1/reports/profitability/batches/{batch_id}", sites=(str(SITE_A),)
            )
            assert hidden.status_code == 404
            assert hidden.json()["error"]["code"] == "BATCH_NOT_FOUND"
            seen = await api.get(f"/v1/reports/profitability/batches/{batch_id}")
            assert seen.status_code == 200
            assert seen.json()["siteId"] == str(SITE_B)

    async def test_every_report_answers_json_and_csv_with_its_freshness(self, api: Api) -> None:
        batch = api.batches[0].batch_id
        for path in (
            "/v1/reports/dashboard",
            "/v1/reports/aging",
            f"/v1/reports/profitability/batches/{batch}",
            "/v1/reports/profitability",
            "/v1/reports/compliance",
        ):
            answer = await api.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert "asOf" in answer.json()
            csv = await api.get(path + "/export")
            assert csv.status_code == 200, (path, csv.text)
            assert csv.headers["content-type"].startswith("text/csv")
            assert "asOf" in csv.text.split("\r\n")[0]
        lag = (await api.get("/v1/reports/lag")).json()
        assert {m["topic"] for m in lag["readModels"]} == {
            "inventory.batch.events",
            "compliance.events",
        }


class TestBadRequestsGetAClearErrorAndChangeNothing:
    async def test_thresholds_out_of_order_are_a_validation_error(self, api: Api) -> None:
        answer = await api.get("/v1/reports/aging?freshMaxDays=40&moderateMaxDays=30")
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "VALIDATION_ERROR"

    async def test_an_unknown_batch_is_not_found_and_a_caller_without_the_permission_is_refused(
        self, api: Api
    ) -> None:
        missing = await api.get(f"/v1/reports/profitability/batches/{uuid4()}")
        assert missing.status_code == 404
        refused = await api.get("/v1/reports/dashboard", permission="inventory:read")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "PERMISSION_DENIED"
