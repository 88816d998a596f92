"""The gateway's HTTP API: the one public door, versioned under /api/v1."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from shared.http import create_service_app
from starlette.middleware import Middleware

from gateway import bootstrap
from gateway.config import GatewaySettings
from gateway.entrypoints import account_routes, auth_routes, event_docs
from gateway.entrypoints.forwarded.routes import RouteSpec, add_service_routes
from gateway.entrypoints.forwarded.tables import SERVICE_ROUTES
from gateway.entrypoints.middleware import BodySizeLimit
from gateway.entrypoints.web_app import mount_web_app

__all__ = ["DESCRIPTION", "create_app"]

DESCRIPTION = """\
The public API of Canopy: authentication, permissions, and every operation of the services
behind it.

**Authentication.** `POST /api/v1/auth/login` returns an access token (send it as
`Authorization: Bearer <token>`; it lives 15 minutes) and a single-use refresh token
(`POST /api/v1/auth/refresh` returns the next pair). Integrations use an API key instead, as
`Authorization: Bearer cnp_...` or `X-API-Key: cnp_...`.

**Permissions.** Each operation requires one permission (`x-required-permission` in this
document); roles carry permissions. Users see only the sites they were granted. An operation
marked `x-needs-every-site` is license-wide: `always`, it is for callers granted every site;
`without siteId`, a caller granted some sites must name one in `siteId`. Others get
`SITE_ACCESS_DENIED`.

**Errors.** Every failure answers `{"error": {"code", "message", "details"}}` with a stable
`code`. A service's own errors (e.g. `NEGATIVE_INVENTORY`) are passed through unchanged; the
gateway adds `MALFORMED_JSON` (400: the body is not JSON, or holds NaN, Infinity, a number out
of range or a lone surrogate), `UNAUTHENTICATED` (401), `PERMISSION_DENIED`/`SITE_ACCESS_DENIED`
(403), `REQUEST_TOO_LARGE` (413), `UNSUPPORTED_MEDIA_TYPE` (415: a body not sent as
`application/json`), `VALIDATION_ERROR` (422), `TOO_MANY_LOGIN_ATTEMPTS` (429),
`UPSTREAM_UNAVAILABLE` or `UPSTREAM_INVALID_RESPONSE` (502), `OVERLOADED` (503) and
`UPSTREAM_TIMEOUT` (504).

**Request ids.** Send `X-Request-ID` or get one; it is echoed back, passed to the services and
found in their logs and events.

**Retries.** Writes that may be retried accept `Idempotency-Key`: a repeat with the same key
returns the first result and changes nothing.

**Events.** What Canopy publishes to Kafka for integrators (topics, keys, headers, envelope and
every event type) is described in the AsyncAPI document at `/asyncapi.json` (readable at
`/asyncapi`).

**Pagination.** Lists take `limit` and either `offset` (the gateway's own lists: the answer's
`total` says how many there are) or `cursor` (a service's lists: pass the `nextCursor` of the
previous page; `hasMore` says whether there is one); the enhanced batch list pages by `page`
and `pageSize` (its answer's `pagination`).

**Numbers.** Quantities and money are decimal strings (`"12.5000"`): a JSON number there, an
integer too, is refused (422) with a message that says to send a string.
"""


def create_app(
    settings: GatewaySettings | None = None,
    *,
    service_routes: Sequence[RouteSpec] | None = None,
) -> FastAPI:
    container = bootstrap.build(settings or GatewaySettings())
    # The platform's readiness contract (every service: its database and Kafka). A service
    # behind the gateway being down is answered per request (502) instead: it does not take the
    # whole public door out of rotation. The gateway issues identity tokens; it verifies none.
    app = create_service_app(
        title="Canopy API", description=DESCRIPTION, parts=container, identity_tokens=False
    )
    # Innermost, inside the request id middleware, so a 413 still carries the request id.
    app.user_middleware.append(
        Middleware(BodySizeLimit, max_bytes=container.settings.max_request_bytes)
    )
    # The web application answers the GETs that no route takes.
    mount_web_app(app, container.settings.web_dist)
    # Outermost, so that every answer (401s, 413s, 5xx) carries the CORS headers. Installed even
    # with no origin allowed: a preflight is then refused as CORS (400), not as a method (405).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=container.settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "If-Match",
            "X-API-Key",
            "X-Request-ID",
        ],
        expose_headers=["X-Request-ID", "Retry-After", "Location", "ETag"],
        max_age=600,
    )
    add_service_routes(app, SERVICE_ROUTES if service_routes is None else service_routes)
    app.include_router(auth_routes.router)
    app.include_router(account_routes.router)
    app.include_router(event_docs.router)
    return app
