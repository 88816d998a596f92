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
from shared.http import current_request_id, internal_error_body

from inventory.domain import DomainError, InvariantViolationError, LedgerInconsistencyError

__all__ = ["error_body", "http_status", "is_server_error", "on_domain_error"]

log = logging.getLogger(__name__)

_SERVER_ERRORS = (InvariantViolationError, LedgerInconsistencyError)


def is_server_error(error: DomainError) -> bool:
    return isinstance(error, _SERVER_ERRORS)


def http_status(error: DomainError) -> int:
    if is_server_error(error):
        return 500
    return ERROR_CODES.get(error.code, (422, ""))[0]


def error_body(error: DomainError) -> ErrorBody:
    if is_server_error(error):
        # Corrupt data or a bug: say so without leaking internals; the log has the rest.
        return internal_error_body(current_request_id())
    return ErrorBody(
        error=ErrorDetail(code=error.code, message=error.message, details=error.details)
    )


async def on_domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = http_status(error)
    if status >= 500:
        log.error("inventory data inconsistency: %s", error.message, exc_info=error)
    return JSONResponse(error_body(error).model_dump(mode="json"), status_code=status)
