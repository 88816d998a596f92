"""The application factory: Metrc routes behind the gateway middleware, plus the admin API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from metrc_sandbox import admin, admin_receiving
from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.errors import MetrcError, RowsRejectedError
from metrc_sandbox.gateway import ADMIN_PREFIX, DroppedResponseFilter, MetrcGateway
from metrc_sandbox.jsonio import MetrcJSONResponse
from metrc_sandbox.routes import (
    cultivation,
    harvests,
    items,
    locations,
    packages_read,
    packages_write,
    plants,
    reference,
    transfer_details,
    transfers,
)
from metrc_sandbox.runtime import Sandbox
from metrc_sandbox.seed import SeedDocument


def create_app(config: SandboxConfig | None = None, seed: SeedDocument | None = None) -> FastAPI:
    sandbox = Sandbox(config or SandboxConfig(), seed)
    dropped_filter = DroppedResponseFilter()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        server_log = logging.getLogger("uvicorn.error")
        server_log.addFilter(dropped_filter)
        try:
            yield
        finally:
            server_log.removeFilter(dropped_filter)

    app = FastAPI(
        title="Metrc sandbox",
        description="A local emulator of the Metrc v2 API subset Canopy uses.",
        default_response_class=MetrcJSONResponse,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    for module in (
        reference,
        locations,
        items,
        packages_write,
        # Before packages_read: /packages/v2/transferred must win over /packages/v2/{id_or_label}.
        transfer_details,
        packages_read,
        plants,
        harvests,
        transfers,
        cultivation,
    ):
        _mount(app, module.router)
    _mount(app, admin.router, prefix=ADMIN_PREFIX)
    _mount(app, admin_receiving.router, prefix=ADMIN_PREFIX)
    app.add_middleware(MetrcGateway, sandbox=sandbox, routes=lambda: app.router.routes)
    _install_error_handlers(app)
    return app


def _mount(app: FastAPI, router: APIRouter, prefix: str = "") -> None:
    # Routes are copied onto the app rather than include_router'ed, so that app.router.routes is
    # flat and the gateway can name the path template of every call for the request counters.
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            methods=sorted(route.methods or ()),
            name=route.name,
        )


def _install_error_handlers(app: FastAPI) -> None:
    async def metrc_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, MetrcError)
        return MetrcJSONResponse({"Message": exc.message}, exc.status, headers=exc.headers)

    async def rows_rejected(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RowsRejectedError)
        return MetrcJSONResponse(exc.errors, 400)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith(ADMIN_PREFIX):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 405:
            message = f"The requested resource does not support http method '{request.method}'."
        else:
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
        return MetrcJSONResponse({"Message": message}, exc.status_code)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if request.url.path.startswith(ADMIN_PREFIX):
            return JSONResponse({"detail": exc.errors()}, 422)
        return MetrcJSONResponse({"Message": "The request is invalid."}, 400)

    app.add_exception_handler(MetrcError, metrc_error)
    app.add_exception_handler(RowsRejectedError, rows_rejected)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
