"""Request bodies are JSON, strictly: a body that is not says what is wrong, with a stable code.

FastAPI parses a body with the standard library, which takes ``NaN``, ``Infinity``, numbers that
overflow to infinity (``1e400``) and lone surrogates (``"\\ud800"``), none of which is JSON a
client meant (RFC 8259) or that PostgreSQL's jsonb or text can store; a body sent as
``text/plain`` reaches validation as bytes ("Input should be a valid dictionary"). Every route
with a body is a :class:`StrictJsonRoute` instead, at the gateway and in every service:

* a body whose ``Content-Type`` is neither ``application/json`` nor ``application/*+json`` is
  415 ``UNSUPPORTED_MEDIA_TYPE`` (no ``Content-Type`` at all is read as JSON, as FastAPI does);
* a body that is not UTF-8, not JSON, or holds NaN, Infinity, an out-of-range number or a lone
  surrogate is 400 ``MALFORMED_JSON``, with where and what in the message.

The body is parsed once: the route hands FastAPI the value it parsed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from shared.errors import ServiceError

__all__ = ["MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "StrictJsonRoute", "parse_json_body"]

MALFORMED_JSON: Final = "MALFORMED_JSON"
UNSUPPORTED_MEDIA_TYPE: Final = "UNSUPPORTED_MEDIA_TYPE"

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_UNSET: Final = object()


def _malformed(problem: str) -> ServiceError:
    return ServiceError(
        MALFORMED_JSON, f"The body is not valid JSON: {problem}", status=400, details={}
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise ValueError(f"the number {text[:40]}... has too many digits") from None


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(item) for item in value)
    return False


def parse_json_body(body: bytes) -> Any:
    """``body`` parsed as strict JSON.

    Raises:
        ServiceError: 400 MALFORMED_JSON, saying what is wrong and where.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _malformed(f"it is not UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_integer
        )
    except json.JSONDecodeError as error:
        raise _malformed(f"{error.msg} (line {error.lineno}, column {error.colno})") from None
    except ValueError as error:
        raise _malformed(str(error)) from None
    # A lone surrogate can only come from a \u escape; valid UTF-8 cannot carry one.
    if "\\u" in text and _holds_surrogate(value):
        raise _malformed("a string holds a lone surrogate (\\ud800 to \\udfff), not Unicode text")
    return value


def _is_json(content_type: str | None) -> bool:
    if content_type is None:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class _ParsedRequest(Request):
    parsed: Any = _UNSET

    async def json(self) -> Any:
        if self.parsed is _UNSET:
            self.parsed = parse_json_body(await self.body())
        return self.parsed


class StrictJsonRoute(APIRoute):
    """An APIRoute whose JSON body is checked and parsed by :func:`parse_json_body`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict(request: Request) -> Response:
            parsed = _ParsedRequest(request.scope, request.receive)
            try:
                body = await parsed.body()
            except ClientDisconnect:
                # Gone (or cut off by the gateway's size limit, which has answered already).
                return Response(status_code=400)
            if body:
                content_type = parsed.headers.get("content-type")
                if not _is_json(content_type):
                    raise ServiceError(
                        UNSUPPORTED_MEDIA_TYPE,
                        f"The body must be JSON sent as application/json, not {content_type}",
                        status=415,
                        details={"content_type": content_type},
                    )
                parsed.parsed = parse_json_body(body)
            return await handler(parsed)

        return strict
