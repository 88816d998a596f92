"""The compliance team's notification feed: failed pushes, invalid or expiring keys, a growing
backlog, stale pulls, quantities that drifted, outgoing transfers that stall. Each may carry a ``dedup_key``: while a notification with the
same key is open (not resolved), raising it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = ["Notification", "NotificationKind", "Severity"]


class NotificationKind(StrEnum):
    PUSH_FAILED = "PUSH_FAILED"
    KEY_INVALID = "KEY_INVALID"
    KEY_EXPIRING = "KEY_EXPIRING"
    BACKLOG_GROWING = "BACKLOG_GROWING"
    QUANTITY_DRIFT = "QUANTITY_DRIFT"
    BATCH_NOT_PUSHED = "BATCH_NOT_PUSHED"
    PULL_STALE = "PULL_STALE"
    TRANSFER_STALLED = "TRANSFER_STALLED"
    """An outgoing transfer's manifest is not moving: it waits for its packages to reach Metrc,
    Metrc has not answered its rounds, or Metrc refused its template (``transfer_stalls``)."""


class Severity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True, kw_only=True)
class Notification:
    id: UUID
    kind: NotificationKind
    severity: Severity
    title: str
    message: str
    guidance: str
    created_at: datetime
    license_number: str | None = None
    site_id: UUID | None = None
    subject: str | None = None
    dedup_key: str | None = None
    resolved_at: datetime | None = None
    emailed_at: datetime | None = None
