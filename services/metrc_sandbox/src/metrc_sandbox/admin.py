"""The test-harness API under /_sandbox (no auth: it only ever listens on loopback).

Contract (fixed; the Metrc client's tests code against it):
GET  /_sandbox/health                 -> {"status": "ok"}
POST /_sandbox/reset                  body: seed document, or empty / {} for the default seed
GET  /_sandbox/state                  the whole state, request counters included
GET|PUT /_sandbox/config              runtime knobs (PUT takes any subset, returns the full config)
GET|POST|DELETE /_sandbox/faults      the fault queue (POST appends a list of rules)
POST /_sandbox/packages/bulk          many active packages at once, for benchmarks
POST /_sandbox/transfers/{template_id}/send
POST /_sandbox/transfers/deliveries/{delivery_id}/accept | /reject
Extras: POST /_sandbox/packages/{label}/hold | /release (puts a package on hold, or back).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse, Response

from metrc_sandbox.context import get_sandbox
from metrc_sandbox.dump import dump_state
from metrc_sandbox.faults import FaultRule
from metrc_sandbox.jsonio import MetrcJSONResponse, loads
from metrc_sandbox.lifecycle import LifecycleError, send_template
from metrc_sandbox.receiving import receive_all
from metrc_sandbox.seed import (
    DEFAULT_SEED,
    SeedDocument,
    SeedError,
    SeedPackage,
    issue_tag,
    seed_package,
)
from metrc_sandbox.store import SandboxState, Tx

router = APIRouter()
ModelT = TypeVar("ModelT", bound=BaseModel)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return loads(raw)
    except ValueError:
        raise HTTPException(400, "the body is not valid JSON") from None


def _validate(model: type[ModelT], document: Any) -> ModelT:
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise HTTPException(422, exc.errors(include_url=False, include_context=False)) from None


@router.get("/health")
async def health() -> Response:
    return JSONResponse({"status": "ok"})


@router.post("/reset")
async def reset(request: Request) -> Response:
    document = await _body(request)
    seed = _validate(SeedDocument, document or DEFAULT_SEED)
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        try:
            sandbox.reset(seed)
        except SeedError as exc:
            raise HTTPException(400, str(exc)) from None
    state = sandbox.state
    return JSONResponse(
        {
            "status": "reset",
            "seed": seed.seed,
            "facilities": [f.license_number for f in state.facilities.values()],
            "packages": len(state.packages),
            "tags": len(state.tags),
        }
    )


@router.get("/state")
async def state(request: Request) -> Response:
    return MetrcJSONResponse(dump_state(get_sandbox(request)))


@router.get("/config")
async def get_config(request: Request) -> Response:
    return JSONResponse(get_sandbox(request).config.model_dump())


@router.put("/config")
async def put_config(request: Request) -> Response:
    document = await _body(request) or {}
    if not isinstance(document, dict):
        raise HTTPException(422, "the config body must be a JSON object")
    sandbox = get_sandbox(request)
    try:
        sandbox.config = sandbox.config.updated(
            {k: float(v) if isinstance(v, Decimal) else v for k, v in document.items()}
        )
    except ValidationError as exc:
        raise HTTPException(422, exc.errors(include_url=False, include_context=False)) from None
    return JSONResponse(sandbox.config.model_dump())


class _Rules(BaseModel):
    rules: list[FaultRule]


@router.get("/faults")
async def get_faults(request: Request) -> Response:
    return JSONResponse([rule.model_dump() for rule in get_sandbox(request).faults.rules])


@router.post("/faults")
async def add_faults(request: Request) -> Response:
    document = await _body(request)
    if isinstance(document, dict):
        document = [document]
    rules = _validate(_Rules, {"rules": document}).rules
    sandbox = get_sandbox(request)
    sandbox.faults.extend(rules)
    return JSONResponse([rule.model_dump() for rule in sandbox.faults.rules])


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    get_sandbox(request).faults.clear()
    return JSONResponse([])


class _Bulk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    license_number: str
    count: int = Field(ge=1, le=200_000)
    item: str
    quantity: Decimal = Field(ge=0)
    unit_of_measure: str
    location: str | None = None


@router.post("/packages/bulk")
async def bulk_packages(request: Request) -> Response:
    bulk = _validate(_Bulk, await _body(request))
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        facility = sandbox.state.facilities_by_license.get(bulk.license_number)
        if facility is None:
            raise HTTPException(404, f"unknown facility {bulk.license_number}")
        template = SeedPackage(
            license_number=bulk.license_number,
            tag=None,
            item=bulk.item,
            quantity=bulk.quantity,
            unit_of_measure=bulk.unit_of_measure,
            location=bulk.location,
        )
        tx = Tx(sandbox.state)
        try:
            for _ in range(bulk.count):
                # Fresh tags, so the seeded free tags stay free for the test's own creates.
                tag = _fresh_tag(sandbox.state, facility.id, tx)
                seed_package(sandbox.state, template.model_copy(update={"tag": tag}), tx)
        except SeedError as exc:
            tx.rollback()
            raise HTTPException(400, str(exc)) from None
    return JSONResponse({"created": bulk.count})


def _fresh_tag(state: SandboxState, facility_id: int, tx: Tx) -> str:
    return issue_tag(state, state.facility(facility_id), "Package", tx).label


@router.post("/packages/{label}/hold")
async def hold(label: str, request: Request) -> Response:
    return await _set_hold(request, label, hold=True)


@router.post("/packages/{label}/release")
async def release(label: str, request: Request) -> Response:
    return await _set_hold(request, label, hold=False)


async def _set_hold(request: Request, label: str, *, hold: bool) -> Response:
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        package = sandbox.state.packages.get_key(label)
        if package is None:
            raise HTTPException(404, f"no package {label}")
        expected = "active" if hold else "onhold"
        if package.status != expected:
            raise HTTPException(409, f"package {label} is {package.status}, not {expected}")
        Tx(sandbox.state).touch(package)
        package.status = "onhold" if hold else "active"
    return JSONResponse({"label": label, "status": package.status})


@router.post("/transfers/{template_id}/send")
async def send(template_id: int, request: Request) -> Response:
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        try:
            return JSONResponse(send_template(sandbox.state, template_id))
        except LifecycleError as exc:
            raise HTTPException(exc.status, str(exc)) from None


@router.post("/transfers/deliveries/{delivery_id}/accept")
async def accept(delivery_id: int, request: Request) -> Response:
    return await _receive(request, delivery_id, accept=True)


@router.post("/transfers/deliveries/{delivery_id}/reject")
async def reject(delivery_id: int, request: Request) -> Response:
    return await _receive(request, delivery_id, accept=False)


async def _receive(request: Request, delivery_id: int, *, accept: bool) -> Response:
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        try:
            return JSONResponse(receive_all(sandbox.state, delivery_id, accept=accept))
        except LifecycleError as exc:
            raise HTTPException(exc.status, str(exc)) from None
