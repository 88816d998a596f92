"""Errors the reporting handlers raise, each with a stable code (the HTTP layer maps codes to
statuses: BATCH_NOT_FOUND 404, SITE_ACCESS_DENIED 403, VALIDATION_ERROR 422)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from reporting.domain import InconsistentEventError, ReportingDomainError

if TYPE_CHECKING:  # commands import these errors
    from reporting.service_layer.commands import Position

__all__ = ["BatchNotFoundError", "SiteAccessDeniedError", "UnprojectableEventError"]


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


class UnprojectableEventError(InconsistentEventError):
    """One message of a batch cannot be projected: which one, so that the consumer can
    dead-letter it and apply the others (nothing of the batch was written)."""

    def __init__(self, event_id: UUID, position: Position, reason: str) -> None:
        super().__init__(f"event {event_id} at {position}: {reason}")
        self.event_id = event_id
        self.position = position
