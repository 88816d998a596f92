"""``MetrcConnector`` on the real client: one ``MetrcClient`` per license, URL and keys, reused
across calls (its connection pool and retry state), with one rate limiter per vendor key and
Metrc URL (Metrc's limits are per vendor key, and per facility within it). New keys for a
license replace its client; everything is closed at shutdown."""

from __future__ import annotations

import hashlib

import httpx
from opentelemetry.sdk.trace import TracerProvider

from compliance.adapters.metrc import (
    MetrcClient,
    MetrcCredentials,
    MetrcRateLimiter,
    RateLimits,
    RetryPolicy,
)
from compliance.adapters.metrc._core import DEFAULT_TIMEOUT
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc_page_reader import MetrcPageReader, RequestMeter
from compliance.service_layer.mirror_ports import RateBudget
from compliance.service_layer.ports import MetrcAccess

__all__ = ["MetrcClients"]


def _fingerprint(*parts: str) -> str:
    # Keys are never held as dictionary keys in clear (a dict's repr would print them).
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class MetrcClients:
    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._timeout = timeout
        self._retry = retry
        self._tracer = (
            tracer_provider.get_tracer("compliance.adapters.metrc") if tracer_provider else None
        )
        self._clients: dict[str, tuple[str, MetrcClient]] = {}
        self._limiters: dict[str, MetrcRateLimiter] = {}
        self._retired: list[MetrcClient] = []
        self._meter = RequestMeter()
        self._facility_rate = RateLimits().facility_rate

    def connect(self, access: MetrcAccess) -> MetrcPort:
        vendor = access.vendor_key.get_secret_value()
        user = access.user_key.get_secret_value()
        identity = _fingerprint(access.base_url, vendor, user)
        known = self._clients.get(access.license_number)
        if known is not None and known[0] == identity:
            return known[1]
        if known is not None:
            # In-flight calls may still hold the old client: close it at shutdown, not now.
            self._retired.append(known[1])
        limiter = self._limiters.setdefault(
            _fingerprint(access.base_url, vendor), MetrcRateLimiter()
        )
        client = MetrcClient(
            base_url=access.base_url,
            credentials=MetrcCredentials(vendor_key=access.vendor_key, user_key=access.user_key),
            limiter=limiter,
            tracer=self._tracer,
            retry=self._retry,
            timeout=self._timeout or DEFAULT_TIMEOUT,
        )
        self._clients[access.license_number] = (identity, client)
        return client

    def page_reader(self, access: MetrcAccess) -> MetrcPageReader:
        """The pull sync's reader of list pages, on the license's client (and its limiter)."""
        client = self.connect(access)
        assert isinstance(client, MetrcClient)
        return MetrcPageReader(client, self._meter)

    def budget(self, license_number: str) -> RateBudget:
        return self._meter.budget(license_number, self._facility_rate)

    def metered(self) -> list[str]:
        return self._meter.metered()

    async def close(self) -> None:
        clients = [c for _, c in self._clients.values()] + self._retired
        self._clients.clear()
        self._retired.clear()
        for client in clients:
            await client.aclose()
