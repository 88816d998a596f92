"""Errors the reporting handlers raise, each with a stable code (the HTTP layer maps codes to
statuses: BATCH_NOT_FOUND 404, SITE_ACCESS_DENIED 403, VALIDATION_ERROR 422)."""

from __future__ import annotations

from uuid import UUID

from reporting.domain import ReportingDomainError

__all__ = ["BatchNotFoundError", "SiteAccessDeniedError"]


class BatchNotFoundError(ReportingDomainError):
    """No such batch in the read model, or one of a site the caller cannot see (the same
    answer, as inventory gives, so ids of other sites' batches cannot be probed)."""

    code = "BATCH_NOT_FOUND"

    def __init__(self, batch_id: UUID) -> None:
        super().__init__(f"Batch {batch_id} not found")
        self.batch_id = batch_id


class SiteAccessDeniedError(ReportingDomainError):
    code = "SITE_ACCESS_DENIED"

    def __init__(self, site_ids: list[UUID]) -> None:
        super().__init__("Not granted: " + ", ".join(str(s) for s in site_ids))
        self.site_ids = site_ids
