"""Every domain and service-layer error -> HTTP status and the one error body, in one place.

Statuses (also published as ``shared.contracts.inventory.ERROR_CODES``): 404 for what does not
exist (or is not visible to the caller), 409 for a stale version or a duplicate, 422 for every
request that is well-formed but breaks a rule of the domain (negative inventory, invalid
transition, adjustment too large, missing reason ...), 500 for corrupt data or bugs.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse
from shared.contracts.inventory import ERROR_CODES
from shared.errors import ErrorBody, ErrorDetail
from shared.service_app import current_request_id

from inventory.domain import DomainError, InvariantViolationError, LedgerInconsistencyError

__all__ = ["error_body", "http_status", "on_domain_error", "on_text_postgres_refuses"]

log = logging.getLogger(__name__)

_SERVER_ERRORS = (InvariantViolationError, LedgerInconsistencyError)


def http_status(error: DomainError) -> int:
    if isinstance(error, _SERVER_ERRORS):
        return 500
    return ERROR_CODES.get(error.code, (422, ""))[0]


def error_body(error: DomainError) -> ErrorBody:
    if isinstance(error, _SERVER_ERRORS):
        # Corrupt data or a bug: say so without leaking internals; the log has the rest.
        return ErrorBody(
            error=ErrorDetail(
                code="INTERNAL_ERROR",
                message="Something went wrong on our side; the request id identifies it in our logs",
                details={"request_id": current_request_id()},
            )
        )
    return ErrorBody(
        error=ErrorDetail(code=error.code, message=error.message, details=error.details)
    )


async def on_domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = http_status(error)
    if status >= 500:
        log.error("inventory data inconsistency: %s", error.message, exc_info=error)
    return JSONResponse(error_body(error).model_dump(mode="json"), status_code=status)


async def on_text_postgres_refuses(_: Request, error: Exception) -> JSONResponse:
    """PostgreSQL's text cannot hold NUL characters; a request carrying one is invalid input,
    not a server error (nothing was written: the statement failed and its transaction with it)."""
    body = ErrorBody(
        error=ErrorDetail(
            code="VALIDATION_ERROR",
            message="The request is not valid: text must not contain NUL characters",
            details={"problems": [{"field": "text", "problem": "contains a NUL character"}]},
        )
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=422)
