"""Every domain and service-layer error -> HTTP status and the one error body, in one place.

Statuses (also published as ``shared.contracts.inventory.ERROR_CODES``): 404 for what does not
exist (or is not visible to the caller), 409 for a stale version or a duplicate, 422 for every
request that is well-formed but breaks a rule of the domain (negative inventory, invalid
transition, adjustment too large, missing reason ...), 500 for corrupt data or bugs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic.alias_generators import to_camel
from shared.contracts.inventory import ERROR_CODES
from shared.errors import ErrorBody, ErrorDetail
from shared.http import (
    current_request_id,
    internal_error_body,
    problem,
    validation_details,
    validation_message,
)

from inventory.domain import (
    DomainError,
    FieldError,
    InvalidQuantityError,
    InvariantViolationError,
    LedgerInconsistencyError,
    ValidationError,
)

__all__ = [
    "INTAKE_FIELDS",
    "error_body",
    "http_status",
    "is_server_error",
    "on_domain_error",
    "wire_field",
    "wire_names",
]

log = logging.getLogger(__name__)

_SERVER_ERRORS = (InvariantViolationError, LedgerInconsistencyError)


def is_server_error(error: DomainError) -> bool:
    return isinstance(error, _SERVER_ERRORS)


def http_status(error: DomainError) -> int:
    if is_server_error(error):
        return 500
    return ERROR_CODES.get(error.code, (422, ""))[0]


# The domain names fields in its own words; the wire's name where it is not just the camelCase
# of the domain's (the list is short: the domain mostly speaks the wire's names already).
_WIRE_FIELDS = {
    "as_of": "at",
    "costing": "cogsMode",
    "reference": "referenceType",
    "reference.type": "referenceType",
    "received_at": "receivedAt",
}
_QUERY_FIELDS = frozenset({"cursor", "at"})

INTAKE_FIELDS: Final = {
    "strain": "product.strain",
    "category": "product.category",
    "subcategory": "product.subcategory",
    "location_id": "location",
    "product_id": "product",
    "vendor_id": "vendor",
    "brand_id": "brand",
    "lot_id": "lot",
}
"""Where intake's body carries what the domain names flat: the product's strain is
``product.strain`` on the wire, the location chosen is ``location`` ..."""


@contextmanager
def wire_names(aliases: Mapping[str, str]) -> Iterator[None]:
    """Inside, a ValidationError's fields are renamed by ``aliases`` (a route whose body nests
    what the domain names flat)."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(
            [FieldError(aliases.get(e.field, e.field), e.message) for e in error.errors]
        ) from None


def wire_field(field: str) -> str:
    """A domain field name as the wire spells it: ``unit_cogs_max`` -> ``unitCogsMax``."""
    field = _WIRE_FIELDS.get(field, field)
    return ".".join(to_camel(part) if "_" in part else part for part in field.split("."))


def _problems(error: DomainError) -> list[dict[str, str]] | None:
    if isinstance(error, ValidationError):
        found = [(wire_field(e.field), e.message) for e in error.errors]
    elif isinstance(error, InvalidQuantityError):
        found = [(wire_field(str(error.details["field"])), error.message)]
    else:
        return None
    return [problem(f, text, "query" if f in _QUERY_FIELDS else "body") for f, text in found]


def error_body(error: DomainError) -> ErrorBody:
    """The one error body; invalid input lists its problems as the gateway's schema check does
    (``details.problems``: wire field paths), so a client maps both the same way."""
    if is_server_error(error):
        # Corrupt data or a bug: say so without leaking internals; the log has the rest.
        return internal_error_body(current_request_id())
    problems = _problems(error)
    details: dict[str, object] = dict(error.details)
    if isinstance(error, ValidationError):
        details = {}
    if problems is not None:
        details.update(validation_details(problems))
    message = (
        validation_message(problems)
        if isinstance(error, ValidationError) and problems
        else error.message
    )
    return ErrorBody(error=ErrorDetail(code=error.code, message=message, details=details))


async def on_domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = http_status(error)
    if status >= 500:
        log.error("inventory data inconsistency: %s", error.message, exc_info=error)
    return JSONResponse(error_body(error).model_dump(mode="json"), status_code=status)
