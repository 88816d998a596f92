"""The service and its published contract agree: routes, permissions, enums, error codes, and
the OpenAPI document generated from the code."""

from __future__ import annotations

from enum import StrEnum

import inventory.domain as domain
import pytest
from fastapi import FastAPI
from inventory.bootstrap import create_app
from inventory.config import InventorySettings
from inventory.entrypoints.errors import http_status
from inventory.service_layer import errors as service_errors
from inventory.service_layer.ports import SORT_COLUMNS
from shared.contracts import inventory as api
from shared.identity import generate_keypair

OPERATIONS = {"/healthz", "/readyz", "/metrics"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    settings = InventorySettings(
        INVENTORY_DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        CANOPY_IDENTITY_PUBLIC_KEY=generate_keypair()[1],
    )
    return create_app(settings)


def test_the_app_serves_exactly_the_routes_of_the_contract(app: FastAPI) -> None:
    # The OpenAPI document lists what the app really routes (included routers are lazy).
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path not in OPERATIONS
        for method in operations
    }
    assert served == {(r.method, r.path) for r in api.ROUTES}


def test_every_route_documents_its_summary_permission_and_errors(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for route in api.ROUTES:
        operation = paths[route.path][route.method.lower()]
        assert operation["summary"] == route.summary
        assert route.permission in operation["description"]
        for status in ("401", "403", "404", "409", "422"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}
        assert operation["security"] == [{"CanopyIdentity": []}]


def test_the_openapi_document_uses_the_wire_names(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    batch = schemas["Batch"]["properties"]
    assert {"onHandQty", "batchStatus", "availableQty", "physicalQty"} <= set(batch)
    assert batch["onHandQty"]["type"] == "string"
    paths = app.openapi()["paths"]
    enhanced = {p["name"] for p in paths["/v1/batches/enhanced"]["get"]["parameters"]}
    assert {"page", "pageSize", "sortBy", "sortOrder", "stockStatus", "ageBracket"} <= enhanced


@pytest.mark.parametrize(
    ("wire", "internal"),
    [
        (api.BatchStatus, domain.BatchStatus),
        (api.Bucket, domain.Bucket),
        (api.MovementType, domain.MovementType),
        (api.AdjustmentReason, domain.AdjustmentReason),
        (api.CogsMode, domain.CogsMode),
        (api.PaymentTerms, domain.PaymentTerms),
        (api.StockStatus, domain.StockStatus),
        (api.AgingBracket, domain.AgingBracket),
    ],
)
def test_the_domain_speaks_the_contracts_vocabulary_not_a_copy_of_it(
    wire: type[StrEnum], internal: type[StrEnum]
) -> None:
    assert internal is wire


def _codes(base: type[domain.DomainError]) -> set[str]:
    found = {base.code}
    for sub in base.__subclasses__():
        found |= _codes(sub)
    return found


def test_every_error_code_has_a_documented_status() -> None:
    codes = _codes(domain.DomainError) - {
        "DOMAIN_ERROR",
        "INVARIANT_VIOLATION",
        "LEDGER_INCONSISTENT",
    }
    assert service_errors.NotFoundError.code in codes
    assert codes <= set(api.ERROR_CODES), codes - set(api.ERROR_CODES)


def test_server_side_errors_are_500_and_the_spec_codes_have_their_statuses() -> None:
    assert http_status(domain.InvariantViolationError("x")) == 500
    assert http_status(domain.LedgerInconsistencyError("x")) == 500
    assert http_status(domain.BatchNotFoundError("b")) == 404
    assert (
        http_status(domain.OptimisticLockConflictError(expected_version=1, actual_version=2)) == 409
    )
    assert http_status(domain.ReasonRequiredError()) == 422


def test_every_sort_field_is_sortable() -> None:
    assert {f.value for f in api.SortField} - set(SORT_COLUMNS) == {"ageDays"}
