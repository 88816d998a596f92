"""Pull sync (``compliance:sync``): the guide's "Sync with Metrc" (a site and sync types; a
request for types a running sync covers joins it), a run's state and report, its progress as
server-sent events, and a license's sync health.

The events stream polls the run's row (the worker that executes it reports progress there every
half second), so any API process can serve any run: ``event: progress`` whenever it changed, a
comment every 15 s to keep proxies from closing an idle stream, and ``event: report`` with the
final report before the stream ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse
from shared.contracts import compliance as api
from shared.errors import ServiceError
from shared.http import json_response
from shared.http.strict_json import StrictJsonRoute

from compliance.domain.mirror import SyncType
from compliance.entrypoints.container import Handlers, SyncHandlers
from compliance.entrypoints.deps import Caller, HandlersDep, endpoint
from compliance.entrypoints.routers.params import LicenseNumber
from compliance.entrypoints.sync_views import health_view, run_view
from compliance.service_layer.errors import NotFoundError
from compliance.service_layer.mirror_ports import SyncRun
from compliance.service_layer.sync_service import RequestSync

__all__ = ["router"]

router = APIRouter(tags=["compliance sync"], route_class=StrictJsonRoute)
RunId = Annotated[UUID, Path(alias="runId")]
POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0


def _sync(handlers: Handlers) -> SyncHandlers:
    if handlers.sync is None:
        raise ServiceError("INTERNAL_ERROR", "Pull sync is not configured", status=500)
    return handlers.sync


async def _visible_run(handlers: Handlers, caller: Caller, run_id: UUID) -> SyncRun:
    """The run, if the caller may see it: a run requested for a site needs that site; a
    scheduled run is license-wide and needs every site."""
    run = await _sync(handlers).service.get(run_id)
    if run.site_id is not None and caller.can_access_site(run.site_id):
        return run
    if run.site_id is None and caller.has_every_site:
        return run
    raise NotFoundError("SYNC_RUN_NOT_FOUND", f"There is no sync run {run_id}")


@endpoint(router, "POST", "/v1/compliance/sync", response_model=api.SyncStarted, status_code=202)
async def request_sync(caller: Caller, handlers: HandlersDep, body: api.SyncRequest) -> Response:
    if not caller.can_access_site(body.site_id):
        raise ServiceError(
            "SITE_ACCESS_DENIED", f"You are not granted site {body.site_id}", status=403
        )
    requested = await _sync(handlers).service.request(
        RequestSync(
            site_id=body.site_id,
            sync_types=tuple(SyncType(t.value) for t in body.sync_types),
            actor=caller.actor,
        )
    )
    started = api.SyncStarted(
        run=run_view(requested.run),
        joined=requested.joined_running,
        joined_runs=[run_view(r) for r in requested.joined],
        events=f"/api/v1/compliance/sync/runs/{requested.run.id}/events",
    )
    return json_response(started, 202)


@endpoint(router, "GET", "/v1/compliance/sync/runs/{runId}", response_model=api.SyncRunView)
async def sync_run(caller: Caller, handlers: HandlersDep, run_id: RunId) -> Response:
    return json_response(run_view(await _visible_run(handlers, caller, run_id)))


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


@endpoint(router, "GET", "/v1/compliance/sync/runs/{runId}/events", response_model=None)
async def sync_events(
    caller: Caller, handlers: HandlersDep, request: Request, run_id: RunId
) -> Response:
    run = await _visible_run(handlers, caller, run_id)
    service = _sync(handlers).service

    async def events() -> AsyncIterator[bytes]:
        current: SyncRun | None = run
        last: str | None = None
        quiet = 0.0
        while current is not None:
            view = run_view(current).model_dump(mode="json", by_alias=True)
            if current.state.open:
                body = json.dumps(view, sort_keys=True)
                if body != last:
                    last, quiet = body, 0.0
                    yield _event("progress", view)
                elif quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield b": keep-alive\n\n"
            else:
                yield _event("report", view)
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            current = await service.runs.get(run_id)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@endpoint(
    router,
    "GET",
    "/v1/compliance/licenses/{licenseNumber}/sync-health",
    response_model=api.SyncHealthView,
)
async def sync_health(
    caller: Caller, handlers: HandlersDep, license_number: LicenseNumber
) -> Response:
    return json_response(health_view(await _sync(handlers).health.license(license_number)))
