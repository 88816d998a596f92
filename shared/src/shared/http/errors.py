"""The one error body, ``{"error": {"code", "message", "details"}}``, for every failure an HTTP
API can answer: a :class:`~shared.errors.ServiceError` (its status, code and headers), invalid
input (422 VALIDATION_ERROR listing every problem), Starlette's own answers (unknown path, wrong
method), text PostgreSQL cannot store (422), and anything unexpected (500 INTERNAL_ERROR naming
the request id, never the internals).

Invalid input has one shape wherever it is found (the gateway's schema check, a service's schema
check, a service's business rules): ``details.problems``, a list of
``{"field": "product.unitOfMeasure", "in": "body", "problem": "..."}`` where ``field`` is the path
as the wire spells it (camelCase, dot-separated, list positions as numbers; empty for the whole
body or query) and ``in`` is body, query, path or header. A form maps every problem to its field
the same way, whoever found it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from asyncpg.exceptions import CharacterNotInRepertoireError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.errors import ErrorBody, ErrorDetail, ServiceError
from shared.http.request_ids import current_request_id

__all__ = [
    "error_response",
    "install_error_handlers",
    "internal_error_body",
    "problem",
    "validation_details",
    "validation_message",
]

_PLACES = frozenset({"body", "query", "path", "header", "cookie"})


def problem(field: str, text: str, where: str = "body") -> dict[str, str]:
    """One entry of ``details.problems``: ``field`` as the wire spells it, ``where`` it is."""
    return {"field": field, "in": where, "problem": text}


def validation_details(problems: list[dict[str, str]]) -> dict[str, object]:
    return {"problems": problems}


def validation_message(problems: list[dict[str, str]]) -> str:
    """The message of a VALIDATION_ERROR: every problem, each after its field."""
    return "The request is not valid: " + "; ".join(
        f"{p['field'] or p['in']}: {p['problem']}" for p in problems
    )


def _problem_of(issue: Mapping[str, object]) -> dict[str, str]:
    location = [str(part) for part in issue["loc"]]  # type: ignore[attr-defined]
    where = location.pop(0) if location and location[0] in _PLACES else "body"
    return problem(".".join(location), str(issue["msg"]), where)


log = logging.getLogger(__name__)


def error_response(
    code: str,
    message: str,
    *,
    status: int,
    details: dict[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def internal_error_body(request_id: str | None) -> ErrorBody:
    """What a 500 says: that it is ours, and the request id that finds it in the logs."""
    return ErrorBody(
        error=ErrorDetail(
            code="INTERNAL_ERROR",
            message="Something went wrong on our side; the request id identifies it in our logs",
            details={"request_id": request_id},
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def on_service_error(_: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse(
            error.body().model_dump(mode="json"), status_code=error.status, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [_problem_of(issue) for issue in error.errors()]
        return error_response(
            "VALIDATION_ERROR",
            validation_message(problems),
            status=422,
            details=validation_details(problems),
        )

    @app.exception_handler(HTTPException)
    async def on_http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "BAD_REQUEST")
        return error_response(
            code, str(error.detail), status=error.status_code, headers=error.headers
        )

    @app.exception_handler(CharacterNotInRepertoireError)
    async def on_text_postgres_refuses(_: Request, error: Exception) -> JSONResponse:
        # PostgreSQL's text cannot hold NUL characters; a request carrying one is invalid input,
        # not a server error (nothing was written: the statement failed and its transaction too).
        return error_response(
            "VALIDATION_ERROR",
            "The request is not valid: text must not contain NUL characters",
            status=422,
            details=validation_details([problem("", "contains a NUL character")]),
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        request_id = request.scope.get("state", {}).get("request_id") or current_request_id()
        log.exception("unhandled error (request %s)", request_id, exc_info=error)
        headers = {"x-request-id": request_id} if request_id else None
        return JSONResponse(
            internal_error_body(request_id).model_dump(mode="json"),
            status_code=500,
            headers=headers,
        )
