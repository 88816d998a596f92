"""The FastAPI application every service starts from: one server span per request and the request
metrics by route (``shared.telemetry.RequestTelemetry``), request ids, the one error body,
``/healthz`` (the process runs), ``/readyz`` (its database and Kafka answer) and ``/metrics``
(Prometheus).

``create_service_app(title=..., description=..., parts=container)`` is the one way to make a
service's app; the service adds its routes (see :mod:`shared.http.routes`) and its own exception
handlers (its domain errors -> statuses).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.http.errors import install_error_handlers
from shared.http.identity import VerifiedTokens
from shared.http.readiness import KafkaReadiness, ReadinessCheck
from shared.http.request_ids import RequestIdMiddleware
from shared.http.strict_json import StrictJsonRoute
from shared.service_parts import ServiceParts
from shared.telemetry import RequestTelemetry

__all__ = ["create_service_app", "settle_garbage_collector"]

# Measured on the inventory's adjustment benchmark: with the defaults (700, 10, 10) the collector
# ran ~60 times a second and took ~0.2 ms per adjustment (full collections walking every module,
# model and route up to 100 ms at a time). A request's objects die by reference counting; what
# the collector finds is mostly the in-flight requests' state.
_YOUNG_GENERATION_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """What exists once the app is built (modules, routes, models, the OpenAPI schema: some
    170,000 objects in the gateway) lives as long as the process: freeze it, so collections walk
    only what requests create, and collect the youngest generation every 10,000 net allocations
    instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG_GENERATION_THRESHOLD, 20, 20)


def create_service_app(
    *,
    title: str,
    description: str,
    parts: ServiceParts,
    identity_tokens: bool = True,
    version: str = "0.1.0",
    readiness_timeout: float = 2.0,
) -> FastAPI:
    """A service's app (``app.state.container`` is ``parts``): ready when its database and Kafka
    answer; every request a server span; with ``identity_tokens`` (every service but the
    gateway, which issues them), the routes of ``shared.http.ContractRoutes`` verify the gateway's
    tokens with the public key of the settings, read once here (a service without it refuses to
    start). At startup the garbage collector is settled; at shutdown the Kafka client and the
    service's database are closed.

    A database that is away does not stop the app from starting: ``/readyz`` says 503 until it
    answers (the pool is created on first use)."""
    kafka = KafkaReadiness(parts.settings.kafka_bootstrap_servers)
    readiness: Mapping[str, ReadinessCheck] = {"database": parts.database_check, "kafka": kafka}

    @asynccontextmanager
    async def settled(_: FastAPI) -> AsyncIterator[None]:
        settle_garbage_collector()
        try:
            yield
        finally:
            await kafka.close()
            await parts.close()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=settled,
        # Our own server span (RequestTelemetry) instead of FastAPI's native telemetry, which would
        # add its own server span and one per dependency and endpoint.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # Bodies are parsed as strict JSON (400 MALFORMED_JSON, 415 UNSUPPORTED_MEDIA_TYPE) on the
    # routes declared on the application itself; a router passes route_class=StrictJsonRoute.
    app.router.route_class = StrictJsonRoute
    app.state.container = parts
    if identity_tokens:
        app.state.identity_tokens = VerifiedTokens(parts.settings.identity_public_key_pem())
    app.add_middleware(RequestIdMiddleware)
    # Outside the request id middleware, so the span and the duration cover it too.
    app.add_middleware(RequestTelemetry, tracer_provider=parts.tracer_provider)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The database and Kafka answer")
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(
            *(_run_check(check, readiness_timeout) for check in readiness.values())
        )
        checks = dict(zip(readiness, results, strict=True))
        ready = all(result == "ok" for result in results)
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    install_error_handlers(app)
    return app


async def _run_check(check: ReadinessCheck, timeout: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout=timeout)
    except Exception as error:
        return f"failed: {type(error).__name__}"
    return "ok"
