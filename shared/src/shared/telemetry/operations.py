"""``/metrics`` and ``/healthz`` for the processes that serve no HTTP API (outbox relays, Kafka
workers), on a port of their own.

``python -m <service> relay|worker --metrics-port P`` (or ``METRICS_PORT``) starts it
(``shared.runner``); the parts of the process say how they are through :data:`PROCESS_HEALTH`
(the relay: ``ok``, or why it is failing; the workers: ``starting`` until their consumers run).
``/healthz`` answers 200 when every part says ``ok`` and 503 otherwise (also before any part has
reported), with each part's state.

A few lines of asyncio rather than a web framework: two fixed GETs, one answer per connection,
in the process's own event loop (so it cannot hide a blocked loop: a stuck process stops
answering its probe).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

__all__ = ["PROCESS_HEALTH", "ProcessHealth", "serving_operations"]

log = logging.getLogger(__name__)

_OK = "ok"
_MAX_REQUEST_BYTES = 8192
_READ_TIMEOUT = 5.0


class ProcessHealth:
    """Each part of the process and its state: ``ok``, or a short reason (``starting``,
    ``failing: ConnectionRefusedError``)."""

    def __init__(self) -> None:
        self._parts: dict[str, str] = {}

    def set(self, part: str, state: str) -> None:
        self._parts[part] = state

    def forget(self, part: str) -> None:
        self._parts.pop(part, None)

    def report(self) -> tuple[bool, dict[str, str]]:
        """Healthy when there are parts and every one says ok (before any part has said
        anything, the process is still starting)."""
        parts = dict(self._parts)
        return bool(parts) and all(state == _OK for state in parts.values()), parts


PROCESS_HEALTH = ProcessHealth()
"""The process's one health record (as the metrics live in the process's one registry)."""


async def _answer(
    health: ProcessHealth, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
        method, path, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        status, content_type, body = _response(health, method, path.split("?", 1)[0])
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + (b"" if method == "HEAD" else body)
        )
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
        pass  # not an HTTP request we answer: drop the connection
    except ConnectionError:
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def _response(health: ProcessHealth, method: str, path: str) -> tuple[str, str, bytes]:
    if method not in ("GET", "HEAD"):
        return "405 Method Not Allowed", "text/plain", b"method not allowed\n"
    if path == "/metrics":
        return "200 OK", CONTENT_TYPE_LATEST, generate_latest()
    if path == "/healthz":
        healthy, parts = health.report()
        body = json.dumps({"status": _OK if healthy else "unhealthy", "parts": parts}).encode()
        return ("200 OK" if healthy else "503 Service Unavailable"), "application/json", body
    return "404 Not Found", "text/plain", b"not found: /metrics and /healthz are served\n"


@contextlib.asynccontextmanager
async def serving_operations(
    host: str, port: int | None, *, health: ProcessHealth = PROCESS_HEALTH
) -> AsyncIterator[int | None]:
    """Serve ``/metrics`` and ``/healthz`` (what ``health`` says) on ``host:port`` while the
    block runs (nothing when ``port`` is None; port 0 takes a free one); yields the port it
    listens on."""
    if port is None:
        yield None
        return
    server = await asyncio.start_server(
        functools.partial(_answer, health), host, port, limit=_MAX_REQUEST_BYTES
    )
    bound = int(server.sockets[0].getsockname()[1])
    log.info("metrics and health on http://%s:%d (/metrics, /healthz)", host, bound)
    try:
        yield bound
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), timeout=5)
