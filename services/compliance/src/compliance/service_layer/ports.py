"""What the service layer needs from the world, as protocols; adapters implement them.

* :class:`UnitOfWork`: one database transaction and the repositories inside it. Nothing is
  written unless ``commit()`` is called; leaving the ``async with`` block otherwise rolls back.
  A consumer of inventory's events opens one per message (the inbox row goes in the same
  transaction) and calls :func:`record_batch_change` inside it.
* :class:`MetrcConnector`: a ``MetrcPort`` for a license's URL and keys.
* :class:`SecretCipher`: seals and opens API keys (authenticated encryption, rotating keys).
* :class:`Clock`: the wall clock (aware UTC); :class:`Jitter` the randomness of backoff.
* :class:`Mailer`: delivers a notification by email.

Repositories return the domain's frozen records and store them whole (``save``); none of them
commits. The in-memory implementation (``compliance.adapters.in_memory``) is the reference the
PostgreSQL adapters must match.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from pydantic import SecretStr

from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import (
    ComplianceEvent,
    JurisdictionRules,
    LicenseCredentials,
    ManifestSettlement,
    Notification,
    PackageLink,
    SealedSecret,
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogEntry,
    SyncLogQuery,
)
from compliance.service_layer.open_queue import OpenQueueCache

__all__ = [
    "Clock",
    "CredentialRepository",
    "EventOutbox",
    "ExpectedMovements",
    "Jitter",
    "JurisdictionRepository",
    "LinkRepository",
    "MailDeliveryError",
    "Mailer",
    "MetrcAccess",
    "MetrcConnector",
    "NoPushTelemetry",
    "NotificationRepository",
    "PushTelemetry",
    "SecretCipher",
    "SecretUnreadableError",
    "SettledSales",
    "SubmissionCount",
    "SubmissionRepository",
    "SyncLogRepository",
    "TagTakenError",
    "UnitOfWork",
    "UnitOfWorkFactory",
]


class JurisdictionRepository(Protocol):
    async def get(self, site_id: UUID) -> JurisdictionRules | None: ...

    async def save(self, rules: JurisdictionRules) -> None: ...

    async def for_license(self, license_number: str) -> list[JurisdictionRules]: ...

    async def all(self) -> list[JurisdictionRules]: ...


class CredentialRepository(Protocol):
    async def get(self, license_number: str) -> LicenseCredentials | None: ...

    async def save(self, credentials: LicenseCredentials) -> None: ...

    async def all(self) -> list[LicenseCredentials]: ...


class TagTakenError(Exception):
    """Two links of one license would hold the same tag (tags are unique per license)."""


class LinkRepository(Protocol):
    async def lock(self, batch_ids: Collection[UUID]) -> None:
        """Hold these batches' links until the unit of work ends (in batch id order). A plan
        (the consumer) and a push's outcome or claim (the worker) each read a link and save it
        whole: locked first, the later one reads the earlier one's result instead of saving
        over it (a create accepted while the batch's next change is planned stays LINKED)."""
        ...

    async def get(self, batch_id: UUID) -> PackageLink | None: ...

    async def get_many(self, batch_ids: Collection[UUID]) -> dict[UUID, PackageLink]: ...

    async def save(self, link: PackageLink) -> None:
        """Raises:
        TagTakenError: another batch's link of the license holds ``link.tag``."""
        ...

    async def save_many(self, links: Sequence[PackageLink]) -> None:
        """Save each of ``links`` (the last one given per batch), in one statement.

        Raises:
            TagTakenError: one of them would hold a tag another batch's link holds (the unit
                of work must then be abandoned: the others may be written)."""
        ...

    async def owner_of_tag(self, license_number: str, tag: str) -> UUID | None:
        """The batch whose link holds ``tag`` in this license, if any (tags are unique per
        license: the PostgreSQL adapter enforces it with a unique index)."""
        ...

    async def owners_of_tags(self, license_number: str, tags: Collection[str]) -> dict[str, UUID]:
        """The batch whose link holds each of ``tags`` in this license (held tags only)."""
        ...

    async def tags_in_use(self, license_number: str, tags: Collection[str]) -> set[str]:
        """Which of ``tags`` a link of this license already holds."""
        ...


class SubmissionRepository(Protocol):
    async def next_sequence(self) -> int:
        """A number larger than any handed out before (a database sequence)."""
        ...

    async def add(self, submission: Submission) -> None: ...

    async def save(self, submission: Submission) -> None: ...

    async def save_many(self, submissions: Sequence[Submission]) -> None:
        """``save`` each (the last one given per id), in one statement."""
        ...

    async def get(self, submission_id: UUID) -> Submission | None: ...

    async def get_many(self, submission_ids: Collection[UUID]) -> list[Submission]: ...

    async def open_for_license(
        self, license_number: str, *, cache: OpenQueueCache | None = None
    ) -> list[Submission]:
        """Every submission of the license that is not done (not accepted, and not a dismissed
        rejection or failure), in sequence order: the queue ``ordering.readiness`` reads.
        With a ``cache`` (the previous read's rows), only new and changed rows are fetched and
        decoded; the cache is brought up to date."""
        ...

    async def licenses_with_due(self, now: datetime) -> list[str]:
        """Licenses with a PENDING submission whose ``next_attempt_at`` has come."""
        ...

    async def in_flight(self, *, sent_before: datetime) -> list[Submission]:
        """IN_FLIGHT submissions sent before the given time, in sequence order."""
        ...

    async def for_batch(self, batch_id: UUID) -> list[Submission]:
        """Every submission of a batch's package, in sequence order."""
        ...

    async def draws_into(self, batch_id: UUID) -> list[Submission]:
        """The INGREDIENT_DRAW submissions of the batches a package is made from."""
        ...

    async def for_plant_batch(self, plant_batch_id: UUID) -> list[Submission]:
        """The plant batch's writes, with the split that made it (on its parent), in order."""
        ...

    async def plant_batches_in_metrc(self, plant_batch_ids: Collection[UUID]) -> set[UUID]:
        """The plant batches among these whose create Metrc accepted (a planting, or the split
        that made it), or that a person settled."""
        ...

    async def stopped(self, license_number: str) -> list[Submission]:
        """REJECTED and FAILED submissions of the license that nobody dismissed."""
        ...

    async def search(self, query: SubmissionQuery) -> list[Submission]:
        """The ledger, filtered, newest first (``query.limit`` at most)."""
        ...

    async def count_by_state(self) -> dict[tuple[str, SubmissionState], int]:
        """How many submissions each license has in each state (for metrics)."""
        ...

    async def counts(self) -> list[SubmissionCount]:
        """How many submissions each license has of each kind in each state, and when the
        oldest of them was planned (one grouped read, for the worker's metrics)."""
        ...


@dataclass(frozen=True)
class SubmissionCount:
    license_number: str
    kind: SubmissionKind
    state: SubmissionState
    count: int
    oldest_created_at: datetime


class SettledSales(Protocol):
    async def sales_of(self, transfer_id: UUID) -> dict[UUID, ManifestSettlement]:
        """How the receiver settled each batch shipped on the transfer's manifest, by batch
        id; empty until the manifest settled (``transfer_manifest_rounds``)."""
        ...


class SyncLogRepository(Protocol):
    async def add(self, entry: SyncLogEntry) -> None: ...

    async def query(self, query: SyncLogQuery) -> list[SyncLogEntry]: ...


class NotificationRepository(Protocol):
    async def raise_(self, notification: Notification) -> bool:
        """Store ``notification`` unless an unresolved one has its ``dedup_key``; True if
        stored."""
        ...

    async def resolve(self, dedup_key: str, at: datetime) -> None: ...

    async def recent(
        self, *, license_number: str | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Notification]:
        """Newest first."""
        ...

    async def undelivered(self, limit: int) -> list[Notification]: ...

    async def mark_emailed(self, notification_id: UUID, at: datetime) -> None: ...


class EventOutbox(Protocol):
    async def add(self, event: ComplianceEvent) -> None:
        """Publish ``event`` on ``compliance.events`` when (and only if) the unit of work commits."""
        ...


class ExpectedMovements(Protocol):
    async def expected(self, batch_id: UUID, finding_ids: Collection[UUID]) -> dict[UUID, Decimal]:
        """Of ``finding_ids``, the approved reconciliation findings whose fix records a local
        movement on ``batch_id``: the signed quantity each expects there."""
        ...


class UnitOfWork(Protocol):
    @property
    def jurisdictions(self) -> JurisdictionRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def links(self) -> LinkRepository: ...

    @property
    def submissions(self) -> SubmissionRepository: ...

    @property
    def sync_log(self) -> SyncLogRepository: ...

    @property
    def notifications(self) -> NotificationRepository: ...

    @property
    def outbox(self) -> EventOutbox: ...

    @property
    def movements(self) -> ExpectedMovements: ...

    @property
    def transfer_manifests(self) -> SettledSales: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def lock_license(self, license_number: str) -> None:
        """Hold the license until the transaction ends (a transaction-scoped advisory lock), so
        two workers never claim the same license's submissions at once."""
        ...


class PushTelemetry(Protocol):
    def metrc_request(
        self, *, operation: str, license_number: str, trace_parents: Sequence[str | None]
    ) -> AbstractContextManager[None]:
        """The span one Metrc request of the push runs under (the client's call span is its
        child): in the trace the submissions were recorded in (``trace_parents``: each
        submission's ``trace_parent``), a child when they share one, linked to each when they
        come from several. It carries the license and the operation, never a key."""
        ...


class NoPushTelemetry:
    """No spans (the tests on the in-memory unit of work)."""

    def metrc_request(
        self, *, operation: str, license_number: str, trace_parents: Sequence[str | None]
    ) -> AbstractContextManager[None]:
        return nullcontext()


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


@dataclass(frozen=True)
class MetrcAccess:
    """Where a license's Metrc is and the keys to it (opened from their sealed form only for
    the call; ``SecretStr`` keeps them out of reprs and logs)."""

    license_number: str
    base_url: str
    vendor_key: SecretStr
    user_key: SecretStr


class MetrcConnector(Protocol):
    def connect(self, access: MetrcAccess) -> MetrcPort:
        """A client for ``access``; the connector may reuse one per license and keys, and closes
        them at shutdown."""
        ...


class SecretUnreadableError(Exception):
    """A sealed secret could not be opened: tampered with, sealed under another context, or
    sealed with a key the cipher does not hold. Says nothing about the secret itself."""


class SecretCipher(Protocol):
    def seal(self, secret: SecretStr, *, context: str) -> SealedSecret: ...

    def open(self, sealed: SealedSecret, *, context: str) -> SecretStr:
        """Raises:
        SecretUnreadableError: the secret cannot be opened with the keys held."""
        ...

    def needs_reseal(self, sealed: SealedSecret) -> bool:
        """True when ``sealed`` is not under the current key (rotation re-seals it)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Jitter(Protocol):
    def __call__(self) -> float:
        """A number in [0, 1] (``random.random``)."""
        ...


class MailDeliveryError(Exception):
    """The mail server did not take the message; it is tried again later."""


class Mailer(Protocol):
    async def send(self, *, to: Sequence[str], subject: str, body: str) -> None:
        """Raises:
        MailDeliveryError: the message was not handed over."""
        ...
