"""Public routes generated from a service's route table, all served by one forwarder.

Each :class:`RouteSpec` becomes an explicit FastAPI route under ``/api/v1`` with the service's own
request and response models, so the gateway's OpenAPI document describes every operation and the
gateway validates input before anything is forwarded. Adding a service (compliance, reporting)
means writing its table; the forwarding is the same for all.
"""

from __future__ import annotations

import inspect
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from shared.contracts.routes import EverySite, Route
from shared.errors import ServiceError
from shared.http import problem, validation_details

from gateway.entrypoints.responses import ERRORS
from gateway.entrypoints.security import SECURITY, check_site, container_of, requires_fast
from gateway.service_layer.authenticate import Authenticated

__all__ = ["PUBLIC_PREFIX", "RouteSpec", "add_service_routes"]

# A service's /v1/... is the gateway's /api/v1/...: one version number for both.
PUBLIC_PREFIX = "/api"
_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)}")
_SITE_FIELDS = ("site_id", "site_ids", "sites")
EVENT_STREAM = "text/event-stream"
"""A route whose answer is server-sent events is streamed through, not buffered."""
_SITE_PATH_PARAMS = ("site_id", "siteId")


def _documented_errors(error_codes: Mapping[str, tuple[int, str]]) -> dict[int, str]:
    """A contract's error codes by HTTP status, for the OpenAPI document's responses (401, 403
    and 500 are the gateway's own, documented once)."""
    by_status: dict[int, list[str]] = {}
    for code, (status, _) in error_codes.items():
        if status not in (401, 403, 500):
            by_status.setdefault(status, []).append(code)
    return {status: ", ".join(codes) for status, codes in sorted(by_status.items())}


@dataclass(frozen=True)
class RouteSpec:
    """One operation of a service, as the gateway exposes it.

    ``path`` is the service's path, ``/v1/...``; the public path is ``/api/v1/...``.
    """

    upstream: str
    method: str
    path: str
    permission: str
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status_code: int = 200
    path_types: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    description: str | None = None
    idempotent: bool = False
    responses: Mapping[int, str] = field(default_factory=dict)
    operation_id: str | None = None
    media_type: str | None = None
    """The success answer's content type when it is not JSON (``text/csv``): documented as a
    string of that type."""
    every_site: EverySite | None = None
    """License-wide (the contract's ``Route.every_site``): documented as ``x-needs-every-site``,
    which the web application reads to offer it only to a user granted every site."""

    @classmethod
    def of(
        cls,
        route: Route,
        *,
        upstream: str,
        error_codes: Mapping[str, tuple[int, str]],
        **given: Any,
    ) -> RouteSpec:
        """A contract's route forwarded to ``upstream``, documented with the contract's errors."""
        return cls(
            upstream=upstream,
            method=route.method,
            path=route.path,
            permission=route.permission,
            summary=route.summary,
            every_site=route.every_site,
            responses=_documented_errors(error_codes),
            **given,
        )

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


def _sites_in(value: object) -> list[str]:
    """Site ids a validated query or body names at its top level (site_id, site_ids, sites)."""
    if not isinstance(value, BaseModel):
        return []
    found: list[str] = []
    for name in _SITE_FIELDS:
        item = getattr(value, name, None)
        if isinstance(item, str | UUID):
            found.append(str(item))
        elif isinstance(item, list | tuple | set | frozenset):
            found.extend(str(v) for v in item if v is not None)
    return found


# A JSON \u0000 escape that is not itself escaped (preceded by an even number of backslashes).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _refuse_nul(request: Request, body: bytes | None) -> None:
    """No Canopy service can store a NUL character (PostgreSQL text cannot hold one), so the
    public edge refuses it in any query value or JSON string, for every service alike."""
    in_query = any("\x00" in value for _, value in request.query_params.multi_items())
    if in_query or (body is not None and b"\\u0000" in body and _JSON_NUL.search(body)):
        raise ServiceError(
            "VALIDATION_ERROR",
            "The request is not valid: text must not contain NUL characters",
            status=422,
            details=validation_details(
                [problem("", "contains a NUL character", "query" if in_query else "body")]
            ),
        )


def _endpoint(spec: RouteSpec) -> Callable[..., Awaitable[Response]]:
    caller_dependency = requires_fast(spec.permission)

    async def endpoint(**kwargs: Any) -> Response:
        request: Request = kwargs["request"]
        caller: Authenticated = kwargs["caller"]
        for site in [
            *(str(kwargs[n]) for n in spec.path_params if n in _SITE_PATH_PARAMS),
            *_sites_in(kwargs.get("query")),
            *_sites_in(kwargs.get("body")),
        ]:
            check_site(caller, site)
        container = container_of(request)
        internal = spec.path.format(
            **{n: urllib.parse.quote(str(kwargs[n]), safe="") for n in spec.path_params}
        )
        body = await request.body() if spec.body is not None else None
        _refuse_nul(request, body)
        if spec.media_type == EVENT_STREAM:
            return await container.forwarder.forward_stream(
                upstream=container.upstreams[spec.upstream],
                path=internal,
                query=request.url.query,
                identity=caller.identity,
                incoming_headers=request.headers,
            )
        return await container.forwarder.forward(
            upstream=container.upstreams[spec.upstream],
            method=spec.method,
            path=internal,
            query=request.url.query,
            body=body,
            identity=caller.identity,
            incoming_headers=request.headers,
        )

    parameters = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter(
            "caller",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Authenticated, Depends(caller_dependency)],
        ),
    ]
    parameters.extend(
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[spec.path_types.get(name, str), Path()],
        )
        for name in spec.path_params
    )
    if spec.query is not None:
        parameters.append(
            inspect.Parameter(
                "query", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[spec.query, Query()]
            )
        )
    if spec.body is not None:
        parameters.append(
            inspect.Parameter(
                "body", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[spec.body, Body()]
            )
        )
    if spec.idempotent:
        parameters.append(
            inspect.Parameter(
                "idempotency_key",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str | None,
                    Header(
                        alias="Idempotency-Key",
                        max_length=200,
                        description="Retry safely: a repeat with the same key returns the first"
                        " result and changes nothing",
                    ),
                ],
                default=None,
            )
        )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = spec.operation_id or _operation_name(spec)
    return endpoint


def _operation_name(spec: RouteSpec) -> str:
    words = re.sub(r"[{}]", "", spec.path.removeprefix("/v1")).strip("/")
    words = words.replace("/", "_").replace("-", "_")
    return f"{spec.upstream}_{spec.method.lower()}_{words}"


def _literal_first(spec: RouteSpec) -> tuple[int, ...]:
    # Routes are matched in order and a failed parameter validation does not fall through:
    # /batches/bulk/status must be tried before /batches/{batchId}/status would swallow it.
    return tuple(1 if segment.startswith("{") else 0 for segment in spec.path.split("/"))


def _extensions(spec: RouteSpec) -> dict[str, Any]:
    extra: dict[str, Any] = {"x-required-permission": spec.permission, "security": SECURITY}
    if spec.every_site is not None:
        extra["x-needs-every-site"] = spec.every_site.value
    return extra


def add_service_routes(app: FastAPI, specs: Sequence[RouteSpec]) -> None:
    """Declare every spec as a route of ``app`` itself.

    Directly on the application rather than through ``include_router``: FastAPI resolves an
    included router's routes through an extra layer on every match, and with some sixty routes
    that matching was a quarter of the gateway's CPU per forwarded request (bench-gateway).
    """
    for spec in sorted(specs, key=_literal_first):
        if not spec.path.startswith("/v1/"):
            raise ValueError(f"service paths start with /v1/: {spec.path}")
        extra: dict[int | str, dict[str, Any]] = {
            status: {"model": ERRORS["default"]["model"], "description": text}
            for status, text in spec.responses.items()
        }
        if spec.media_type is not None:
            extra[spec.status_code] = {
                "description": "Successful Response",
                "content": {spec.media_type: {"schema": {"type": "string"}}},
            }
        app.add_api_route(
            PUBLIC_PREFIX + spec.path,
            _endpoint(spec),
            methods=[spec.method],
            summary=spec.summary,
            description=spec.description,
            response_model=spec.response,
            status_code=spec.status_code,
            tags=list(spec.tags or (spec.upstream,)),
            responses={**ERRORS, **extra},
            operation_id=spec.operation_id or _operation_name(spec),
            openapi_extra=_extensions(spec),
        )
