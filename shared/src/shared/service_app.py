"""The FastAPI application every service starts from: health, readiness, metrics, one error body.

``/healthz`` answers while the process runs; ``/readyz`` answers 200 only when every readiness
check (its database, Kafka) answers within a short timeout, so orchestrators route traffic only
to processes that can do their work.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.database import Database
from shared.errors import ErrorBody, ErrorDetail, ServiceError
from shared.strict_json import StrictJsonRoute
from shared.telemetry import instrument_app

__all__ = [
    "KafkaReadiness",
    "ReadinessCheck",
    "create_database_service_app",
    "create_service_app",
    "current_request_id",
    "database_check",
]

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The request id of the HTTP request being served, used as the events' correlation id."""
    return _request_id.get()


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (the gateway) or makes one, and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id")
        request_id = incoming.decode()[:128] if incoming else uuid.uuid4().hex
        # Also in the scope: the catch-all error handler runs outside this middleware, after the
        # context variable has been reset, and must still name the request in its answer.
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


class KafkaReadiness:
    """A metadata round trip to the cluster, on a client kept open between checks."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._client: Any = None
        self._connecting = asyncio.Lock()

    async def __call__(self) -> None:
        await (await self._connected()).fetch_all_metadata()

    async def _connected(self) -> Any:
        from aiokafka.client import AIOKafkaClient

        async with self._connecting:
            if self._client is None:
                # Kept only once bootstrapped: a client that never reached the cluster stays
                # without brokers for good, and would keep a recovered Kafka looking down.
                client = AIOKafkaClient(bootstrap_servers=self._bootstrap)
                try:
                    await client.bootstrap()
                except BaseException:
                    await client.close()
                    raise
                self._client = client
            return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def create_service_app(
    *,
    title: str,
    description: str,
    readiness: Mapping[str, ReadinessCheck],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    version: str = "0.1.0",
    readiness_timeout: float = 2.0,
) -> FastAPI:
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    # Routes declared on the application itself; a router passes route_class=StrictJsonRoute.
    app.router.route_class = StrictJsonRoute
    app.add_middleware(RequestIdMiddleware)

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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def on_service_error(_: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse(error.body().model_dump(mode="json"), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in issue["loc"]), "problem": issue["msg"]}
            for issue in error.errors()
        ]
        body = ErrorBody(
            error=ErrorDetail(
                code="VALIDATION_ERROR",
                message="The request is not valid: "
                + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
                details={"problems": problems},
            )
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=422)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        request_id = request.scope.get("state", {}).get("request_id") or current_request_id()
        log.exception("unhandled error (request %s)", request_id, exc_info=error)
        body = ErrorBody(
            error=ErrorDetail(
                code="INTERNAL_ERROR",
                message="Something went wrong on our side; the request id identifies it in our logs",
                details={"request_id": request_id},
            )
        )
        headers = {"x-request-id": request_id} if request_id else None
        return JSONResponse(body.model_dump(mode="json"), status_code=500, headers=headers)


def create_database_service_app(
    *,
    title: str,
    description: str,
    database: Database,
    kafka_bootstrap_servers: str,
    tracer_provider: TracerProvider,
) -> FastAPI:
    """The usual service API: ready when its database and Kafka answer; both closed on shutdown."""
    kafka = KafkaReadiness(kafka_bootstrap_servers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await kafka.close()
        await database.dispose()

    app = create_service_app(
        title=title,
        description=description,
        readiness={"database": database_check(database.engine), "kafka": kafka},
        lifespan=lifespan,
    )
    instrument_app(app, tracer_provider)
    return app
