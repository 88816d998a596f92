"""The front door of every Metrc call: faults, auth, GET limits, latency and request statistics.

A plain ASGI middleware rather than route dependencies, because a ``lost_response`` fault has to
own the raw ``send``: it lets the route apply the write, then declares a Content-Length, sends part
of the body and returns, which makes the server drop the connection mid-response. The client sees a
transport error after Metrc already applied its write, the case that causes double posts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metrc_sandbox.auth import authenticate
from metrc_sandbox.context import CALLER_SCOPE_KEY
from metrc_sandbox.faults import FaultRule
from metrc_sandbox.jsonio import dumps
from metrc_sandbox.limits import GetPermit
from metrc_sandbox.runtime import RouteStats, Sandbox

ADMIN_PREFIX = "/_sandbox"
_COLLECTION_ROOT = re.compile(r"^/[a-z]+/v2$")
_FAULT_MESSAGES = {
    500: "An error has occurred.",
    502: "Bad Gateway.",
    503: "The service is unavailable.",
    504: "The gateway timed out.",
}
logger = logging.getLogger("metrc_sandbox")


class DroppedResponseFilter(logging.Filter):
    """Hides the server's complaint about the response a lost_response fault cut short on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


class MetrcGateway:
    def __init__(
        self, app: ASGIApp, sandbox: Sandbox, routes: Callable[[], list[BaseRoute]]
    ) -> None:
        self.app = app
        self.sandbox = sandbox
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        sandbox = self.sandbox
        method: str = scope["method"]
        requested_path: str = scope["path"]
        if _COLLECTION_ROOT.match(requested_path):
            # Metrc (ASP.NET) routes "/items/v2" and "/items/v2/" alike.
            scope = {**scope, "path": requested_path + "/"}
        stats = sandbox.route_stats(method, self._template(scope))
        stats.requests += 1
        send = _counting(send, stats, method)
        rule = sandbox.faults.take(method, requested_path)
        caller = authenticate(sandbox.state, _header(scope, b"authorization"))

        if rule is not None and rule.kind in ("status", "rate_limit"):
            await asyncio.sleep(sandbox.latency_seconds())
            await self._fault_response(rule, send)
            return
        if caller is None:
            await asyncio.sleep(sandbox.latency_seconds())
            await _json(send, 401, {"Message": "Authorization has been denied for this request."})
            return
        permit: GetPermit | None = None
        if method == "GET" and sandbox.config.rate_limits_enabled:
            outcome = sandbox.limiter.try_acquire(
                sandbox.config, caller.vendor_key, _license_number(scope)
            )
            if isinstance(outcome, str):
                await self._too_many(send, outcome)
                return
            permit = outcome
        try:
            delay = sandbox.latency_seconds()
            if rule is not None and rule.kind == "slow":
                delay += rule.delay_ms / 1000
            if delay:
                # Read the body first: Metrc applies a write the client has stopped waiting for,
                # and a body read after the client left would surface as a disconnect instead.
                receive = await _buffered(receive)
                await asyncio.sleep(delay)
            scope[CALLER_SCOPE_KEY] = caller
            if rule is not None and rule.kind == "lost_response":
                await self._lose_response(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        finally:
            if permit is not None:
                permit.release()

    def _template(self, scope: Scope) -> str:
        partial: str | None = None
        for route in self._routes():
            match, _ = route.matches(scope)
            path = getattr(route, "path", None)
            if match is Match.FULL and isinstance(path, str):
                return path
            if match is Match.PARTIAL and partial is None and isinstance(path, str):
                partial = path
        return partial or scope["path"]

    async def _fault_response(self, rule: FaultRule, send: Send) -> None:
        if rule.kind == "rate_limit":
            await self._too_many(send, "Too many requests (injected fault).")
            return
        message = _FAULT_MESSAGES.get(rule.status, "An error has occurred.")
        await _json(send, rule.status, {"Message": message})

    async def _too_many(self, send: Send, reason: str) -> None:
        retry_after = str(self.sandbox.config.retry_after_seconds)
        await _json(send, 429, {"Message": reason}, [(b"retry-after", retry_after.encode())])

    async def _lose_response(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        # Promise at least one byte, so even an empty 200 is left incomplete.
        declared = max(len(body), 1)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(declared).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        logger.warning(
            "lost_response fault: dropped the connection of %s %s", scope["method"], scope["path"]
        )


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now and hand it to the app later, whatever the client does."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending: list[Message] = [
        {"type": "http.request", "body": b"".join(chunks), "more_body": False}
    ]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _counting(send: Send, stats: RouteStats, method: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            stats.statuses[str(status)] = stats.statuses.get(str(status), 0) + 1
            # Writes are all-or-nothing, so a 2xx on a write means the whole request was applied.
            if method != "GET" and 200 <= status < 300:
                stats.applied += 1
        await send(message)

    return wrapped


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _license_number(scope: Scope) -> str | None:
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.casefold() == "licensenumber" and value:
            return value
    return None


async def _json(
    send: Send,
    status: int,
    document: object,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = dumps(document).encode("utf-8")
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *(extra_headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
