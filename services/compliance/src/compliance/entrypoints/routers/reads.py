"""What was pushed (``compliance:sync``): a batch's link and its package's writes, the ledger and
the sync log (newest first, by cursor), the notification feed and every license's sync health;
and the batch detail's Metrc link (``inventory:read``, the batch's site), and a plant batch's
(its Metrc id and writes)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from shared.contracts import compliance as api
from shared.http import json_response

from compliance.entrypoints import commands as to
from compliance.entrypoints import presenters as show
from compliance.entrypoints.container import Handlers
from compliance.entrypoints.deps import Caller, HandlersDep, endpoint
from compliance.entrypoints.routers.params import BatchId, PlantBatchId
from compliance.service_layer import BatchCompliance, NotFoundError
from compliance.service_layer.errors import batch_not_tracked

__all__ = ["router", "visible_batch"]

router = APIRouter(tags=["compliance reads"])


async def visible_batch(handlers: Handlers, caller: Caller, batch_id: UUID) -> BatchCompliance:
    """The batch's compliance record; a batch of a site the caller may not see is not there."""
    found = await handlers.queries.batch(batch_id)
    if not caller.can_access_site(found.link.site_id):
        raise batch_not_tracked(batch_id)
    return found


@endpoint(router, "GET", "/v1/compliance/batches/{batchId}", response_model=api.BatchCompliance)
async def batch(caller: Caller, handlers: HandlersDep, batch_id: BatchId) -> Response:
    return json_response(show.batch_compliance(await visible_batch(handlers, caller, batch_id)))


@endpoint(router, "GET", "/v1/batches/{batchId}/metrc-link", response_model=api.BatchLink)
async def metrc_link(caller: Caller, handlers: HandlersDep, batch_id: BatchId) -> Response:
    found = await visible_batch(handlers, caller, batch_id)
    return json_response(show.batch_link(found.link, (s for s, _ in found.submissions)))


@endpoint(
    router,
    "GET",
    "/v1/plant-batches/{plantBatchId}/metrc-link",
    response_model=api.PlantBatchLink,
)
async def plant_batch_link(
    caller: Caller, handlers: HandlersDep, plant_batch_id: PlantBatchId
) -> Response:
    found = await handlers.queries.plant_batch(plant_batch_id)
    if not caller.can_access_site(found.site_id):
        raise NotFoundError(
            "PLANT_BATCH_NOT_TRACKED",
            f"Compliance has no Metrc write of plant batch {plant_batch_id}",
        )
    return json_response(show.plant_batch_link(found))


@endpoint(router, "GET", "/v1/compliance/submissions", response_model=api.SubmissionPage)
async def ledger(
    caller: Caller, handlers: HandlersDep, query: Annotated[api.LedgerQuery, Query()]
) -> Response:
    found = await handlers.queries.ledger(to.ledger_query(query))
    page, more = found[: query.limit], len(found) > query.limit
    return json_response(
        api.SubmissionPage(
            items=[show.submission(s) for s in page],
            has_more=more,
            next_cursor=to.next_ledger_cursor(page[-1].sequence) if more else None,
        )
    )


@endpoint(router, "GET", "/v1/compliance/sync-log", response_model=api.SyncLogPage)
async def sync_log(
    caller: Caller, handlers: HandlersDep, query: Annotated[api.SyncLogQuery, Query()]
) -> Response:
    found = await handlers.queries.sync_log(to.sync_log_query(query))
    page, more = found[: query.limit], len(found) > query.limit
    last = page[-1] if page else None
    return json_response(
        api.SyncLogPage(
            items=[show.sync_log_entry(e) for e in page],
            has_more=more,
            next_cursor=to.next_sync_log_cursor(last.started_at, last.id)
            if more and last
            else None,
        )
    )


@endpoint(
    router,
    "GET",
    "/v1/compliance/notifications",
    response_model=list[api.NotificationView],
)
async def notifications(
    caller: Caller, handlers: HandlersDep, query: Annotated[api.NotificationQuery, Query()]
) -> Response:
    found = await handlers.queries.notifications(
        license_number=query.license_number, open_only=query.open_only, limit=query.limit
    )
    return json_response([show.notification(n) for n in found])


@endpoint(router, "GET", "/v1/compliance/health", response_model=list[api.LicenseHealth])
async def health(caller: Caller, handlers: HandlersDep) -> Response:
    return json_response([show.license_health(h) for h in await handlers.queries.sync_health()])
