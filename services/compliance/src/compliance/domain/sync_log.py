"""The sync log (the guide's ``metrc_sync_log``): one entry per Metrc call compliance made or
refused to make, with type, direction, status, counts, timings, actor, error and guidance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

__all__ = ["Direction", "SyncLogEntry", "SyncLogQuery", "SyncStatus"]


class Direction(StrEnum):
    PUSH = "PUSH"
    PULL = "PULL"
    CHECK = "CHECK"


class SyncStatus(StrEnum):
    SUCCESS = "SUCCESS"
    PARTIAL = "PARTIAL"
    REJECTED = "REJECTED"
    RETRYING = "RETRYING"
    UNKNOWN = "UNKNOWN"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


@dataclass(frozen=True, kw_only=True)
class SyncLogEntry:
    """Attributes:
    operation: what was attempted, e.g. ``packages.create``, ``packages.adjust``,
        ``packages.link``, ``packages.read_back``, ``credentials.validate``, ``plan``.
    objects, accepted, rejected: rows in the request and how they fared.
    http_status: Metrc's status, when it answered.
    error_code, error_message, guidance: the first problem, when there was one.
    """

    id: UUID
    operation: str
    direction: Direction
    status: SyncStatus
    started_at: datetime
    finished_at: datetime
    actor: str
    license_number: str | None = None
    site_id: UUID | None = None
    objects: int = 0
    accepted: int = 0
    rejected: int = 0
    batch_ids: tuple[UUID, ...] = ()
    submission_ids: tuple[UUID, ...] = ()
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    guidance: str | None = None

    @property
    def duration(self) -> timedelta:
        return self.finished_at - self.started_at


@dataclass(frozen=True, kw_only=True)
class SyncLogQuery:
    """Filters of the log: every given one must match; newest first."""

    license_number: str | None = None
    site_id: UUID | None = None
    status: SyncStatus | None = None
    operation: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    before: tuple[datetime, UUID] | None = None
    """Keyset paging: only entries older than this ``(started_at, id)`` (the last one of the
    page before), in the order ``started_at`` then ``id``, both descending."""
