"""What the pull sync needs from the world: a reader of Metrc's list pages and the mirror's store.

* :class:`PageReader`: one page of one Metrc list for a license (the client's limiter paces it;
  429 and 5xx it could not get past surface as ``MetrcTransientError``).
* :class:`MirrorStore`: the mirror, the checkpoints and the pull state. ``store_page`` commits a
  page's records **and** the page's number in the feed's checkpoint in one transaction, so after
  a crash a page is either stored and marked or neither: a resumed pull reads no page twice into
  the mirror and misses none.
* :class:`SyncRuns`: the sync runs users and the schedule request, their progress and reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from compliance.domain.mirror import Feed, FeedCursor, MirrorRecord, PullWindow, SyncType
from compliance.service_layer.ports import MetrcAccess

__all__ = [
    "MirrorStore",
    "PageReader",
    "PageReaderConnector",
    "RateBudget",
    "RunState",
    "RunTrigger",
    "SourcePage",
    "SyncRun",
    "SyncRuns",
]


@dataclass(frozen=True)
class SourcePage:
    """One page as Metrc numbered it; ``records`` are the raw JSON objects."""

    records: Sequence[Mapping[str, Any]]
    page_number: int
    total_pages: int
    total_records: int


@dataclass(frozen=True)
class RateBudget:
    """The GETs a license used in the last minute against what Metrc allows in one."""

    used_last_minute: int
    allowed_per_minute: int
    rate_limited_last_minute: int
    in_flight: int

    @property
    def fraction(self) -> float:
        return self.used_last_minute / self.allowed_per_minute if self.allowed_per_minute else 0.0


class PageReader(Protocol):
    @property
    def concurrency(self) -> int:
        """How many page requests a feed keeps queued at the limiter (a freed slot is reused
        at once when a second rank waits)."""
        ...

    async def read_page(
        self, feed: Feed, license_number: str, page_number: int, window: PullWindow | None
    ) -> SourcePage: ...


class PageReaderConnector(Protocol):
    def page_reader(self, access: MetrcAccess) -> PageReader: ...

    def budget(self, license_number: str) -> RateBudget:
        """This process's GETs for the license over the last minute."""

    def metered(self) -> list[str]:
        """Licenses this process has sent GETs for."""


class MirrorStore(Protocol):
    async def checkpoint(self, license_number: str, feed: Feed) -> FeedCursor | None: ...

    async def save_cursor(self, cursor: FeedCursor) -> None:
        """Create or replace the feed's checkpoint."""

    async def store_page(
        self, cursor: FeedCursor, page_number: int, records: Sequence[MirrorRecord], at: datetime
    ) -> None:
        """Upsert the records (the copy Metrc modified last wins) and add ``page_number`` to the
        checkpoint's pages, in one transaction."""

    async def finish_feed(self, cursor: FeedCursor, at: datetime) -> None:
        """The feed's pull is complete: drop its checkpoint, record ``cursor.as_of`` as its last
        successful pull, and, for lists replaced whole, remove what this pull did not return."""

    async def record_failure(
        self, license_number: str, feed: Feed, code: str, message: str, at: datetime
    ) -> None:
        """Count a failure of the feed's pull by class (``code``), keeping its checkpoint."""

    async def last_success(self, license_number: str) -> dict[Feed, datetime]: ...

    async def pull_state(self, license_number: str) -> list[Mapping[str, Any]]:
        """Per feed: last success, last failure and its error, failures by class."""

    async def counts(self, license_number: str) -> dict[tuple[SyncType, str], int]:
        """Mirror records per sync type and status."""

    async def records(
        self, license_number: str, sync_type: SyncType, *, status: str | None = None
    ) -> list[MirrorRecord]: ...

    async def save_budget(self, license_number: str, budget: RateBudget, at: datetime) -> None:
        """What the worker measured (the API process sends no GETs of its own to measure)."""

    async def budget(self, license_number: str) -> tuple[RateBudget, datetime] | None: ...


class RunTrigger(StrEnum):
    MANUAL = "MANUAL"
    SCHEDULED = "SCHEDULED"
    AFTER_PUSHES = "AFTER_PUSHES"


class RunState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def open(self) -> bool:
        return self in (RunState.QUEUED, RunState.RUNNING)


@dataclass(frozen=True)
class SyncRun:
    id: UUID
    license_number: str
    site_id: UUID | None
    sync_types: tuple[SyncType, ...]
    trigger: RunTrigger
    state: RunState
    requested_by: str
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    progress: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] | None = None


class SyncRuns(Protocol):
    async def request(self, run: SyncRun) -> tuple[SyncRun, list[SyncRun]]:
        """Queue ``run`` for the sync types no open run of its license covers, under the
        license's lock. Returns the run now holding the request (a new one, or the open run that
        covers every type: the request joins it) and every open run it joined."""

    async def get(self, run_id: UUID) -> SyncRun | None: ...

    async def claim(
        self, at: datetime, *, stale_before: datetime, exclude: Sequence[UUID] = ()
    ) -> SyncRun | None:
        """The oldest queued run (or a running one whose worker stopped beating before
        ``stale_before``), not among ``exclude``, marked RUNNING at ``at``."""

    async def heartbeat(self, run_id: UUID, progress: Mapping[str, Any], at: datetime) -> None: ...

    async def finish(
        self, run_id: UUID, state: RunState, report: Mapping[str, Any], at: datetime
    ) -> None: ...

    async def recent(self, license_number: str, limit: int) -> list[SyncRun]: ...

    async def open_count(self, license_number: str) -> int: ...

    async def oldest_open(self, license_number: str) -> datetime | None: ...
