"""The gateway's own error codes, in the one error body every Canopy API answers with.

Errors of the services behind the gateway are passed through unchanged; these are the failures
that the gateway itself detects (credentials, permissions, limits, upstream trouble).
"""

from __future__ import annotations

from shared.errors import ServiceError

__all__ = [
    "forbidden",
    "invalid_credentials",
    "site_forbidden",
    "too_many_attempts",
    "unauthenticated",
]


def unauthenticated(message: str = "Authentication is required") -> ServiceError:
    return ServiceError(
        "UNAUTHENTICATED", message, status=401, headers={"WWW-Authenticate": "Bearer"}
    )


def invalid_credentials() -> ServiceError:
    return ServiceError("INVALID_CREDENTIALS", "The email or password is not correct", status=401)


def too_many_attempts(retry_after_seconds: int, scope: str) -> ServiceError:
    return ServiceError(
        "TOO_MANY_LOGIN_ATTEMPTS",
        f"Too many failed login attempts; try again in {retry_after_seconds} seconds",
        status=429,
        details={"retry_after_seconds": retry_after_seconds, "scope": scope},
        headers={"Retry-After": str(retry_after_seconds)},
    )


def forbidden(permission: str) -> ServiceError:
    return ServiceError(
        "PERMISSION_DENIED",
        f"Permission denied: {permission} is required",
        status=403,
        details={"permission": permission},
    )


def site_forbidden(site_id: str) -> ServiceError:
    return ServiceError(
        "SITE_ACCESS_DENIED",
        "You have not been granted access to this site",
        status=403,
        details={"site_id": site_id},
    )
