"""Authentication and permission checks at the HTTP edge, as FastAPI dependencies.

Both run before anything reaches a service: a request without valid credentials gets 401, one
whose identity lacks the route's permission gets 403, and neither is forwarded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from gateway.bootstrap import Container
from gateway.errors import forbidden, site_forbidden, unauthenticated
from gateway.service_layer.authenticate import Authenticated

__all__ = ["Caller", "check_site", "container_of", "requires"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from POST /api/v1/auth/login (or an API key, cnp_...)",
)
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key for integrations (cnp_...)"
)


def container_of(request: Request) -> Container:
    return cast(Container, request.app.state.container)


async def _authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Authenticated:
    authenticator = container_of(request).authenticator
    if api_key:
        return await authenticator.api_key(api_key)
    if bearer is not None:
        return await authenticator.bearer(bearer.credentials)
    raise unauthenticated()


Caller = Annotated[Authenticated, Depends(_authenticate)]


def requires(permission: str) -> Callable[[Authenticated], Awaitable[Authenticated]]:
    """A dependency that lets through only callers holding ``permission``."""

    async def permitted(caller: Caller) -> Authenticated:
        if not caller.identity.has(permission):
            raise forbidden(permission)
        return caller

    permitted.__name__ = f"requires_{permission.replace(':', '_')}"
    return permitted


def check_site(caller: Authenticated, site_id: str | None) -> None:
    if site_id is not None and not caller.identity.can_access_site(site_id):
        raise site_forbidden(site_id)
