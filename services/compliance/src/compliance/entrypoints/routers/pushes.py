"""The guide's manual operations (``compliance:sync``): push a batch to Metrc now, retry the
failed pushes of a license (the ones named, or all), dismiss one. Each runs a push round at once
and answers what it left."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from shared.contracts import compliance as api
from shared.http.strict_json import StrictJsonRoute

from compliance.adapters.push_telemetry import current_trace_parent
from compliance.entrypoints import commands as to
from compliance.entrypoints import presenters as show
from compliance.entrypoints.deps import Caller, HandlersDep, endpoint, write
from compliance.entrypoints.routers.params import BatchId, LicenseNumber, SubmissionId
from compliance.entrypoints.routers.reads import visible_batch
from compliance.service_layer import DismissSubmission, PushBatch

__all__ = ["router"]

router = APIRouter(tags=["compliance pushes"], route_class=StrictJsonRoute)


@endpoint(
    router,
    "POST",
    "/v1/compliance/batches/{batchId}/push",
    response_model=api.ManualPushResult,
)
async def push_batch(
    caller: Caller, handlers: HandlersDep, request: Request, batch_id: BatchId
) -> Response:
    await visible_batch(handlers, caller, batch_id)
    # The push's Metrc calls join this request's trace (it continues the gateway's).
    cmd = PushBatch(batch_id=batch_id, actor=caller.actor, trace_parent=current_trace_parent())

    async def work() -> api.ManualPushResult:
        return show.manual_push(await handlers.manual.push_batch(cmd))

    return await write(request, caller, work)


@endpoint(
    router,
    "POST",
    "/v1/compliance/licenses/{licenseNumber}/retry",
    response_model=api.RetryResult,
)
async def retry_failed(
    caller: Caller,
    handlers: HandlersDep,
    request: Request,
    license_number: LicenseNumber,
    body: api.RetryRequest,
) -> Response:
    cmd = to.retry_failed(license_number, body, caller.actor, trace_parent=current_trace_parent())

    async def work() -> api.RetryResult:
        retried = await handlers.manual.retry_failed(cmd)
        return api.RetryResult(submissions=[show.submission(s) for s in retried])

    return await write(request, caller, work)


@endpoint(
    router,
    "POST",
    "/v1/compliance/submissions/{submissionId}/dismiss",
    response_model=api.SubmissionView,
)
async def dismiss(
    caller: Caller, handlers: HandlersDep, request: Request, submission_id: SubmissionId
) -> Response:
    cmd = DismissSubmission(submission_id=submission_id, actor=caller.actor)

    async def work() -> api.SubmissionView:
        return show.submission(await handlers.manual.dismiss(cmd))

    return await write(request, caller, work)
