"""Request ids: taken from the caller (the gateway's ``X-Request-ID``) or made, echoed back, and
available to the code serving the request (:func:`current_request_id`), which writes it into the
ledger, the audit log and the events' correlation id."""

from __future__ import annotations

import contextvars
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestIdMiddleware", "current_request_id"]

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
