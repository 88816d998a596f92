"""Request-scoped dependencies: the verified caller (``shared.http.ContractRoutes`` over the
contract's ROUTES table), the container, how reads and writes run (a write with an
Idempotency-Key at most once per key), and the one shape of a command's endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from shared.contracts.inventory import ROUTES
from shared.database import in_transaction
from shared.http import (
    Answer,
    ContractRoutes,
    IdempotencyClaim,
    StoredResponse,
    fingerprint,
    idempotency_key,
    json_response,
    respond_once,
)

from inventory.domain import DomainError
from inventory.entrypoints.container import Container
from inventory.entrypoints.errors import error_body, http_status, is_server_error
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.unit_of_work import read as run_read
from inventory.service_layer.unit_of_work import run_optimistic

__all__ = [
    "CallerDep",
    "ContainerDep",
    "command_route",
    "endpoint",
    "read",
    "read_route",
    "write_command",
    "write_with",
]

M = TypeVar("M", bound=Answer)
C = TypeVar("C")
R = TypeVar("R")

ROUTE_TABLE: ContractRoutes[Caller] = ContractRoutes(ROUTES, caller=Caller)
endpoint = ROUTE_TABLE.endpoint
"""Register a route of the contract's ROUTES table; its ``caller`` parameter gets the verified
caller holding the route's permission."""

CallerDep = Caller
"""The annotation of a route's ``caller`` parameter (``endpoint`` puts the dependency in)."""


# ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool, a thread hop
# per dependency per request on the hot path.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def read(container: Container, work: Callable[[UnitOfWork], Awaitable[Answer]]) -> Response:
    """Run a read outside any transaction and answer its result as JSON."""
    return json_response(await run_read(container.reader, work))


def read_route(
    router: APIRouter,
    path: str,
    *,
    reader: Callable[[UnitOfWork, Caller, Any], Awaitable[Answer]],
    response_model: Any,
    query: type[BaseModel] | None = None,
    target: Any = None,
) -> None:
    """Register GET ``path`` as a read's endpoint (named after ``reader``), the read endpoints'
    one shape: ``reader`` answers, outside any transaction, for the caller and either the query
    string (parsed as the ``query`` model: a list page) or the path's id (annotated by
    ``target``: one item, NOT_FOUND when the caller may not see it)."""
    if (query is None) == (target is None):
        raise TypeError(f"GET {path}: a read route takes a query model or a target id")

    async def on_query(caller: CallerDep, container: ContainerDep, params: Any) -> Response:
        return await read(container, lambda uow: reader(uow, caller, params))

    async def on_target(caller: CallerDep, container: ContainerDep, target_id: Any) -> Response:
        return await read(container, lambda uow: reader(uow, caller, target_id))

    # Annotations are strings here (postponed evaluation); FastAPI needs the types themselves.
    route: Callable[..., Awaitable[Response]]
    if query is not None:
        route = on_query
        route.__annotations__["params"] = Annotated[query, Query()]
    else:
        route = on_target
        route.__annotations__["target_id"] = target
    route.__name__ = reader.__name__
    endpoint(router, "GET", path, response_model=response_model)(route)


def _refusal(error: Exception) -> StoredResponse | None:
    """A business rule's refusal is the answer a replay gets too; anything else is not stored."""
    if isinstance(error, DomainError) and not is_server_error(error):
        return StoredResponse(status=http_status(error), body=error_body(error).model_dump_json())
    return None


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
    key = idempotency_key(request)
    if key is None:
        if optimistic:
            result = await run_optimistic(container.reader, container.uow, work)
        else:
            result = await in_transaction(container.uow, work)
        return json_response(result, status_code)
    claim = IdempotencyClaim(scope=caller.actor, key=key, request_hash=await fingerprint(request))
    return await respond_once(container.uow, claim, work, status_code=status_code, refusal=_refusal)


async def write_command(
    container: Container,
    request: Request,
    caller: Caller,
    cmd: C,
    handler: Callable[[UnitOfWork, Caller, C], Awaitable[R]],
    present: Callable[[R], M],
    *,
    status_code: int = 200,
) -> Response:
    """The write endpoints' one shape: run ``handler`` on the command in a transaction (once per
    Idempotency-Key) and answer what ``present`` makes of its outcome."""

    async def work(uow: UnitOfWork) -> M:
        return present(await handler(uow, caller, cmd))

    return await write_with(container, request, caller, work, status_code=status_code)


def command_route(
    router: APIRouter,
    path: str,
    *,
    body: type[BaseModel],
    command: Callable[..., C],
    handler: Callable[..., Awaitable[R]],
    present: Callable[[R], M],
    response_model: Any,
    target: Any = None,
    status_code: int = 200,
    units: bool = False,
) -> None:
    """Register POST ``path`` as a command's endpoint (named after ``handler``): ``command``
    makes the command of the request's ``body`` (of the path's id first, when ``target``
    annotates one), and ``write_command`` runs ``handler`` on it and answers what ``present``
    makes of the outcome. ``units``: the handler also takes the units of measure configured."""

    async def run(container: Container, request: Request, caller: Caller, cmd: C) -> Response:
        work: Callable[..., Awaitable[R]] = handler
        if units:
            work = partial(handler, units=container.settings.units_of_measure)
        return await write_command(
            container, request, caller, cmd, work, present, status_code=status_code
        )

    async def on_body(
        caller: CallerDep, container: ContainerDep, request: Request, body: Any
    ) -> Response:
        return await run(container, request, caller, command(body))

    async def on_target(
        caller: CallerDep, container: ContainerDep, request: Request, target_id: Any, body: Any
    ) -> Response:
        return await run(container, request, caller, command(target_id, body))

    route = on_body if target is None else on_target
    # Annotations are strings here (postponed evaluation); FastAPI needs the models themselves.
    route.__annotations__["body"] = body
    if target is not None:
        route.__annotations__["target_id"] = target
    route.__name__ = handler.__name__
    endpoint(router, "POST", path, response_model=response_model, status_code=status_code)(route)
