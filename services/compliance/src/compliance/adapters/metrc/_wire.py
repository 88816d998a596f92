"""Turning Metrc's HTTP answers (and the lack of one) into values and exceptions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from pydantic import SecretStr

from compliance.adapters.metrc._retry import parse_retry_after
from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRateLimitedError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnexpectedResponseError,
    MetrcUnknownOutcomeError,
)

__all__ = [
    "CallInfo",
    "ErrorBody",
    "decode_json",
    "error_from_response",
    "error_from_transport",
    "parse_error_body",
]

_MAX_TEXT = 500

# What a .NET server fault looks like when Metrc returns it as a 400 (seen for weeks on the NY
# sandbox: "Could not load file or assembly 'System.Data.SqlClient ...'").
_SERVER_FAULT = re.compile(
    r"exception|assembly|object reference not set|stack ?trace|sqlclient|timeout expired"
    r"|internal server error|an error has occurred",
    re.IGNORECASE,
)

# Failures that happen while opening a connection or waiting for one from the pool: the request
# bytes never left the client, so nothing can have been applied.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class CallInfo:
    method: str
    path: str
    license_number: str | None
    secrets: tuple[SecretStr, ...] = ()

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def redact(self, text: str) -> str:
        """Metrc has been seen echoing request details in error text; never let a key through."""
        for secret in self.secrets:
            value = secret.get_secret_value()
            if value:
                text = text.replace(value, "***")
        return text


@dataclass(frozen=True)
class ErrorBody:
    """A parsed error body: per-row messages if Metrc sent them, else one message."""

    rows: list[tuple[int | None, str]]
    message: str
    is_row_list: bool


def decode_json(content: bytes) -> Any:
    """JSON with every non-integer number as ``Decimal``; ``None`` for an empty body."""
    if not content.strip():
        return None
    return json.loads(content, parse_float=Decimal)


def _truncate(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _rows_from_list(items: Iterable[Any]) -> list[tuple[int | None, str]]:
    rows: list[tuple[int | None, str]] = []
    for item in items:
        if isinstance(item, dict):
            row = item.get("row", item.get("Row"))
            message = item.get("message", item.get("Message", ""))
            rows.append((row if isinstance(row, int) else None, str(message)))
        else:
            rows.append((None, str(item)))
    return rows


def parse_error_body(content: bytes) -> ErrorBody:
    """Metrc's three error shapes: ``[{row, message}, ...]``; ``{"Message": ...}`` (or
    ``message``); or plain text / HTML."""
    text = content.decode("utf-8", errors="replace")
    try:
        body = decode_json(content)
    except ValueError:
        body = text
    if isinstance(body, list):
        rows = _rows_from_list(body)
        return ErrorBody(rows=rows, message="; ".join(m for _, m in rows), is_row_list=True)
    if isinstance(body, dict):
        message = body.get("Message", body.get("message"))
        if message is not None:
            message = str(message)
            return ErrorBody(rows=[(None, message)], message=message, is_row_list=False)
        return ErrorBody(
            rows=[], message=_truncate(json.dumps(body, default=str)), is_row_list=False
        )
    if body is None:
        return ErrorBody(rows=[], message="", is_row_list=False)
    message = _truncate(text) if isinstance(body, str) else _truncate(json.dumps(body, default=str))
    return ErrorBody(rows=[(None, message)] if message else [], message=message, is_row_list=False)


def is_server_fault(message: str) -> bool:
    return bool(_SERVER_FAULT.search(message))


def error_from_response(response: httpx.Response, call: CallInfo, attempts: int) -> MetrcError:
    """The exception for a non-2xx answer (the response body must already be read)."""
    status = response.status_code
    body = parse_error_body(response.content)
    message = call.redact(body.message) or response.reason_phrase or f"HTTP {status}"
    context: dict[str, Any] = {
        "method": call.method,
        "path": call.path,
        "license_number": call.license_number,
        "status_code": status,
        "attempts": attempts,
    }
    if status in (401, 403):
        return MetrcAuthError(message, **context)
    if status == 400:
        if not body.is_row_list and is_server_fault(message):
            return MetrcTransientError(f"server fault returned as 400: {message}", **context)
        rows = [(row, call.redact(text)) for row, text in body.rows] or [(None, message)]
        return MetrcRejectedError(message, rows=rows, **context)
    if status == 404:
        return MetrcNotFoundError(message, **context)
    if status == 413:
        return MetrcRequestTooLargeError(message, **context)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return MetrcRateLimitedError(message, retry_after=retry_after, **context)
    if status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return MetrcTransientError(message, retry_after=retry_after, **context)
    return MetrcUnexpectedResponseError(message, **context)


def error_from_transport(
    exc: httpx.TransportError | TimeoutError, call: CallInfo, attempts: int
) -> MetrcError:
    """No answer from Metrc. Before sending: transient. After sending, or not known to be before
    (a ``TimeoutError``: the try outlasted the client's limit): harmless for a GET, unknown
    outcome for a write."""
    kind = type(exc).__name__
    context: dict[str, Any] = {
        "method": call.method,
        "path": call.path,
        "license_number": call.license_number,
        "attempts": attempts,
    }
    if isinstance(exc, _NOT_SENT):
        return MetrcTransientError(f"request not sent ({kind})", sent=False, **context)
    if call.is_write:
        return MetrcUnknownOutcomeError(
            f"no response after the request was sent ({kind}); Metrc may have applied it",
            **context,
        )
    return MetrcTransientError(f"no response ({kind})", **context)
