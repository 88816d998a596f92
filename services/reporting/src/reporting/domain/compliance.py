"""Compliance status per license: batches linked to Metrc, pushes pending and failed; the last
sync; open reconciliation findings by class.

The projection is defined against four small facts, each of which an event of
``compliance.events`` maps onto (``service_layer.compliance_mapping``; the README lists them):

* :class:`BatchLinkUpdate`: the Metrc link of one batch of a license changed (LINKED: its
  package exists in Metrc; anything else counts as not linked). ``version`` increases with
  every change of that batch's link.
* :class:`PushUpdate`: one write to Metrc (a submission) changed state: PENDING (planned or
  retried: waiting or in flight), FAILED (rejected, or given up after its attempts, and not
  since retried or dismissed), SETTLED (accepted, or dismissed by a person). ``version``
  increases with every change of that submission.
* :class:`FindingUpdate`: a reconciliation finding was opened or resolved; ``version``
  increases with every change of the finding.
* :class:`SyncFinished`: a push or pull sync of a license ended.

Idempotent like the inventory projection: an update no newer than what the read model holds
(version not higher; a sync not later) changes nothing. Per-license counts are sums of the
links', pushes' and findings' contributions, updated by deltas: ``linked`` counts batches,
``pending`` and ``failed`` count pushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple, Protocol, TypeVar
from uuid import UUID

__all__ = [
    "BatchLinkUpdate",
    "ComplianceDeltas",
    "ComplianceFold",
    "ComplianceStatusReport",
    "ComplianceUpdate",
    "FindingKey",
    "FindingUpdate",
    "LicenseKey",
    "LicenseStatus",
    "LinkCounts",
    "LinkState",
    "PushState",
    "PushUpdate",
    "SyncDirection",
    "SyncFinished",
    "SyncOutcome",
    "compliance_status",
    "fold_compliance",
]


class LinkState(StrEnum):
    LINKED = "LINKED"
    PENDING = "PENDING"
    FAILED = "FAILED"
    UNLINKED = "UNLINKED"


class PushState(StrEnum):
    PENDING = "PENDING"
    FAILED = "FAILED"
    SETTLED = "SETTLED"


class SyncDirection(StrEnum):
    PUSH = "PUSH"
    PULL = "PULL"


class SyncOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


class LicenseKey(NamedTuple):
    site_id: UUID
    license_number: str


class FindingKey(NamedTuple):
    site_id: UUID
    license_number: str
    finding_class: str


@dataclass(frozen=True, slots=True)
class BatchLinkUpdate:
    batch_id: UUID
    site_id: UUID
    license_number: str
    state: LinkState
    version: int
    occurred_at: datetime

    @property
    def license(self) -> LicenseKey:
        return LicenseKey(self.site_id, self.license_number)


@dataclass(frozen=True, slots=True)
class PushUpdate:
    submission_id: UUID
    batch_id: UUID
    site_id: UUID
    license_number: str
    state: PushState
    version: int
    occurred_at: datetime

    @property
    def license(self) -> LicenseKey:
        return LicenseKey(self.site_id, self.license_number)


@dataclass(frozen=True, slots=True)
class FindingUpdate:
    finding_id: UUID
    site_id: UUID
    license_number: str
    finding_class: str
    open: bool
    version: int
    occurred_at: datetime

    @property
    def key(self) -> FindingKey:
        return FindingKey(self.site_id, self.license_number, self.finding_class)


@dataclass(frozen=True, slots=True)
class SyncFinished:
    sync_id: UUID
    site_id: UUID
    license_number: str
    direction: SyncDirection
    outcome: SyncOutcome
    finished_at: datetime

    @property
    def license(self) -> LicenseKey:
        return LicenseKey(self.site_id, self.license_number)

    def later_than(self, other: SyncFinished | None) -> bool:
        return other is None or (self.finished_at, self.sync_id) > (
            other.finished_at,
            other.sync_id,
        )


ComplianceUpdate = BatchLinkUpdate | PushUpdate | FindingUpdate | SyncFinished


@dataclass(frozen=True, slots=True)
class LinkCounts:
    linked: int = 0
    pending: int = 0
    failed: int = 0

    def __add__(self, other: LinkCounts) -> LinkCounts:
        return LinkCounts(
            self.linked + other.linked, self.pending + other.pending, self.failed + other.failed
        )

    def is_zero(self) -> bool:
        return self.linked == self.pending == self.failed == 0


def _counts(state: LinkState, sign: int) -> LinkCounts:
    return LinkCounts(
        sign if state is LinkState.LINKED else 0,
        sign if state is LinkState.PENDING else 0,
        sign if state is LinkState.FAILED else 0,
    )


@dataclass(slots=True)
class ComplianceDeltas:
    links: dict[LicenseKey, LinkCounts] = field(default_factory=dict)
    open_findings: dict[FindingKey, int] = field(default_factory=dict)

    def add_link(self, update: BatchLinkUpdate, sign: int) -> None:
        change = _counts(update.state, sign)
        current = self.links.get(update.license)
        self.links[update.license] = change if current is None else current + change

    def add_push(self, update: PushUpdate, sign: int) -> None:
        change = LinkCounts(
            0,
            sign if update.state is PushState.PENDING else 0,
            sign if update.state is PushState.FAILED else 0,
        )
        current = self.links.get(update.license)
        self.links[update.license] = change if current is None else current + change

    def add_finding(self, update: FindingUpdate, sign: int) -> None:
        if update.open:
            self.open_findings[update.key] = self.open_findings.get(update.key, 0) + sign

    def nonzero(self) -> ComplianceDeltas:
        return ComplianceDeltas(
            {k: v for k, v in self.links.items() if not v.is_zero()},
            {k: v for k, v in self.open_findings.items() if v},
        )


@dataclass(frozen=True, slots=True)
class ComplianceFold:
    """What a set of updates changes: the new state of each touched batch link, push and
    finding, the latest sync per license where it changed, and the deltas to the per-license
    counts."""

    links: dict[UUID, BatchLinkUpdate]
    findings: dict[UUID, FindingUpdate]
    syncs: dict[LicenseKey, SyncFinished]
    deltas: ComplianceDeltas
    applied: int
    skipped: int
    pushes: dict[UUID, PushUpdate] = field(default_factory=dict)


def fold_compliance(
    updates: Sequence[ComplianceUpdate],
    *,
    links: Mapping[UUID, BatchLinkUpdate],
    findings: Mapping[UUID, FindingUpdate],
    syncs: Mapping[LicenseKey, SyncFinished],
    pushes: Mapping[UUID, PushUpdate] | None = None,
) -> ComplianceFold:
    """Apply ``updates`` in order to the current state (``links``, ``pushes`` and ``findings``
    by id, ``syncs`` by license: the rows the updates touch; missing = never seen)."""
    pushes = pushes or {}
    push_now: dict[UUID, PushUpdate] = {}
    link_now: dict[UUID, BatchLinkUpdate] = {}
    finding_now: dict[UUID, FindingUpdate] = {}
    sync_now: dict[LicenseKey, SyncFinished] = {}
    deltas = ComplianceDeltas()
    applied = skipped = 0
    for update in updates:
        if isinstance(update, BatchLinkUpdate):
            fresh = _replace(update, update.batch_id, link_now, links, deltas.add_link)
        elif isinstance(update, PushUpdate):
            fresh = _replace(update, update.submission_id, push_now, pushes, deltas.add_push)
        elif isinstance(update, FindingUpdate):
            fresh = _replace(update, update.finding_id, finding_now, findings, deltas.add_finding)
        else:
            fresh = update.later_than(sync_now.get(update.license) or syncs.get(update.license))
            if fresh:
                sync_now[update.license] = update
        if fresh:
            applied += 1
        else:
            skipped += 1
    return ComplianceFold(
        link_now, finding_now, sync_now, deltas.nonzero(), applied, skipped, push_now
    )


class _Versioned(Protocol):
    @property
    def version(self) -> int: ...


_K = TypeVar("_K")
_V = TypeVar("_V", bound=_Versioned)


def _replace(
    update: _V,
    key: _K,
    now: dict[_K, _V],
    stored: Mapping[_K, _V],
    count: Callable[[_V, int], None],
) -> bool:
    """Make ``update`` the state of ``key`` unless the one held (``now``, else ``stored``) is
    as new; the held one's contribution to the counts is taken back, the update's added."""
    old = now.get(key) or stored.get(key)
    if old is not None and update.version <= old.version:
        return False
    if old is not None:
        count(old, -1)
    count(update, +1)
    now[key] = update
    return True


@dataclass(frozen=True, slots=True)
class LicenseStatus:
    site_id: UUID
    license_number: str
    linked: int
    pending: int
    failed: int
    last_sync: SyncFinished | None
    open_findings: dict[str, int]
    """Open findings by class (classes with none are left out)."""


@dataclass(frozen=True, slots=True)
class ComplianceStatusReport:
    as_of: datetime | None
    licenses: tuple[LicenseStatus, ...]


def compliance_status(
    *,
    counts: Iterable[tuple[LicenseKey, LinkCounts]],
    open_findings: Iterable[tuple[FindingKey, int]],
    syncs: Iterable[SyncFinished],
    as_of: datetime | None,
) -> ComplianceStatusReport:
    """Every license that has a batch, a finding or a sync, ordered by site and license."""
    link_counts: dict[LicenseKey, LinkCounts] = {}
    for key, value in counts:
        link_counts[key] = link_counts.get(key, LinkCounts()) + value
    by_class: dict[LicenseKey, dict[str, int]] = {}
    for finding, number in open_findings:
        if number:
            classes = by_class.setdefault(LicenseKey(finding.site_id, finding.license_number), {})
            classes[finding.finding_class] = classes.get(finding.finding_class, 0) + number
    last: dict[LicenseKey, SyncFinished] = {}
    for sync in syncs:
        if sync.later_than(last.get(sync.license)):
            last[sync.license] = sync
    licenses = sorted(set(link_counts) | set(by_class) | set(last))
    return ComplianceStatusReport(
        as_of=as_of,
        licenses=tuple(
            LicenseStatus(
                site_id=key.site_id,
                license_number=key.license_number,
                linked=link_counts.get(key, LinkCounts()).linked,
                pending=link_counts.get(key, LinkCounts()).pending,
                failed=link_counts.get(key, LinkCounts()).failed,
                last_sync=last.get(key),
                open_findings=dict(sorted(by_class.get(key, {}).items())),
            )
            for key in licenses
        ),
    )
