"""OpenAPI documentation of the error answers every route may give (all in the one error body)."""

from __future__ import annotations

from typing import Any

from shared.errors import ErrorBody

__all__ = ["AUTHENTICATED", "ERRORS", "PUBLIC", "documented"]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Every route: the gateway's own limits and the catch-all for a service's error codes.
PUBLIC: dict[int | str, dict[str, Any]] = {
    413: _error("REQUEST_TOO_LARGE: the body exceeds the gateway's limit"),
    422: _error("VALIDATION_ERROR: the request does not match the schema"),
    "default": _error("Any other error, with a stable code (e.g. a service's NEGATIVE_INVENTORY)"),
}
AUTHENTICATED: dict[int | str, dict[str, Any]] = {
    401: _error("UNAUTHENTICATED: no, expired or revoked credentials"),
    403: _error("PERMISSION_DENIED or SITE_ACCESS_DENIED"),
    **PUBLIC,
}
# Forwarded routes: also what the gateway answers when the service behind it is in trouble.
ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTHENTICATED,
    502: _error(
        "UPSTREAM_UNAVAILABLE: the owning service cannot be reached, or"
        " UPSTREAM_INVALID_RESPONSE: it failed without an error body"
    ),
    503: _error("OVERLOADED: the gateway is at capacity (Retry-After says when to retry)"),
    504: _error("UPSTREAM_TIMEOUT: the owning service did not answer in time"),
}


def documented(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """A route-specific error answer, e.g. ``documented(404, "USER_NOT_FOUND")``."""
    return {status: _error(description)}
