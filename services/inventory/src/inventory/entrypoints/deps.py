"""Request-scoped dependencies: the verified caller, the container, routes from the contract
table, JSON responses, and the Idempotency-Key wrapper for writes."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from shared.contracts.inventory import IDEMPOTENCY_KEY_HEADER, ROUTES, Route
from shared.errors import ErrorBody, ServiceError
from shared.identity import IDENTITY_HEADER
from shared.json_form import encode
from shared.service_app import current_request_id

from inventory.adapters.idempotency_store import StoredResponse
from inventory.bootstrap import Container
from inventory.domain import DomainError
from inventory.entrypoints.errors import error_body, http_status
from inventory.entrypoints.identity_cache import VerifiedTokens
from inventory.service_layer.caller import Caller
from inventory.service_layer.unit_of_work import (
    IdempotencyClaim,
    UnitOfWork,
    read,
    run,
    run_idempotent,
    run_optimistic,
)

__all__ = [
    "CallerDep",
    "ContainerDep",
    "endpoint",
    "json_response",
    "read_with",
    "write_with",
]

Answer = BaseModel | dict[str, Any]
"""What a handler answers: a contract model, or a value already in its JSON form (the batch
writes build theirs directly, see ``service_layer.presenters``)."""
M = TypeVar("M", bound=Answer)

_identity_header = APIKeyHeader(
    name=IDENTITY_HEADER,
    auto_error=False,
    scheme_name="CanopyIdentity",
    description="Ed25519 JWT signed by the gateway (the verified caller, its permissions and sites)",
)


# Dependencies are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread
# pool, a thread hop per dependency per request on the hot path.


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_caller(
    request: Request, token: Annotated[str | None, Security(_identity_header)] = None
) -> Caller:
    if not token:
        raise ServiceError("UNAUTHENTICATED", "Requests must come through the gateway", status=401)
    tokens: VerifiedTokens = request.app.state.identity_tokens
    return Caller(identity=tokens.verify(token), request_id=current_request_id())


ContainerDep = Annotated[Container, Depends(get_container)]
CallerDep = Annotated[Caller, Depends(get_caller)]

_ROUTES = {(r.method, r.path): r for r in ROUTES}
_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid identity token"},
    403: {"model": ErrorBody, "description": "Missing permission or site grant"},
    404: {"model": ErrorBody, "description": "Not found (or not visible to the caller)"},
    409: {"model": ErrorBody, "description": "OPTIMISTIC_LOCK_CONFLICT or DUPLICATE"},
    422: {"model": ErrorBody, "description": "VALIDATION_ERROR or a business rule refused it"},
}


def _permission_check(route: Route) -> Callable[[Caller], Awaitable[None]]:
    async def check(caller: CallerDep) -> None:
        caller.identity.require(route.permission)

    return check


def _authorized(route: Route) -> Callable[..., Awaitable[Caller]]:
    """The caller, verified and holding the route's permission: one dependency where a
    separate permission check would be two more for FastAPI to resolve on every request."""

    async def authorized_caller(
        request: Request, token: Annotated[str | None, Security(_identity_header)] = None
    ) -> Caller:
        caller = await get_caller(request, token)
        caller.identity.require(route.permission)
        return caller

    return authorized_caller


def _checks_permission_itself(handler: Callable[..., Any], route: Route) -> bool:
    """Make ``handler``'s ``CallerDep`` parameter, if it has one, check ``route``'s permission
    (its annotation becomes ``Annotated[Caller, Depends(_authorized(route))]``)."""
    for name, annotation in handler.__annotations__.items():
        if annotation == "CallerDep" or annotation is CallerDep:
            handler.__annotations__[name] = Annotated[Caller, Depends(_authorized(route))]
            return True
    return False


def endpoint(
    router: APIRouter,
    method: str,
    path: str,
    *,
    response_model: Any,
    status_code: int = 200,
    tags: Sequence[str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route of the contract's ROUTES table: its summary, its permission (checked
    here as defence in depth; the gateway checks it too) and the documented error bodies."""
    route = _ROUTES[(method, path)]

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        checked = _checks_permission_itself(handler, route)
        return router.api_route(
            path,
            methods=[method],
            summary=route.summary,
            description=f"Permission: `{route.permission}`.",
            response_model=response_model,
            status_code=status_code,
            responses=_ERROR_RESPONSES,
            dependencies=None if checked else [Depends(_permission_check(route))],
            tags=list(tags) if tags else None,
        )(handler)

    return register


def json_text(answer: Answer) -> str:
    # Serialised once (FastAPI would validate a model again, then serialise it).
    return answer.model_dump_json() if isinstance(answer, BaseModel) else encode(answer)


def json_response(answer: Answer, status_code: int = 200) -> Response:
    return Response(json_text(answer), status_code=status_code, media_type="application/json")


async def read_with(container: Container, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
    return await read(container.database, work)


def _stored_error(error: DomainError) -> StoredResponse:
    return StoredResponse(status=http_status(error), body=error_body(error).model_dump_json())


async def write_with(
    container: Container,
    request: Request,
    caller: Caller,
    work: Callable[[UnitOfWork], Awaitable[M]],
    *,
    status_code: int = 200,
    optimistic: bool = False,
) -> Response:
    """Run a write in its own transaction; with an Idempotency-Key, at most once per key.

    ``optimistic`` (single-batch writes only): without a key, try the two-round-trip
    conditional write first (see ``run_optimistic``); a key needs the transaction, which holds
    the key's claim and the write together.
    """
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        if optimistic:
            result = await run_optimistic(container.database, container.uow, work)
        else:
            result = await run(container.uow, work)
        return json_response(result, status_code)
    key = key.strip()
    if not key or len(key) > 255:
        raise ServiceError(
            "VALIDATION_ERROR",
            f"{IDEMPOTENCY_KEY_HEADER} must be 1 to 255 characters",
            status=422,
            details={"header": IDEMPOTENCY_KEY_HEADER},
        )
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode()):
        digest.update(part + b"\0")
    digest.update(await request.body())
    claim = IdempotencyClaim(scope=caller.actor, key=key, request_hash=digest.hexdigest())
    stored, replayed = await run_idempotent(
        container.uow,
        claim,
        work,
        render=lambda result: StoredResponse(status=status_code, body=json_text(result)),
        render_error=_stored_error,
    )
    return Response(
        stored.body,
        status_code=stored.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true" if replayed else "false"},
    )
