"""Models of the compliance API's pull sync (private; import from ``shared.contracts.compliance``):
requesting a sync, following a run, and a license's sync health."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from shared.contracts.types import ApiModel, UtcDateTime

__all__ = [
    "SyncAlert",
    "SyncHealthView",
    "SyncRequest",
    "SyncRunState",
    "SyncRunTrigger",
    "SyncRunView",
    "SyncStarted",
    "SyncType",
    "SyncTypeHealth",
]


class SyncType(StrEnum):
    PACKAGES = "packages"
    PLANTS = "plants"
    PLANT_BATCHES = "plant_batches"
    HARVESTS = "harvests"
    ITEMS = "items"
    STRAINS = "strains"
    LOCATIONS = "locations"
    TAGS = "tags"
    ADJUSTMENTS = "adjustments"
    TRANSFERS = "transfers"


class SyncRunState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class SyncRunTrigger(StrEnum):
    MANUAL = "MANUAL"
    SCHEDULED = "SCHEDULED"
    AFTER_PUSHES = "AFTER_PUSHES"


class SyncRequest(ApiModel):
    """The guide's "Sync with Metrc": a site and the types to pull."""

    site_id: UUID
    sync_types: list[SyncType] = Field(min_length=1, max_length=len(SyncType))


class SyncRunView(ApiModel):
    id: UUID
    license_number: str
    site_id: UUID | None = None
    sync_types: list[SyncType]
    trigger: SyncRunTrigger
    state: SyncRunState
    requested_by: str
    requested_at: UtcDateTime
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    progress: dict[str, Any] = Field(
        default_factory=dict,
        description="Pages done and known, and records read, in all and per type and list",
    )
    report: dict[str, Any] | None = Field(
        default=None, description="When finished: records and pages per type, and every error"
    )


class SyncStarted(ApiModel):
    """The run now holding the request; ``joined`` when it was already open (one sync per
    license and type runs at a time), and every open run the request joined."""

    run: SyncRunView
    joined: bool
    joined_runs: list[SyncRunView] = Field(default_factory=list)
    events: str = Field(description="Where the run's progress is streamed (server-sent events)")


class SyncTypeHealth(ApiModel):
    sync_type: SyncType
    last_success_at: UtcDateTime | None = Field(
        default=None, description="When the last complete pull of every list of the type began"
    )
    records: int
    last_error_code: str | None = None
    last_failed_at: UtcDateTime | None = None
    last_error_guidance: str | None = Field(
        default=None,
        description="The guide's guidance on the last failure, as the sync log gives it for the code",
    )


class SyncAlert(ApiModel):
    """An open notification of the license's sync, raised once per episode and resolved when
    its cause goes away: the worker's sync watch raises PULL_STALE and BACKLOG_GROWING, its
    manifest rounds TRANSFER_STALLED (one per outgoing transfer that stalled)."""

    notification_id: UUID
    kind: str = Field(description="PULL_STALE, BACKLOG_GROWING or TRANSFER_STALLED")
    title: str
    message: str
    guidance: str
    since: UtcDateTime


class SyncHealthView(ApiModel):
    """One license's sync health: pushes, pulls, Metrc's GET budget and the keys."""

    license_number: str
    as_of: UtcDateTime
    queue_waiting: int
    queue_in_flight: int
    queue_stopped: int
    oldest_waiting_seconds: int | None = None
    push_failures: dict[str, int] = Field(description="Stopped writes by failure class")
    pull_failures: dict[str, int] = Field(description="Failed pulls by failure class, all time")
    types: list[SyncTypeHealth]
    runs_open: int
    oldest_open_run_seconds: int | None = None
    gets_last_minute: int
    gets_allowed_per_minute: int
    rate_limit_budget_used: float = Field(description="getsLastMinute / getsAllowedPerMinute")
    rate_limited_last_minute: int
    key_status: str
    key_expires_at: UtcDateTime | None = None
    key_expires_in_days: int | None = None
    stale_after_seconds: int = Field(
        description="A type whose last complete pull is older is stale (the schedule x factor)"
    )
    stale_types: list[SyncType] = Field(default_factory=list)
    alerts: list[SyncAlert] = Field(default_factory=list)
    problems: list[str] = Field(
        description=(
            "KEY_INVALID, KEY_MISSING, KEY_EXPIRING, PULL_STALE:<type>, RATE_LIMITED, "
            "BACKLOG_GROWING, TRANSFER_STALLED (an outgoing transfer's manifest stalled: its alert "
            "says which)"
        )
    )
