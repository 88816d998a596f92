"""The web application at ``/``: the single-page application built into ``services/gateway/web/dist``.

A small ASGI middleware in front of the API, so the API's routing is untouched: every path the
application has a route for (``/api/...``, ``/docs``, ``/redoc``, ``/openapi.json``, the probes)
goes to it as before, with its own 404s and 405s. Any other GET or HEAD is the web application's:

* ``/assets/<name>``: a file of the build; Vite puts a content hash in each name, so it is cached
  for a year (``immutable``); a missing one is a 404, never the page (a stale tab asking for an
  old chunk must not get HTML back);
* any other path is a client-side route (``/inventory``, ``/inventory/intake`` ...) and gets
  ``index.html`` with ``no-cache``, so a new build reaches every browser at its next navigation.

Files are sent gzip-compressed when the build left a ``.gz`` beside them and the client accepts it.
When the application is not built, its paths answer 503 with the error body, naming the command.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI
from shared.errors import ErrorBody, ErrorDetail
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_DIST", "WebApp", "mount_web_app"]

DEFAULT_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


class WebApp:
    """Serves the built application for every GET/HEAD that no route of ``app`` matches."""

    def __init__(self, app: ASGIApp, *, fastapi: FastAPI, dist: Path) -> None:
        self.app = app
        self.fastapi = fastapi
        self.dist = dist.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or self._is_api(scope):
            await self.app(scope, receive, send)
            return
        response = self._response(scope["path"], _accepts_gzip(scope))
        await response(scope, receive, send)

    def _is_api(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path == "/api" or path.startswith("/api/"):
            return True
        return any(
            route.matches(scope)[0] is not Match.NONE for route in self.fastapi.router.routes
        )

    def _response(self, path: str, gzip: bool) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            return _error(
                503, "WEB_APP_NOT_BUILT", "The web application is not built: run `make web`"
            )
        if path.startswith("/assets/"):
            file = self._file(path)
            if file is None:
                return _error(404, "NOT_FOUND", "No such file")
            return _send(file, IMMUTABLE, gzip)
        file = self._file(path)
        return _send(file or index, NO_CACHE, gzip)

    def _file(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.dist / relative).resolve()
        # Never outside dist/ (a path with ../ or a symbolic link out of it).
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return b"gzip" in value
    return False


def _send(file: Path, cache: str, gzip: bool) -> Response:
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    compressed = file.with_name(file.name + ".gz")
    if gzip and compressed.is_file():
        headers["Content-Encoding"] = "gzip"
        return FileResponse(compressed, media_type=media_type, headers=headers)
    return FileResponse(file, media_type=media_type, headers=headers)


def _error(status: int, code: str, message: str) -> Response:
    body = ErrorBody(error=ErrorDetail(code=code, message=message))
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


def mount_web_app(app: FastAPI, dist: Path | None) -> None:
    """Serve the web application from ``dist`` (default: the repository's build) at ``/``."""
    app.add_middleware(WebApp, fastapi=app, dist=dist or DEFAULT_DIST)
