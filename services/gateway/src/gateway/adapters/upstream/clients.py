"""The HTTP clients the gateway can forward with, behind one small interface.

INFRA.md (section 10) measured httpx's default transport collapsing under 64 concurrent clients
behind a FastAPI proxy; ``make bench-gateway`` measures the three options again on this code and
the default is the fastest (see the README's benchmark numbers). The others stay selectable with
``GATEWAY_UPSTREAM_CLIENT`` so the measurement can be repeated.

Every client raises only :class:`UpstreamUnavailableError` (could not connect, connection lost)
or :class:`UpstreamTimeoutError` (no complete answer in time), so the forwarder maps failures the
same way whichever client is in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = [
    "ClientKind",
    "ClientLimits",
    "UpstreamClient",
    "UpstreamResponse",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
    "make_client",
]


class ClientKind(StrEnum):
    AIOHTTP = "aiohttp"
    HTTPX_AIOHTTP = "httpx-aiohttp"
    HTTPX = "httpx"


class UpstreamUnavailableError(Exception):
    """The service could not be reached, or dropped the connection before answering."""


class UpstreamTimeoutError(Exception):
    """The service did not answer completely within the gateway's timeout."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class ClientLimits:
    max_connections: int
    timeout_seconds: float
    connect_timeout_seconds: float
    # Below uvicorn's 5 s keep-alive, so the client drops an idle connection before the server
    # does; otherwise a request can go out on a socket the server is closing at that moment.
    keepalive_seconds: float = 4.0


class UpstreamClient(Protocol):
    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> UpstreamResponse: ...

    async def close(self) -> None: ...


class AiohttpClient:
    def __init__(self, limits: ClientLimits) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop that will serve requests.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._limits.max_connections,
                    keepalive_timeout=self._limits.keepalive_seconds,
                ),
                timeout=aiohttp.ClientTimeout(
                    total=self._limits.timeout_seconds,
                    sock_connect=self._limits.connect_timeout_seconds,
                ),
                auto_decompress=False,
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> UpstreamResponse:
        try:
            async with self._client().request(
                method, url, headers=dict(headers), data=body, allow_redirects=False
            ) as response:
                payload = await response.read()
                return UpstreamResponse(
                    status=response.status,
                    headers=[
                        (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers
                    ],
                    body=payload,
                )
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            if isinstance(error, aiohttp.ConnectionTimeoutError):
                raise UpstreamUnavailableError(f"connect timeout: {error}") from None
            raise UpstreamTimeoutError(str(error) or "timed out") from None
        except aiohttp.ClientError as error:
            raise UpstreamUnavailableError(f"{type(error).__name__}: {error}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxClient:
    def __init__(self, limits: ClientLimits, *, aiohttp_transport: bool) -> None:
        pool = httpx.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_connections,
            keepalive_expiry=limits.keepalive_seconds,
        )
        transport: httpx.AsyncBaseTransport = (
            AiohttpTransport(limits=pool)
            if aiohttp_transport
            else httpx.AsyncHTTPTransport(limits=pool)
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                limits.timeout_seconds, connect=limits.connect_timeout_seconds, pool=None
            ),
            follow_redirects=False,
        )

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> UpstreamResponse:
        try:
            response = await self._client.request(method, url, headers=headers, content=body)
        except httpx.ConnectTimeout as error:
            raise UpstreamUnavailableError(f"connect timeout: {error}") from None
        except (TimeoutError, httpx.TimeoutException) as error:
            raise UpstreamTimeoutError(str(error) or "timed out") from None
        except httpx.TransportError as error:
            raise UpstreamUnavailableError(f"{type(error).__name__}: {error}") from None
        return UpstreamResponse(
            status=response.status_code,
            headers=list(response.headers.multi_items()),
            body=response.content,
        )

    async def close(self) -> None:
        await self._client.aclose()


def make_client(kind: ClientKind, limits: ClientLimits) -> UpstreamClient:
    match kind:
        case ClientKind.AIOHTTP:
            return AiohttpClient(limits)
        case ClientKind.HTTPX_AIOHTTP:
            return HttpxClient(limits, aiohttp_transport=True)
        case ClientKind.HTTPX:
            return HttpxClient(limits, aiohttp_transport=False)
