"""What the API shows: a batch's Metrc link and every write of its package with why it waits,
the ledger, the sync log, the notification feed, and each license's queue health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from compliance.domain import (
    LicenseCredentials,
    Notification,
    PackageLink,
    Readiness,
    Submission,
    SubmissionQuery,
    SubmissionState,
    SyncLogEntry,
    SyncLogQuery,
    readiness,
)
from compliance.domain.plant_batch_links import PlantBatchMetrc, plant_batch_metrc
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.errors import NotFoundError, batch_not_tracked

__all__ = ["BatchCompliance", "LicenseSyncHealth", "Queries", "QueueHealth"]


@dataclass(frozen=True)
class BatchCompliance:
    """A batch's Metrc link and its package's writes, each with why it waits (if it does)."""

    link: PackageLink
    submissions: tuple[tuple[Submission, Readiness | None], ...]

    @property
    def last(self) -> Submission | None:
        return self.submissions[-1][0] if self.submissions else None


@dataclass(frozen=True)
class LicenseSyncHealth:
    queue: QueueHealth
    keys: LicenseCredentials | None
    open_notifications: int


@dataclass(frozen=True)
class QueueHealth:
    license_number: str
    waiting: int
    in_flight: int
    stopped: int
    oldest_waiting_age: timedelta | None


class Queries:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def batch(self, batch_id: UUID) -> BatchCompliance:
        async with self._ctx.uow() as uow:
            link = await uow.links.get(batch_id)
            if link is None:
                raise batch_not_tracked(batch_id)
            subs = await uow.submissions.for_batch(batch_id)
            queue = (
                await uow.submissions.open_for_license(link.license_number)
                if link.license_number
                else []
            )
        waits = readiness(queue, self._ctx.now())
        return BatchCompliance(link, tuple((s, waits.get(s.id)) for s in subs))

    async def plant_batch(self, plant_batch_id: UUID) -> PlantBatchMetrc:
        async with self._ctx.uow() as uow:
            subs = await uow.submissions.for_plant_batch(plant_batch_id)
        found = plant_batch_metrc(plant_batch_id, subs)
        if found is None:
            raise NotFoundError(
                "PLANT_BATCH_NOT_TRACKED",
                f"Compliance has no Metrc write of plant batch {plant_batch_id}",
            )
        return found

    async def ledger(self, query: SubmissionQuery) -> list[Submission]:
        async with self._ctx.uow() as uow:
            return await uow.submissions.search(query)

    async def sync_log(self, query: SyncLogQuery) -> list[SyncLogEntry]:
        async with self._ctx.uow() as uow:
            return await uow.sync_log.query(query)

    async def notifications(
        self, *, license_number: str | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Notification]:
        async with self._ctx.uow() as uow:
            return await uow.notifications.recent(
                license_number=license_number, open_only=open_only, limit=limit
            )

    async def health(self, license_number: str) -> QueueHealth:
        async with self._ctx.uow() as uow:
            queue = await uow.submissions.open_for_license(license_number)
        return self._health(license_number, queue)

    async def sync_health(self) -> list[LicenseSyncHealth]:
        """Every license compliance knows (from its keys or a site's rules): its queue, its
        keys' status and its open notifications."""
        async with self._ctx.uow() as uow:
            keys = {c.license_number: c for c in await uow.credentials.all()}
            licenses = set(keys) | {
                r.license_number for r in await uow.jurisdictions.all() if r.license_number
            }
            found = []
            for license_number in sorted(licenses):
                queue = await uow.submissions.open_for_license(license_number)
                feed = await uow.notifications.recent(
                    license_number=license_number, open_only=True, limit=1000
                )
                found.append(
                    LicenseSyncHealth(
                        queue=self._health(license_number, queue),
                        keys=keys.get(license_number),
                        open_notifications=len(feed),
                    )
                )
        return found

    def _health(self, license_number: str, queue: list[Submission]) -> QueueHealth:
        now: datetime = self._ctx.now()
        waiting = [s for s in queue if s.state is SubmissionState.PENDING]
        oldest = min((s.created_at for s in waiting), default=None)
        return QueueHealth(
            license_number=license_number,
            waiting=len(waiting),
            in_flight=sum(s.state is SubmissionState.IN_FLIGHT for s in queue),
            stopped=sum(
                s.state in (SubmissionState.REJECTED, SubmissionState.FAILED) for s in queue
            ),
            oldest_waiting_age=now - oldest if oldest is not None else None,
        )
