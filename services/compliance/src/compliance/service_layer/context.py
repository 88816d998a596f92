"""What every compliance handler works with, and the way to a license's Metrc.

:class:`ServiceContext` holds the ports and the policy. :meth:`ServiceContext.metrc_for` opens a
license's keys (only for the call) and returns a ``MetrcPort``, or the problem that stops it
(no keys, keys known to be invalid, keys that cannot be decrypted, no Metrc URL).
:class:`CatalogCache` keeps what Metrc lists for a facility (items, units, reasons, locations,
available tags) for ``policy.catalog_ttl``, so validation does not cost five GETs per cycle.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcNotFoundError
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import (
    AdjustReasonInfo,
    Direction,
    KeyStatus,
    MetrcCatalog,
    Notification,
    NotificationKind,
    Problem,
    ProblemCode,
    PushPolicy,
    Severity,
    SyncLogEntry,
    SyncStatus,
    problem,
)
from compliance.service_layer.ports import (
    Clock,
    Jitter,
    MetrcAccess,
    MetrcConnector,
    NoPushTelemetry,
    PushTelemetry,
    SecretCipher,
    SecretUnreadableError,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = [
    "CatalogCache",
    "ServiceContext",
    "key_invalid_key",
    "user_key_context",
    "vendor_key_context",
]


def vendor_key_context(license_number: str) -> str:
    """Sealing context: a key sealed for one license and field opens for no other."""
    return f"metrc:{license_number}:vendor_key"


def user_key_context(license_number: str) -> str:
    return f"metrc:{license_number}:user_key"


def key_invalid_key(license_number: str) -> str:
    return f"key-invalid:{license_number}"


class CatalogCache:
    def __init__(self, clock: Clock, policy: PushPolicy) -> None:
        self._clock = clock
        self._policy = policy
        self._catalogs: dict[str, MetrcCatalog] = {}

    async def get(self, license_number: str, metrc: MetrcPort) -> MetrcCatalog:
        """The facility's catalog, from Metrc when the cached one is too old.

        Raises:
            MetrcError: Metrc could not list items, units, reasons or locations (an auth error
                means the keys). Available tags are optional: a state or tier that does not
                list them leaves ``available_tags`` None.
        """
        now = self._clock.now()
        cached = self._catalogs.get(license_number)
        if cached is not None and now - cached.fetched_at < self._policy.catalog_ttl:
            return cached
        items = await metrc.list_items(license_number)
        units = await metrc.list_units_of_measure()
        reasons = await metrc.list_package_adjust_reasons(license_number)
        locations = await metrc.list_locations(license_number)
        strains = await metrc.list_strains(license_number)
        tags: tuple[str, ...] | None
        try:
            tags = tuple(t.label for t in await metrc.list_available_tags(license_number))
        except (MetrcAuthError, MetrcNotFoundError):
            tags = None
        catalog = MetrcCatalog(
            items=tuple(i.name for i in items),
            units=tuple(u.name for u in units),
            reasons=tuple(AdjustReasonInfo(r.name, r.requires_note) for r in reasons),
            locations=tuple(loc.name for loc in locations if loc.for_packages),
            available_tags=tags,
            fetched_at=now,
            strains=tuple(s.name for s in strains),
            plant_locations=tuple(loc.name for loc in locations if loc.for_plant_batches),
            harvest_locations=tuple(loc.name for loc in locations if loc.for_harvests),
        )
        self._catalogs[license_number] = catalog
        return catalog

    def forget(self, license_number: str) -> None:
        self._catalogs.pop(license_number, None)


@dataclass
class ServiceContext:
    uow: UnitOfWorkFactory
    connector: MetrcConnector
    cipher: SecretCipher
    clock: Clock
    jitter: Jitter = field(default=random.random)
    policy: PushPolicy = field(default_factory=PushPolicy)
    system_actor: str = "compliance"
    telemetry: PushTelemetry = field(default_factory=NoPushTelemetry)
    catalogs: CatalogCache = field(init=False)

    def __post_init__(self) -> None:
        self.catalogs = CatalogCache(self.clock, self.policy)

    def now(self) -> datetime:
        return self.clock.now()

    async def metrc_for(
        self, license_number: str, *, base_url: str | None = None, even_if_invalid: bool = False
    ) -> MetrcPort | Problem:
        """A client for the license, or why there is none. ``base_url`` overrides the one in the
        stored rules (rules being saved are checked before they are stored); ``even_if_invalid``
        connects with keys known to be refused (to validate them again)."""
        access = await self.metrc_access(
            license_number, base_url=base_url, even_if_invalid=even_if_invalid
        )
        if isinstance(access, Problem):
            return access
        return self.connector.connect(access)

    async def metrc_access(
        self, license_number: str, *, base_url: str | None = None, even_if_invalid: bool = False
    ) -> MetrcAccess | Problem:
        """The license's Metrc URL and opened keys (see ``metrc_for``), or why there are none."""
        async with self.uow() as uow:
            credentials = await uow.credentials.get(license_number)
            sites = await uow.jurisdictions.for_license(license_number)
        base_url = base_url or next((r.metrc_base_url for r in sites if r.metrc_base_url), None)
        if credentials is None:
            return problem(
                ProblemCode.CREDENTIALS_MISSING, f"License {license_number} has no Metrc API keys."
            )
        if credentials.status is KeyStatus.INVALID and not even_if_invalid:
            return problem(
                ProblemCode.CREDENTIALS_INVALID,
                f"The Metrc API keys of license {license_number} are invalid: "
                f"{credentials.validation_message or 'Metrc refused them'}.",
            )
        if base_url is None:
            return problem(
                ProblemCode.SITE_NOT_METRC, f"No site of license {license_number} has a Metrc URL."
            )
        try:
            vendor = self.cipher.open(
                credentials.vendor_key, context=vendor_key_context(license_number)
            )
            user = self.cipher.open(credentials.user_key, context=user_key_context(license_number))
        except SecretUnreadableError:
            return problem(
                ProblemCode.CREDENTIALS_INVALID,
                f"The stored API keys of license {license_number} cannot be decrypted with the "
                "configured credential keys; re-enter them.",
            )
        return MetrcAccess(
            license_number=license_number, base_url=base_url, vendor_key=vendor, user_key=user
        )

    async def keys_refused(self, license_number: str, error: MetrcAuthError, *, actor: str) -> None:
        """Metrc answered 401/403: mark the keys invalid and tell the compliance team."""
        now = self.now()
        message = f"Metrc refused the API keys of license {license_number}: {error.message}"
        async with self.uow() as uow:
            credentials = await uow.credentials.get(license_number)
            if credentials is not None:
                await uow.credentials.save(
                    credentials.validated(now, valid=False, message=error.message)
                )
            await self.notify_keys_invalid(uow, license_number, message, now=now)
            await self.log(
                uow,
                operation="credentials.refused",
                direction=Direction.CHECK,
                status=SyncStatus.FAILED,
                started=now,
                license_number=license_number,
                actor=actor,
                http_status=error.status_code,
                problem=problem(ProblemCode.CREDENTIALS_INVALID, message),
            )
            await uow.commit()
        self.catalogs.forget(license_number)

    async def notify_keys_invalid(
        self, uow: UnitOfWork, license_number: str, message: str, *, now: datetime
    ) -> None:
        await uow.notifications.raise_(
            Notification(
                id=uuid4(),
                kind=NotificationKind.KEY_INVALID,
                severity=Severity.ERROR,
                title=f"Invalid Metrc credentials for license {license_number}",
                message=message,
                guidance=problem(ProblemCode.CREDENTIALS_INVALID, message).guidance,
                created_at=now,
                license_number=license_number,
                dedup_key=key_invalid_key(license_number),
            )
        )

    async def log(
        self,
        uow: UnitOfWork,
        *,
        operation: str,
        direction: Direction,
        status: SyncStatus,
        started: datetime,
        actor: str,
        license_number: str | None = None,
        site_id: UUID | None = None,
        objects: int = 0,
        accepted: int = 0,
        rejected: int = 0,
        batch_ids: Iterable[UUID] = (),
        submission_ids: Iterable[UUID] = (),
        http_status: int | None = None,
        problem: Problem | None = None,
    ) -> None:
        await uow.sync_log.add(
            SyncLogEntry(
                id=uuid4(),
                operation=operation,
                direction=direction,
                status=status,
                started_at=started,
                finished_at=max(started, self.now()),
                actor=actor,
                license_number=license_number,
                site_id=site_id,
                objects=objects,
                accepted=accepted,
                rejected=rejected,
                batch_ids=tuple(dict.fromkeys(batch_ids)),
                submission_ids=tuple(submission_ids),
                http_status=http_status,
                error_code=problem.code.value if problem else None,
                error_message=problem.message if problem else None,
                guidance=problem.guidance if problem else None,
            )
        )
