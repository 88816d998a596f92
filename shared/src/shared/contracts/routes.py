"""What every service's HTTP contract declares the same way: its routes and the retry header.

A contract's ``ROUTES`` table lists each internal route with the permission it needs; the
service registers exactly those routes (``shared.http.ContractRoutes``) and the gateway exposes
them, checking the same permission before forwarding.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple

__all__ = ["IDEMPOTENCY_KEY_HEADER", "EverySite", "Route"]

IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
"""Writes that a client may retry take it: a replay with the same key and request returns the
first answer and changes nothing; the same key with another request is refused."""


class EverySite(StrEnum):
    """When a route is license-wide: only a caller granted every site (``*``) may call it."""

    ALWAYS = "always"
    WITHOUT_SITE_ID = "without siteId"
    """Unless the query names a ``siteId``: then the caller needs only that site."""


class Route(NamedTuple):
    """One internal route: the gateway maps ``/api/v1/...`` onto ``path`` and checks
    ``permission`` before forwarding (the service checks it again).

    ``every_site`` says the route is license-wide: the service refuses it (SITE_ACCESS_DENIED)
    to a caller not granted every site, and the gateway's OpenAPI document states it
    (``x-needs-every-site``), so the web application never offers it to such a caller.
    """

    method: str
    path: str
    permission: str
    summary: str
    every_site: EverySite | None = None
