"""Errors the service layer raises besides the domain's; same shape (code, message, details),
so the HTTP edge maps them all in one table."""

from __future__ import annotations

from inventory.domain import DomainError

__all__ = [
    "DuplicateError",
    "NotFoundError",
    "PermissionDeniedError",
    "SiteAccessDeniedError",
]


class NotFoundError(DomainError):
    """A referenced site, location, vendor, brand, product, lot or view does not exist (or
    belongs to a site the caller cannot see, which is the same thing to the caller)."""

    code = "NOT_FOUND"

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(
            f"{kind.capitalize()} {identifier} not found", details={"kind": kind, "id": identifier}
        )


class DuplicateError(DomainError):
    code = "DUPLICATE"

    def __init__(self, kind: str, field: str, value: str) -> None:
        super().__init__(
            f"A {kind} with {field} {value!r} exists already",
            details={"kind": kind, "field": field, "value": value},
        )


class SiteAccessDeniedError(DomainError):
    """The caller named a site it is not granted (writes; reads simply see nothing)."""

    code = "SITE_ACCESS_DENIED"

    def __init__(self, site_id: str) -> None:
        super().__init__(f"You have no access to site {site_id}", details={"site_id": site_id})


class PermissionDeniedError(DomainError):
    """The caller may not do this to this object (e.g. delete another user's saved view)."""

    code = "PERMISSION_DENIED"

    def __init__(self, message: str) -> None:
        super().__init__(message)
