"""Every refusal of the compliance domain and service layer -> HTTP status and the one error
body. Statuses come from ``shared.contracts.compliance.ERROR_CODES``: 404 for what does not
exist, 409 for a submission in the wrong state, 422 for rules or keys that break a rule, 503
when Metrc did not answer (nothing changed; try again)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from shared.contracts.compliance import ERROR_CODES
from shared.errors import ErrorBody, ErrorDetail

from compliance.domain import ComplianceError

__all__ = ["error_body", "http_status", "on_compliance_error"]


def http_status(error: ComplianceError) -> int:
    return ERROR_CODES.get(error.code, (422, ""))[0]


def error_body(error: ComplianceError) -> ErrorBody:
    return ErrorBody(
        error=ErrorDetail(code=error.code, message=error.message, details=error.details)
    )


async def on_compliance_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ComplianceError)
    return JSONResponse(error_body(error).model_dump(mode="json"), status_code=http_status(error))
