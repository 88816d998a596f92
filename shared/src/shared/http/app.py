"""The FastAPI application every service starts from: one server span per request, request ids,
the one error body, ``/healthz`` (the process runs), ``/readyz`` (its database and Kafka answer)
and ``/metrics`` (Prometheus).

``create_service_app`` is the one way to make a service's app; the service adds its routes (see
:mod:`shared.http.routes`) and its own exception handlers (its domain errors -> statuses).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.http.errors import install_error_handlers
from shared.http.readiness import KafkaReadiness, ReadinessCheck
from shared.http.request_ids import RequestIdMiddleware
from shared.telemetry import ServerSpans

__all__ = ["create_service_app", "settle_garbage_collector"]

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

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
    database: ReadinessCheck,
    kafka_bootstrap_servers: str,
    tracer_provider: TracerProvider | None = None,
    lifespan: Lifespan | None = None,
    version: str = "0.1.0",
    readiness_timeout: float = 2.0,
) -> FastAPI:
    """A service's app, ready when ``database`` (a check such as ``Database.check``) and Kafka
    answer. ``lifespan`` runs inside the app's own, which settles the garbage collector once
    everything is built and closes the Kafka client at the end (the service closes its own
    pool); ``tracer_provider`` gives every request a server span (tests may leave it out).

    A database that is away does not stop the app from starting: ``/readyz`` says 503 until it
    answers (the pool is created on first use)."""
    kafka = KafkaReadiness(kafka_bootstrap_servers)
    readiness: Mapping[str, ReadinessCheck] = {"database": database, "kafka": kafka}

    @asynccontextmanager
    async def settled(app: FastAPI) -> AsyncIterator[None]:
        settle_garbage_collector()
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            await kafka.close()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=settled,
        # Our own server span (ServerSpans) instead of FastAPI's native telemetry, which would
        # add its own server span and one per dependency and endpoint.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.add_middleware(RequestIdMiddleware)
    if tracer_provider is not None:
        # Outside the request id middleware, so the span covers it too.
        app.add_middleware(ServerSpans, tracer_provider=tracer_provider)

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
