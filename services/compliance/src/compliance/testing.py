"""Test helpers for the compliance service: a batch scripted the way inventory changes it, a
clock that moves only when told, a connector over ``FakeMetrc``, and a harness wiring the
service layer to the in-memory unit of work.

``BatchScript`` produces the ``BatchChange`` commands the inventory consumer will produce from
inventory's events (the batch after the change and the ledger rows it wrote), with inventory's
bucket rules: physical = on hand + quarantine + defective; moves between buckets and locations
come in pairs that cancel out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4

from pydantic import SecretStr

from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.in_memory import InMemoryDatabase
from compliance.adapters.metrc.fake import FakeMetrc
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import Package
from compliance.domain import (
    CHANGE_CAUSES,
    BatchChange,
    BatchFacts,
    JurisdictionRules,
    LedgerEntry,
    PackageLink,
    PackageSource,
    Program,
    PushPolicy,
    StockAt,
    Submission,
    SubmissionEvent,
    SubmissionState,
    validate_rules,
)
from compliance.service_layer import (
    CredentialsService,
    ManualOperations,
    Pusher,
    Recorded,
    Recovery,
    RulesService,
    SaveCredentials,
    ServiceContext,
    record_batch_change,
)
from compliance.service_layer.ports import MetrcAccess

__all__ = [
    "ITEM",
    "LICENSE",
    "REASONS",
    "USER_KEY",
    "VENDOR_KEY",
    "BatchScript",
    "ComplianceHarness",
    "FakeConnector",
    "ManualClock",
    "colorado_rules",
    "tags",
]

LICENSE = "SF-SBX-CO-21-8002"
VENDOR_KEY = "VENDOR-KEY-d41d8cd98f00b204"
USER_KEY = "USER-KEY-e9800998ecf8427e"
ITEM = "Blue Dream 3.5g"
STRAIN = "Blue Dream"
START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
REASONS: Mapping[str, str] = {
    cause: ("Theft" if cause in ("LOST", "THEFT") else "Waste" if cause in ("DAMAGED", "EXPIRED", "QUALITY_ISSUE") else "Entry Error")
    for cause in CHANGE_CAUSES
}  # fmt: skip
"""Canopy causes mapped onto ``FakeMetrc``'s reasons (Theft requires a note: one is always sent)."""


def colorado_rules(
    site_id: UUID,
    license_number: str = LICENSE,
    metrc_base_url: str = "https://sandbox-api-co.metrc.com",
    **more: Any,
) -> JurisdictionRules:
    """A Colorado cannabis site's rules, validated: it reports to Metrc at ``metrc_base_url``
    under ``license_number``, in Denver's dates, with the ``REASONS`` map; ``more`` sets any
    other field (or another ``program``, ``require_metrc_id``)."""
    fields: dict[str, Any] = {
        "state": "CO",
        "program": Program.CANNABIS,
        "require_metrc_id": True,
        "time_zone": "America/Denver",
        "reason_map": dict(REASONS),
        **more,
    }
    return validate_rules(
        JurisdictionRules(
            site_id=site_id,
            metrc_base_url=metrc_base_url,
            license_number=license_number,
            **fields,
        )
    )


def tags(count: int, *, start: int = 1, block: str = "0000022") -> list[str]:
    """``count`` distinct 24-character package tags."""
    return [f"1A4FF01{block}{n:010d}"[:24] for n in range(start, start + count)]


class ManualClock:
    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


class FakeConnector:
    """Hands out ``metrc`` to callers with the right keys; any other keys get a Metrc that knows
    no facility (every licensed call answers 401, the facility list is empty)."""

    def __init__(self, metrc: MetrcPort, keys: Mapping[str, tuple[str, str]]) -> None:
        self.metrc = metrc
        self.keys = dict(keys)
        self.denied = FakeMetrc()
        self.connections: list[str] = []

    def connect(self, access: MetrcAccess) -> MetrcPort:
        self.connections.append(access.license_number)
        expected = self.keys.get(access.license_number)
        given = (access.vendor_key.get_secret_value(), access.user_key.get_secret_value())
        return self.metrc if expected == given else self.denied


@dataclass
class BatchScript:
    """One batch, changed the way inventory changes it; each method returns the change."""

    site_id: UUID
    code: str
    product_name: str = ITEM
    product_id: str = "product-1"
    unit: str = "Grams"
    tag: str | None = None
    source: PackageSource | None = None
    batch_id: UUID = field(default_factory=uuid4)
    status: str = "AWAITING_INTAKE"
    on_hand: Decimal = Decimal(0)
    quarantine: Decimal = Decimal(0)
    defective: Decimal = Decimal(0)
    locations: dict[str, Decimal] = field(default_factory=dict)
    version: int = 0
    deleted: bool = False
    clock: ManualClock | None = None

    @property
    def physical(self) -> Decimal:
        return self.on_hand + self.quarantine + self.defective

    def facts(self) -> BatchFacts:
        return BatchFacts(
            batch_id=self.batch_id,
            site_id=self.site_id,
            code=self.code,
            product_id=self.product_id,
            product_name=self.product_name,
            unit=self.unit,
            status=self.status,
            physical=self.physical,
            locations=tuple(
                StockAt(location_id=loc, location_label=loc.title(), quantity=qty)
                for loc, qty in sorted(self.locations.items())
                if qty > 0
            ),
            version=self.version,
            package_tag=self.tag,
            source=self.source,
            deleted=self.deleted,
        )

    def _change(
        self, rows: Sequence[dict[str, Any]], *, created: bool = False, notes: str | None = None
    ) -> BatchChange:
        entries = tuple(
            LedgerEntry(batch_version=self.version, sequence=i, **row) for i, row in enumerate(rows)
        )
        return BatchChange(
            batch=self.facts(),
            entries=entries,
            created=created,
            occurred_at=self.clock.now() if self.clock else START,
            actor="user-1",
            event_id=uuid4(),
            notes=notes,
        )

    def _at(self, location: str | None, delta: Decimal) -> str:
        where = location or self.main_location()
        self.locations[where] = self.locations.get(where, Decimal(0)) + delta
        return where

    def main_location(self) -> str:
        stocked = {k: v for k, v in self.locations.items() if v > 0}
        return max(sorted(stocked), key=lambda k: stocked[k]) if stocked else "vault"

    def created(self, quantity: str, location: str = "vault") -> BatchChange:
        qty = Decimal(quantity)
        self.version = 1
        self.on_hand = qty
        self.locations = {location: qty}
        return self._change([{"bucket": "ON_HAND", "type": "INTAKE", "change": qty}], created=True)

    def go_live(self) -> BatchChange:
        self.version += 1
        self.status = "LIVE"
        return self._change([])

    def adjust(
        self, delta: str, reason: str = "COUNT_DISCREPANCY", notes: str | None = None
    ) -> BatchChange:
        d = Decimal(delta)
        self.version += 1
        bucket = "QUARANTINE" if self.status == "QUARANTINED" else "ON_HAND"
        if bucket == "QUARANTINE":
            self.quarantine += d
        else:
            self.on_hand += d
        self._at(None, d)
        return self._change(
            [
                {
                    "bucket": bucket,
                    "type": "ADJUSTMENT",
                    "change": d,
                    "reason": reason,
                    "notes": notes,
                }
            ]
        )

    def dispose(self, quantity: str, reason: str = "DAMAGED") -> BatchChange:
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self._at(None, -d)
        return self._change(
            [{"bucket": "ON_HAND", "type": "DISPOSAL", "change": -d, "reason": reason}]
        )

    def sample(self, quantity: str) -> BatchChange:
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self._at(None, -d)
        return self._change([{"bucket": "ON_HAND", "type": "SAMPLE", "change": -d}])

    def sell(self, quantity: str, order: str = "SO-1") -> BatchChange:
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self._at(None, -d)
        ref = {"reference_type": "ORDER", "reference_id": order}
        return self._change([{"bucket": "ON_HAND", "type": "SALE", "change": -d, **ref}])

    def ship(self, quantity: str, transfer_id: UUID) -> BatchChange:
        """Shipped on an outgoing transfer when it is sent (SALE referencing the transfer)."""
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self._at(None, -d)
        ref = {"reference_type": "TRANSFER", "reference_id": str(transfer_id)}
        return self._change([{"bucket": "ON_HAND", "type": "SALE", "change": -d, **ref}])

    def rejected_back(self, quantity: str, transfer_id: UUID) -> BatchChange:
        """The receiver rejected the package on the manifest: it comes back (RETURN
        referencing the transfer)."""
        d = Decimal(quantity)
        self.version += 1
        self.on_hand += d
        self._at(None, d)
        ref = {"reference_type": "TRANSFER", "reference_id": str(transfer_id)}
        return self._change([{"bucket": "ON_HAND", "type": "RETURN", "change": d, **ref}])

    def give_back(self, quantity: str) -> BatchChange:
        """A customer return (RETURN movement, no refund)."""
        d = Decimal(quantity)
        self.version += 1
        self.on_hand += d
        self._at(None, d)
        return self._change([{"bucket": "ON_HAND", "type": "RETURN", "change": d}])

    def move(self, quantity: str, to: str) -> BatchChange:
        d = Decimal(quantity)
        self.version += 1
        self._at(None, -d)
        self._at(to, d)
        row = {"bucket": "ON_HAND", "type": "TRANSFER"}
        return self._change([{**row, "change": -d}, {**row, "change": d}])

    def quarantined(self) -> BatchChange:
        moved = self.on_hand
        self.version += 1
        self.status = "QUARANTINED"
        self.on_hand, self.quarantine = Decimal(0), self.quarantine + moved
        if moved == 0:
            return self._change([])
        return self._change(
            [
                {"bucket": "ON_HAND", "type": "QUARANTINE", "change": -moved},
                {"bucket": "QUARANTINE", "type": "QUARANTINE", "change": moved},
            ]
        )

    def released(self) -> BatchChange:
        moved = self.quarantine
        self.version += 1
        self.status = "LIVE"
        self.on_hand, self.quarantine = self.on_hand + moved, Decimal(0)
        if moved == 0:
            return self._change([])
        return self._change(
            [
                {"bucket": "QUARANTINE", "type": "RELEASE_FROM_QUARANTINE", "change": -moved},
                {"bucket": "ON_HAND", "type": "RELEASE_FROM_QUARANTINE", "change": moved},
            ]
        )

    def marked_defective(self, quantity: str) -> BatchChange:
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self.defective += d
        return self._change(
            [
                {"bucket": "ON_HAND", "type": "DEFECTIVE", "change": -d, "reason": "DAMAGED"},
                {"bucket": "DEFECTIVE", "type": "DEFECTIVE", "change": d, "reason": "DAMAGED"},
            ]
        )

    def consumed(self, quantity: str, into: UUID, *, into_type: str = "BATCH") -> BatchChange:
        """Stock drawn into another batch (``into_type`` BATCH) or a plant batch planted from
        this package (``PLANT_BATCH``)."""
        d = Decimal(quantity)
        self.version += 1
        self.on_hand -= d
        self._at(None, -d)
        ref = {"reference_type": into_type, "reference_id": str(into)}
        return self._change([{"bucket": "ON_HAND", "type": "CONSUMPTION", "change": -d, **ref}])

    def retagged(self, tag: str) -> BatchChange:
        self.version += 1
        self.tag = tag
        return self._change([])

    def sold_out(self) -> BatchChange:
        assert self.physical == 0
        self.version += 1
        self.status = "SOLD_OUT"
        return self._change([])


class ComplianceHarness:
    """The service layer on the in-memory unit of work and ``FakeMetrc``, with one facility."""

    def __init__(
        self,
        *,
        package_tags: int = 40,
        allow_opening_balance: bool = True,
        facility_allows_opening_balance: bool = True,
        track_locations: bool = False,
        locations: Mapping[str, str] | None = None,
        policy: PushPolicy | None = None,
        program: Program = Program.CANNABIS,
        require_metrc_id: bool = True,
        metrc_factory: Callable[[Callable[[], datetime]], FakeMetrc] | None = None,
    ) -> None:
        self.clock = ManualClock()
        self.site_id = uuid4()
        self.fake = (metrc_factory or (lambda now: FakeMetrc(now=now)))(self.clock.now)
        self.location_map = dict(locations or {"vault": "Vault", "back": "Back Room"})
        if LICENSE not in self.fake.facilities:
            self.fake.add_facility(
                LICENSE, can_create_opening_balance_packages=facility_allows_opening_balance
            )
            self.fake.add_strain(LICENSE, STRAIN)
            self.fake.add_item(LICENSE, ITEM, "Buds", "Grams", strain=STRAIN)
            self.fake.add_item(LICENSE, "Pre-Roll", "Pre-Roll Flower", "Each", strain=STRAIN)
            for location in sorted(set(self.location_map.values())):
                self.fake.add_location(LICENSE, location)
        self.tags = self.fake.issue_tags(LICENSE, "Package", package_tags) if package_tags else []
        self.db = InMemoryDatabase()
        self.cipher = CredentialCipher({"test-1": bytes(range(32))}, current="test-1")
        self.metrc: MetrcPort = self.fake
        self.connector = FakeConnector(self.fake, {LICENSE: (VENDOR_KEY, USER_KEY)})
        self.ctx = ServiceContext(
            uow=self.db.uow,
            connector=self.connector,
            cipher=self.cipher,
            clock=self.clock,
            jitter=lambda: 0.5,
            policy=policy or PushPolicy(),
        )
        self.pusher = Pusher(self.ctx)
        self.recovery = Recovery(self.ctx)
        self.manual = ManualOperations(self.ctx, self.pusher)
        self.credentials = CredentialsService(self.ctx)
        self.rules_service = RulesService(self.ctx)
        self.rules = colorado_rules(
            self.site_id,
            program=program,
            require_metrc_id=require_metrc_id,
            location_map=self.location_map,
            track_locations=track_locations,
            allow_opening_balance=allow_opening_balance,
        )
        self.db.rules[self.site_id] = self.rules

    async def save_keys(self, vendor: str = VENDOR_KEY, user: str = USER_KEY) -> None:
        await self.credentials.save(
            SaveCredentials(
                license_number=LICENSE,
                state="CO",
                vendor_key=SecretStr(vendor),
                user_key=SecretStr(user),
                actor="admin",
                notify_emails=("compliance@example.com",),
            )
        )

    def batch(self, code: str = "B-1", **kwargs: Any) -> BatchScript:
        kwargs.setdefault("tag", None)
        return BatchScript(site_id=self.site_id, code=code, clock=self.clock, **kwargs)

    async def record(self, change: BatchChange) -> Recorded:
        async with self.db.uow() as uow:
            recorded = await record_batch_change(uow, change, now=self.clock.now())
            await uow.commit()
        return recorded

    async def settle(self, *, rounds: int = 30) -> None:
        """Push and recover until nothing more can happen on its own (what waits for a person
        or for a manifest stays)."""
        for _ in range(rounds):
            await self.pusher.push_due()
            self.clock.advance(self.ctx.policy.read_back_after + timedelta(seconds=1))
            await self.recovery.recover()
            if not any(
                s.state in (SubmissionState.PENDING, SubmissionState.IN_FLIGHT) and s.is_attempted
                for s in self.db.submissions.values()
            ):
                return
            self.clock.advance(self.ctx.policy.max_retry)

    def link(self, batch: BatchScript) -> PackageLink | None:
        return self.db.links.get(batch.batch_id)

    def package(self, batch: BatchScript) -> Package | None:
        link = self.link(batch)
        if link is None or link.tag is None:
            return None
        return self.fake.facilities[LICENSE].packages.get(link.tag)

    def published(self, submission_id: UUID) -> list[SubmissionEvent]:
        """The events published for one submission, in the order they were published."""
        return [
            e
            for e in self.db.events
            if isinstance(e, SubmissionEvent) and e.submission_id == submission_id
        ]

    def published_in_order(self, submission_id: UUID) -> bool:
        """Whether each event published for the submission is later than the one before:
        reporting keeps a push's state only from an event newer (``occurred_at``, to the
        microsecond) than the one it holds, so a later one at the same instant is lost."""
        at = [e.occurred_at for e in self.published(submission_id)]
        return all(a < b for a, b in pairwise(at))

    def submissions(self, batch: BatchScript | None = None) -> list[Submission]:
        subs = [
            s for s in self.db.submissions.values() if batch is None or s.batch_id == batch.batch_id
        ]
        return sorted(subs, key=lambda s: s.sequence)
