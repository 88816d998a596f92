"""Request-scoped pieces of the compliance API: the verified caller (``shared.http.ContractRoutes``
over the contract's ROUTES table), the container, and how a write runs: with an Idempotency-Key,
at most once per key.

A compliance write is not one database transaction: saving keys asks Metrc, a manual push runs a
push round. So the key's claim is held in its own transaction while the handler runs (a second
request with the same key waits on it) and the answer is stored with the claim when the handler
is done. A business refusal is stored as the answer too; Metrc not answering is not (the same
request, retried, runs again).

A held claim keeps a pooled connection while its handler takes others; at most
``KEYED_WRITES_AT_ONCE`` keyed writes run at once per process, so claims can never take every
connection of the pool (20) and starve their own handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from shared.contracts.compliance import ROUTES
from shared.database import UnitOfWork
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
from shared.identity import ALL_SITES, Identity

from compliance.domain import ComplianceError
from compliance.entrypoints.container import Container, Handlers
from compliance.entrypoints.errors import error_body, http_status

__all__ = ["KEYED_WRITES_AT_ONCE", "Caller", "HandlersDep", "endpoint", "write"]

KEYED_WRITES_AT_ONCE = 4
_keyed_writes = asyncio.Semaphore(KEYED_WRITES_AT_ONCE)


@dataclass(frozen=True, slots=True)
class Caller:
    identity: Identity
    request_id: str | None = None

    @property
    def actor(self) -> str:
        """What the ledger, the sync log and the credentials record as who did it."""
        return self.identity.subject

    def can_access_site(self, site_id: object) -> bool:
        return self.identity.can_access_site(str(site_id))

    @property
    def has_every_site(self) -> bool:
        """Granted every site: what the contract marks license-wide (``Route.every_site``) is
        refused to anyone else before a handler runs (``shared.http.ContractRoutes``)."""
        return ALL_SITES in self.identity.sites


ROUTE_TABLE: ContractRoutes[Caller] = ContractRoutes(ROUTES, caller=Caller)
endpoint = ROUTE_TABLE.endpoint
"""Register a route of the contract's ROUTES table; its ``caller`` parameter gets the verified
caller holding the route's permission."""


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_handlers(request: Request) -> Handlers:
    container: Container = request.app.state.container
    return container.handlers


HandlersDep = Annotated[Handlers, Depends(get_handlers)]
ContainerDep = Annotated[Container, Depends(get_container)]


def _refusal(error: Exception) -> StoredResponse | None:
    if isinstance(error, ComplianceError) and http_status(error) < 500:
        return StoredResponse(status=http_status(error), body=error_body(error).model_dump_json())
    return None


async def write(
    request: Request,
    caller: Caller,
    work: Callable[[], Awaitable[Answer]],
    *,
    status_code: int = 200,
) -> Response:
    """Run a write; with an Idempotency-Key, at most once per key (a replay gets the answer)."""
    key = idempotency_key(request)
    if key is None:
        return json_response(await work(), status_code)
    container: Container = request.app.state.container
    claim = IdempotencyClaim(scope=caller.actor, key=key, request_hash=await fingerprint(request))

    async def run(_: UnitOfWork) -> Answer:
        return await work()

    async with _keyed_writes:
        return await respond_once(
            container.uow, claim, run, status_code=status_code, refusal=_refusal
        )
