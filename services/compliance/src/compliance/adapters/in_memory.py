"""In-memory unit of work: the reference implementation of the service layer's ports.

It behaves as the PostgreSQL adapters must: a unit of work sees its own writes, publishes them
(records, events, log entries, notifications) only on ``commit()`` and drops them otherwise;
concurrent units of work each apply only what *they* changed, key by key (two request outcomes
recorded at once never overwrite each other); ``lock_license`` is held until the unit of work
ends; a link's tag is unique per license; the sequence is never rolled back. The service-layer
tests run on it, and the PostgreSQL adapters' tests should run the same scenarios.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar
from uuid import UUID

from compliance.domain import (
    CREATES_PLANT_BATCH,
    ComplianceEvent,
    IngredientDraw,
    JurisdictionRules,
    LicenseCredentials,
    ManifestSettlement,
    Notification,
    PackageLink,
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogEntry,
    SyncLogQuery,
)
from compliance.domain.cultivation_intents import PlantBatchSplitOff
from compliance.service_layer.open_queue import OpenQueueCache
from compliance.service_layer.ports import SubmissionCount, TagTakenError

__all__ = ["InMemoryDatabase", "InMemoryUnitOfWork", "TagTakenError"]

K = TypeVar("K")
V = TypeVar("V")


class _Table(Generic[K, V]):
    """A committed dict and a unit of work's changes on top of it."""

    def __init__(self, base: dict[K, V]) -> None:
        self.base = base
        self.changes: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self.changes[key] if key in self.changes else self.base.get(key)

    def put(self, key: K, value: V) -> None:
        self.changes[key] = value

    def values(self) -> Iterator[V]:
        for key, value in self.base.items():
            if key not in self.changes:
                yield value
        yield from self.changes.values()

    def commit(self) -> None:
        self.base.update(self.changes)


class InMemoryDatabase:
    """The committed state; ``uow`` is the ``UnitOfWorkFactory``."""

    def __init__(self) -> None:
        self.rules: dict[UUID, JurisdictionRules] = {}
        self.credentials: dict[str, LicenseCredentials] = {}
        self.links: dict[UUID, PackageLink] = {}
        self.submissions: dict[UUID, Submission] = {}
        self.notifications: dict[UUID, Notification] = {}
        self.sync_log: list[SyncLogEntry] = []
        self.events: list[ComplianceEvent] = []
        self.expected_movements: dict[UUID, dict[UUID, Decimal]] = {}
        """Per approved reconciliation finding: the local movement it expects per batch."""
        self.settled_sales: dict[UUID, dict[UUID, ManifestSettlement]] = {}
        """Per settled transfer manifest: how each shipped batch's sale settled."""
        self.commits = 0
        self._sequence = 0
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def lock(self, license_number: str) -> asyncio.Lock:
        return self._locks[license_number]


class _Jurisdictions:
    def __init__(self, table: _Table[UUID, JurisdictionRules]) -> None:
        self._t = table

    async def get(self, site_id: UUID) -> JurisdictionRules | None:
        return self._t.get(site_id)

    async def save(self, rules: JurisdictionRules) -> None:
        self._t.put(rules.site_id, rules)

    async def for_license(self, license_number: str) -> list[JurisdictionRules]:
        return [r for r in self._t.values() if r.license_number == license_number]

    async def all(self) -> list[JurisdictionRules]:
        return list(self._t.values())


class _Credentials:
    def __init__(self, table: _Table[str, LicenseCredentials]) -> None:
        self._t = table

    async def get(self, license_number: str) -> LicenseCredentials | None:
        return self._t.get(license_number)

    async def save(self, credentials: LicenseCredentials) -> None:
        self._t.put(credentials.license_number, credentials)

    async def all(self) -> list[LicenseCredentials]:
        return sorted(self._t.values(), key=lambda c: c.license_number)


class _Links:
    def __init__(self, table: _Table[UUID, PackageLink]) -> None:
        self._t = table

    async def lock(self, batch_ids: Collection[UUID]) -> None:
        """Nothing to do: a unit of work here runs without another one interleaving."""

    async def get(self, batch_id: UUID) -> PackageLink | None:
        return self._t.get(batch_id)

    async def get_many(self, batch_ids: Collection[UUID]) -> dict[UUID, PackageLink]:
        found = {b: self._t.get(b) for b in batch_ids}
        return {b: link for b, link in found.items() if link is not None}

    async def save(self, link: PackageLink) -> None:
        if link.tag is not None and link.license_number is not None:
            owner = await self.owner_of_tag(link.license_number, link.tag)
            if owner is not None and owner != link.batch_id:
                raise TagTakenError(f"tag {link.tag} is held by batch {owner}")
        self._t.put(link.batch_id, link)

    async def save_many(self, links: Sequence[PackageLink]) -> None:
        for link in links:
            await self.save(link)

    async def owners_of_tags(self, license_number: str, tags: Collection[str]) -> dict[str, UUID]:
        wanted = set(tags)
        return {
            link.tag: link.batch_id
            for link in self._t.values()
            if link.license_number == license_number and link.tag in wanted
        }

    async def owner_of_tag(self, license_number: str, tag: str) -> UUID | None:
        for link in self._t.values():
            if link.license_number == license_number and link.tag == tag:
                return link.batch_id
        return None

    async def tags_in_use(self, license_number: str, tags: Collection[str]) -> set[str]:
        wanted = set(tags)
        return {
            link.tag
            for link in self._t.values()
            if link.license_number == license_number and link.tag in wanted
        }


class _Submissions:
    def __init__(self, table: _Table[UUID, Submission], sequence: Callable[[], int]) -> None:
        self._t = table
        self._sequence = sequence

    async def next_sequence(self) -> int:
        return self._sequence()

    async def add(self, submission: Submission) -> None:
        if self._t.get(submission.id) is not None:
            raise ValueError(f"submission {submission.id} exists")
        self._t.put(submission.id, submission)

    async def save(self, submission: Submission) -> None:
        if self._t.get(submission.id) is None:
            raise KeyError(f"no submission {submission.id}")
        self._t.put(submission.id, submission)

    async def save_many(self, submissions: Sequence[Submission]) -> None:
        for submission in submissions:
            await self.save(submission)

    async def get(self, submission_id: UUID) -> Submission | None:
        return self._t.get(submission_id)

    async def get_many(self, submission_ids: Collection[UUID]) -> list[Submission]:
        found = [self._t.get(i) for i in submission_ids]
        return sorted((s for s in found if s is not None), key=lambda s: s.sequence)

    def _where(self, keep: Callable[[Submission], bool]) -> list[Submission]:
        return sorted((s for s in self._t.values() if keep(s)), key=lambda s: s.sequence)

    async def open_for_license(
        self, license_number: str, *, cache: OpenQueueCache | None = None
    ) -> list[Submission]:
        # Reading the dict is as cheap as the cache; the cache is the database's concern.
        return self._where(lambda s: s.license_number == license_number and not s.is_done)

    async def licenses_with_due(self, now: datetime) -> list[str]:
        due = self._where(
            lambda s: (
                s.state is SubmissionState.PENDING and s.is_attempted and s.next_attempt_at <= now
            )
        )
        return sorted({s.license_number for s in due})

    async def in_flight(self, *, sent_before: datetime) -> list[Submission]:
        return self._where(
            lambda s: (
                s.state is SubmissionState.IN_FLIGHT
                and s.sent_at is not None
                and s.sent_at <= sent_before
            )
        )

    async def for_batch(self, batch_id: UUID) -> list[Submission]:
        return self._where(lambda s: s.batch_id == batch_id)

    async def draws_into(self, batch_id: UUID) -> list[Submission]:
        return self._where(
            lambda s: isinstance(s.intent, IngredientDraw) and s.intent.into_batch_id == batch_id
        )

    async def for_plant_batch(self, plant_batch_id: UUID) -> list[Submission]:
        return self._where(
            lambda s: (
                s.batch_id == plant_batch_id
                or (
                    isinstance(s.intent, PlantBatchSplitOff)
                    and s.intent.new_plant_batch_id == plant_batch_id
                )
            )
        )

    async def plant_batches_in_metrc(self, plant_batch_ids: Collection[UUID]) -> set[UUID]:
        wanted = set(plant_batch_ids)
        found: set[UUID] = set()
        for s in self._t.values():
            if s.kind not in CREATES_PLANT_BATCH or not s.is_done:
                continue
            made = (
                s.intent.new_plant_batch_id
                if isinstance(s.intent, PlantBatchSplitOff)
                else s.batch_id
            )
            if made in wanted:
                found.add(made)
        return found

    async def stopped(self, license_number: str) -> list[Submission]:
        return self._where(
            lambda s: (
                s.license_number == license_number
                and s.state in (SubmissionState.REJECTED, SubmissionState.FAILED)
                and s.dismissed_at is None
            )
        )

    async def search(self, query: SubmissionQuery) -> list[Submission]:
        return self._where(query.matches)[::-1][: query.limit]

    async def counts(self) -> list[SubmissionCount]:
        groups: dict[tuple[str, SubmissionKind, SubmissionState], list[Submission]] = {}
        for s in self._t.values():
            groups.setdefault((s.license_number, s.kind, s.state), []).append(s)
        return [
            SubmissionCount(
                license_number=license_number,
                kind=kind,
                state=state,
                count=len(subs),
                oldest_created_at=min(s.created_at for s in subs),
            )
            for (license_number, kind, state), subs in sorted(groups.items())
        ]

    async def count_by_state(self) -> dict[tuple[str, SubmissionState], int]:
        counts: dict[tuple[str, SubmissionState], int] = defaultdict(int)
        for s in self._t.values():
            counts[(s.license_number, s.state)] += 1
        return dict(counts)


class _SyncLog:
    def __init__(self, base: list[SyncLogEntry]) -> None:
        self._base = base
        self.added: list[SyncLogEntry] = []

    async def add(self, entry: SyncLogEntry) -> None:
        self.added.append(entry)

    async def query(self, query: SyncLogQuery) -> list[SyncLogEntry]:
        def keep(e: SyncLogEntry) -> bool:
            return (
                (query.license_number is None or e.license_number == query.license_number)
                and (query.site_id is None or e.site_id == query.site_id)
                and (query.status is None or e.status is query.status)
                and (query.operation is None or e.operation == query.operation)
                and (query.since is None or e.started_at >= query.since)
                and (query.until is None or e.started_at < query.until)
                and (query.before is None or (e.started_at, e.id) < query.before)
            )

        entries = [e for e in [*self._base, *self.added] if keep(e)]
        entries.sort(key=lambda e: (e.started_at, e.id), reverse=True)
        return entries[: query.limit]


class _Notifications:
    def __init__(self, table: _Table[UUID, Notification]) -> None:
        self._t = table

    async def raise_(self, notification: Notification) -> bool:
        key = notification.dedup_key
        if key is not None and any(
            n.dedup_key == key and n.resolved_at is None for n in self._t.values()
        ):
            return False
        self._t.put(notification.id, notification)
        return True

    async def resolve(self, dedup_key: str, at: datetime) -> None:
        for n in list(self._t.values()):
            if n.dedup_key == dedup_key and n.resolved_at is None:
                self._t.put(n.id, replace(n, resolved_at=at))

    async def recent(
        self, *, license_number: str | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Notification]:
        found = [
            n
            for n in self._t.values()
            if (license_number is None or n.license_number == license_number)
            and (not open_only or n.resolved_at is None)
        ]
        return sorted(found, key=lambda n: n.created_at, reverse=True)[:limit]

    async def undelivered(self, limit: int) -> list[Notification]:
        found = [n for n in self._t.values() if n.emailed_at is None]
        return sorted(found, key=lambda n: n.created_at)[:limit]

    async def mark_emailed(self, notification_id: UUID, at: datetime) -> None:
        n = self._t.get(notification_id)
        if n is not None:
            self._t.put(n.id, replace(n, emailed_at=at))


class _Outbox:
    def __init__(self) -> None:
        self.added: list[ComplianceEvent] = []

    async def add(self, event: ComplianceEvent) -> None:
        self.added.append(event)


class _Movements:
    def __init__(self, expected: dict[UUID, dict[UUID, Decimal]]) -> None:
        self._expected = expected

    async def expected(self, batch_id: UUID, finding_ids: Collection[UUID]) -> dict[UUID, Decimal]:
        return {
            fid: self._expected[fid][batch_id]
            for fid in finding_ids
            if batch_id in self._expected.get(fid, {})
        }


class _SettledSales:
    def __init__(self, settled: dict[UUID, dict[UUID, ManifestSettlement]]) -> None:
        self._settled = settled

    async def sales_of(self, transfer_id: UUID) -> dict[UUID, ManifestSettlement]:
        return dict(self._settled.get(transfer_id, {}))


class InMemoryUnitOfWork:
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self._rules = _Table(db.rules)
        self._credentials = _Table(db.credentials)
        self._links = _Table(db.links)
        self._submissions = _Table(db.submissions)
        self._notifications = _Table(db.notifications)
        self.jurisdictions = _Jurisdictions(self._rules)
        self.credentials = _Credentials(self._credentials)
        self.links = _Links(self._links)
        self.submissions = _Submissions(self._submissions, db.next_sequence)
        self.sync_log = _SyncLog(db.sync_log)
        self.notifications = _Notifications(self._notifications)
        self.outbox = _Outbox()
        self.movements = _Movements(db.expected_movements)
        self.transfer_manifests = _SettledSales(db.settled_sales)
        self._held: list[asyncio.Lock] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._discard()
        for lock in self._held:
            lock.release()
        self._held.clear()

    async def commit(self) -> None:
        for table in (
            self._rules,
            self._credentials,
            self._links,
            self._submissions,
            self._notifications,
        ):
            table.commit()
        self._db.sync_log.extend(self.sync_log.added)
        self._db.events.extend(self.outbox.added)
        self._db.commits += 1
        self._discard()

    async def lock_license(self, license_number: str) -> None:
        lock = self._db.lock(license_number)
        if lock in self._held:
            return
        await lock.acquire()
        self._held.append(lock)

    def _discard(self) -> None:
        for table in (
            self._rules,
            self._credentials,
            self._links,
            self._submissions,
            self._notifications,
        ):
            table.changes.clear()
        self.sync_log.added.clear()
        self.outbox.added.clear()


if TYPE_CHECKING:
    from compliance.service_layer.ports import UnitOfWorkFactory

    # mypy proves the reference implementation satisfies the port.
    def _conforms(db: InMemoryDatabase) -> UnitOfWorkFactory:
        return db.uow
