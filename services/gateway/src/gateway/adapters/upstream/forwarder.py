"""One forwarding mechanism for every service: identity, request id, trace context, failures.

A forwarded request carries, besides the caller's validated body and query:

* ``X-Canopy-Identity``: the acting identity signed by the gateway (services verify it and trust
  nothing else), re-signed only when the cached token for that identity is half-way to expiry;
* ``X-Request-ID``: the gateway's request id, so both logs and the events' correlation ids match;
* ``traceparent``: the W3C trace context of the gateway's span, so the service's span joins the
  trace;
* ``Idempotency-Key``, ``If-Match``, ``Content-Type``, ``Accept``: passed through as sent.

The service's answer comes back unchanged (status, error body, pagination headers); a stream
(server-sent events) is passed on as it arrives (``forward_stream``). The gateway's
own failures are 502 UPSTREAM_UNAVAILABLE (or UPSTREAM_INVALID_RESPONSE for a failure without
an error body), 504 UPSTREAM_TIMEOUT and 503 OVERLOADED.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi.responses import Response, StreamingResponse
from opentelemetry import propagate
from pydantic import SecretStr
from shared.errors import ServiceError
from shared.http import current_request_id
from shared.identity import IDENTITY_HEADER, Identity, issue_identity_token

from gateway.adapters.upstream.clients import (
    UpstreamClient,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)

__all__ = ["Forwarder", "IdentitySigner", "Upstream"]

log = logging.getLogger(__name__)

_PASSED_REQUEST_HEADERS = ("content-type", "accept", "idempotency-key", "if-match")
# Hop-by-hop headers, and those the gateway sets itself, are not copied from a service's answer.
_DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "date",
        "server",
        "x-request-id",
        "upgrade",
        "proxy-authenticate",
        "trailer",
        "te",
    }
)


def _is_json(headers: Sequence[tuple[str, str]]) -> bool:
    return any(
        name.lower() == "content-type" and "json" in value.lower() for name, value in headers
    )


@dataclass(frozen=True)
class Upstream:
    name: str
    base_url: str


class IdentitySigner:
    """Signs identity tokens, reusing one per identity until it is half-way to expiry."""

    def __init__(self, private_key: SecretStr, ttl: timedelta, max_entries: int = 10_000) -> None:
        self._key = private_key
        self._ttl = ttl
        self._max = max_entries
        self._tokens: dict[str, tuple[float, str]] = {}

    def token_for(self, identity: Identity) -> str:
        cache_key = identity.model_dump_json()
        now = time.monotonic()
        cached = self._tokens.get(cache_key)
        if cached is not None and cached[0] > now:
            return cached[1]
        token = issue_identity_token(identity, self._key.get_secret_value(), ttl=self._ttl)
        if len(self._tokens) >= self._max:
            self._tokens.clear()
        self._tokens[cache_key] = (now + self._ttl.total_seconds() / 2, token)
        return token


class Forwarder:
    def __init__(
        self,
        *,
        client: UpstreamClient,
        signer: IdentitySigner,
        max_in_flight: int,
        overload_wait_seconds: float,
    ) -> None:
        self._client = client
        self._signer = signer
        self._slots = asyncio.Semaphore(max_in_flight)
        self._overload_wait = overload_wait_seconds
        self._streams: httpx.AsyncClient | None = None

    async def forward(
        self,
        *,
        upstream: Upstream,
        method: str,
        path: str,
        query: str,
        body: bytes | None,
        identity: Identity,
        incoming_headers: Mapping[str, str],
    ) -> Response:
        url = upstream.base_url.rstrip("/") + path + (f"?{query}" if query else "")
        headers = {
            name: value
            for name in _PASSED_REQUEST_HEADERS
            if (value := incoming_headers.get(name)) is not None
        }
        headers[IDENTITY_HEADER] = self._signer.token_for(identity)
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        # The service's span continues the gateway's server span (no client span of its own:
        # one span fewer per request, and the service's span times the call anyway).
        propagate.inject(headers)
        await self._acquire_slot(upstream)
        try:
            answer = await self._client.send(method, url, headers, body)
        except UpstreamTimeoutError:
            raise self._timeout(upstream) from None
        except UpstreamUnavailableError as error:
            log.warning("upstream %s unavailable: %s", upstream.name, error)
            raise self._unavailable(upstream) from None
        finally:
            self._slots.release()
        if answer.status >= 400 and not _is_json(answer.headers):
            # Not a service's error body (a crash page, a proxy in between): every failure the
            # public API reports must still be the one error body.
            log.warning("upstream %s answered %s without a JSON body", upstream.name, answer.status)
            raise ServiceError(
                "UPSTREAM_INVALID_RESPONSE",
                f"The {upstream.name} service failed without an error body; retry shortly",
                status=502,
                details={"service": upstream.name, "status": answer.status},
            )
        response = Response(content=answer.body, status_code=answer.status)
        for name, value in answer.headers:
            if name.lower() not in _DROPPED_RESPONSE_HEADERS:
                response.headers.append(name, value)
        return response

    async def forward_stream(
        self,
        *,
        upstream: Upstream,
        path: str,
        query: str,
        identity: Identity,
        incoming_headers: Mapping[str, str],
    ) -> Response:
        """A GET whose answer is a stream (server-sent events), passed on as it arrives.

        Not through the buffering client, and holding none of the forwarding slots: a stream
        lives as long as its reader. A service's error answer is not a stream and is passed on
        whole. The read timeout exceeds the services' keep-alive period (15 s), so a stream
        whose service died ends instead of hanging."""
        url = upstream.base_url.rstrip("/") + path + (f"?{query}" if query else "")
        headers = {"accept": incoming_headers.get("accept", "text/event-stream")}
        headers[IDENTITY_HEADER] = self._signer.token_for(identity)
        if (request_id := current_request_id()) is not None:
            headers["X-Request-ID"] = request_id
        propagate.inject(headers)
        if self._streams is None:
            self._streams = httpx.AsyncClient(
                timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False
            )
        try:
            upstream_response = await self._streams.send(
                self._streams.build_request("GET", url, headers=headers), stream=True
            )
        except httpx.TimeoutException:
            raise self._timeout(upstream) from None
        except httpx.TransportError as error:
            log.warning("upstream %s unavailable: %s", upstream.name, error)
            raise self._unavailable(upstream) from None
        passed = [
            (name, value)
            for name, value in upstream_response.headers.multi_items()
            if name.lower() not in _DROPPED_RESPONSE_HEADERS
        ]
        if upstream_response.status_code >= 400 or not any(
            n.lower() == "content-type" and "text/event-stream" in v for n, v in passed
        ):
            body = await upstream_response.aread()
            await upstream_response.aclose()
            response = Response(content=body, status_code=upstream_response.status_code)
            for name, value in passed:
                response.headers.append(name, value)
            return response

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream_response.aiter_raw():
                    yield chunk
            except httpx.HTTPError as error:
                log.warning("upstream %s stream ended: %s", upstream.name, error)
            finally:
                await upstream_response.aclose()

        streamed = StreamingResponse(relay(), status_code=upstream_response.status_code)
        for name, value in passed:
            streamed.headers.append(name, value)
        return streamed

    async def _acquire_slot(self, upstream: Upstream) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self._overload_wait)
        except TimeoutError:
            raise ServiceError(
                "OVERLOADED",
                "The gateway is handling too many requests; retry shortly",
                status=503,
                details={"service": upstream.name},
                headers={"Retry-After": "1"},
            ) from None

    @staticmethod
    def _timeout(upstream: Upstream) -> ServiceError:
        return ServiceError(
            "UPSTREAM_TIMEOUT",
            f"The {upstream.name} service did not answer in time; the request may or may not"
            " have been applied (retry with the same Idempotency-Key)",
            status=504,
            details={"service": upstream.name},
        )

    @staticmethod
    def _unavailable(upstream: Upstream) -> ServiceError:
        return ServiceError(
            "UPSTREAM_UNAVAILABLE",
            f"The {upstream.name} service cannot be reached; retry shortly",
            status=502,
            details={"service": upstream.name},
            headers={"Retry-After": "1"},
        )

    async def close(self) -> None:
        await self._client.close()
        if self._streams is not None:
            await self._streams.aclose()
