"""What every service's HTTP contract declares the same way: its routes and the retry header.

A contract's ``ROUTES`` table lists each internal route with the permission it needs; the
service registers exactly those routes (``shared.http.ContractRoutes``) and the gateway exposes
them, checking the same permission before forwarding.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["IDEMPOTENCY_KEY_HEADER", "Route"]

IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
"""Writes that a client may retry take it: a replay with the same key and request returns the
first answer and changes nothing; the same key with another request is refused."""


class Route(NamedTuple):
    """One internal route: the gateway maps ``/api/v1/...`` onto ``path`` and checks
    ``permission`` before forwarding (the service checks it again)."""

    method: str
    path: str
    permission: str
    summary: str
