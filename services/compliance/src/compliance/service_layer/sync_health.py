"""Sync health of one license (PEERS.md §4.5): everything a person needs to see that the numbers
in Canopy and in Metrc can be trusted, or why not.

Push side: writes waiting, in flight and stopped, the oldest waiting one's age, stopped writes by
failure class. Pull side: the last successful pull of each sync type (a type counts as pulled
when all its lists were), the types whose pull is stale (``StaleRule``: a few of the license's
scheduled intervals), failures by class, open sync runs and the oldest's age. Metrc: the share
of the license's GET budget used in the last minute, 429s in it. Keys: status, expiry. Alerts:
the license's open stale-pull and growing-backlog notifications (the worker's sync watch raises
and resolves them) and its stalled outgoing transfers (the manifest rounds do).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from compliance.domain import (
    GUIDANCE,
    KeyStatus,
    Notification,
    NotificationKind,
    ProblemCode,
    SubmissionState,
)
from compliance.domain.mirror import FEEDS, Feed, SyncType
from compliance.domain.sync_watch import StaleRule, stale_types
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.mirror_ports import (
    MirrorStore,
    PageReaderConnector,
    RateBudget,
    SyncRuns,
)

__all__ = ["ALERT_KINDS", "LicenseHealthReport", "SyncHealth", "TypeHealth", "failure_guidance"]

ALERT_KINDS = frozenset(
    {
        NotificationKind.PULL_STALE,
        NotificationKind.BACKLOG_GROWING,
        NotificationKind.TRANSFER_STALLED,
    }
)
"""The notifications sync health shows as the license's alerts."""


@dataclass(frozen=True)
class TypeHealth:
    sync_type: SyncType
    last_success_at: datetime | None
    records: int
    last_error_code: str | None = None
    last_failed_at: datetime | None = None

    @property
    def last_error_guidance(self) -> str | None:
        return failure_guidance(self.last_error_code)


# A pull failure's code is a problem code (the keys missing or refused before any GET, Metrc not
# answering) or a failure class of the pull; a refused key is logged as CREDENTIALS_INVALID
# (ServiceContext.keys_refused), so its class takes that entry's guidance.
_GUIDED_CLASSES = {"KEY_OR_PERMISSION": ProblemCode.CREDENTIALS_INVALID}


def failure_guidance(code: str | None) -> str | None:
    """The guide's guidance the sync log gives a pull failure's code, or None where it gives
    none (a 429, a list the state does not offer, an answer Canopy could not read)."""
    if code is None:
        return None
    known = _GUIDED_CLASSES.get(code) or next((p for p in ProblemCode if p.value == code), None)
    return GUIDANCE.get(known) if known is not None else None


@dataclass(frozen=True)
class LicenseHealthReport:
    license_number: str
    as_of: datetime
    queue_waiting: int
    queue_in_flight: int
    queue_stopped: int
    oldest_waiting_age: timedelta | None
    push_failures: dict[str, int]
    pull_failures: dict[str, int]
    types: tuple[TypeHealth, ...]
    runs_open: int
    oldest_open_run_age: timedelta | None
    budget: RateBudget
    key_status: str
    key_expires_at: datetime | None
    key_expires_in: timedelta | None
    stale_after: timedelta = timedelta(hours=1)
    stale_types: tuple[SyncType, ...] = ()
    alerts: tuple[Notification, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


class SyncHealth:
    def __init__(
        self,
        ctx: ServiceContext,
        store: MirrorStore,
        runs: SyncRuns,
        readers: PageReaderConnector,
        *,
        interval_for: Callable[[str], float] = lambda _: 0.0,
        stale: StaleRule | None = None,
    ) -> None:
        self.ctx = ctx
        self.store = store
        self.runs = runs
        self.readers = readers
        self.interval_for = interval_for
        self.stale = stale or StaleRule()

    async def licenses(self) -> list[str]:
        async with self.ctx.uow() as uow:
            known = {c.license_number for c in await uow.credentials.all()}
            known |= {r.license_number for r in await uow.jurisdictions.all() if r.license_number}
        return sorted(known)

    async def license(self, license_number: str) -> LicenseHealthReport:
        now = self.ctx.now()
        async with self.ctx.uow() as uow:
            queue = await uow.submissions.open_for_license(license_number)
            keys = await uow.credentials.get(license_number)
            notes = await uow.notifications.recent(license_number=license_number, open_only=True)
        waiting = [s for s in queue if s.state is SubmissionState.PENDING]
        stopped = [
            s for s in queue if s.state in (SubmissionState.REJECTED, SubmissionState.FAILED)
        ]
        oldest = min((s.created_at for s in waiting), default=None)
        push_failures = Counter(
            s.last_error.code.value if s.last_error is not None else s.state.value for s in stopped
        )
        state = await self.store.pull_state(license_number)
        counts = await self.store.counts(license_number)
        pull_failures: Counter[str] = Counter()
        by_feed: dict[Feed, dict[str, Any]] = {}
        for row in state:
            by_feed[Feed(row["feed"])] = dict(row)
            pull_failures.update({str(k): int(v) for k, v in row["failures"].items()})
        types = tuple(_type_health(t, by_feed, counts) for t in SyncType)
        open_runs = await self.runs.open_count(license_number)
        oldest_run = await self.runs.oldest_open(license_number)
        expires = keys.expires_at if keys is not None else None
        stale_after = self.stale.threshold(self.interval_for(license_number))
        stale = stale_types(
            {t.sync_type: t.last_success_at for t in types},
            stale_after,
            now=now,
            known_since=keys.saved_at if keys is not None else None,
        )
        report = LicenseHealthReport(
            license_number=license_number,
            as_of=now,
            queue_waiting=len(waiting),
            queue_in_flight=sum(s.state is SubmissionState.IN_FLIGHT for s in queue),
            queue_stopped=len(stopped),
            oldest_waiting_age=now - oldest if oldest is not None else None,
            push_failures=dict(push_failures),
            pull_failures=dict(pull_failures),
            types=types,
            runs_open=open_runs,
            oldest_open_run_age=now - oldest_run if oldest_run is not None else None,
            budget=await self._budget(license_number, now),
            key_status=keys.status.value if keys is not None else "MISSING",
            key_expires_at=expires,
            key_expires_in=expires - now if expires is not None else None,
            stale_after=stale_after,
            stale_types=stale,
            alerts=tuple(n for n in notes if n.kind in ALERT_KINDS),
        )
        return _with_problems(report, self.ctx.policy.key_expiry_warning)

    async def _budget(self, license_number: str, now: datetime) -> RateBudget:
        """The worker's last measurement (it sends the GETs), or this process's own when the
        worker has not reported within two minutes."""
        mine = self.readers.budget(license_number)
        stored = await self.store.budget(license_number)
        if stored is not None and now - stored[1] <= timedelta(minutes=2):
            return stored[0] if stored[0].used_last_minute >= mine.used_last_minute else mine
        return mine

    async def record_budgets(self) -> None:
        """Store this process's measurement for every license it sent GETs for."""
        now = self.ctx.now()
        for license_number in self.readers.metered():
            await self.store.save_budget(license_number, self.readers.budget(license_number), now)


def _type_health(
    sync_type: SyncType,
    by_feed: dict[Feed, dict[str, Any]],
    counts: dict[tuple[SyncType, str], int],
) -> TypeHealth:
    rows = [by_feed.get(feed) for feed in FEEDS[sync_type]]
    successes = [r["last_success_at"] if r else None for r in rows]
    pulled: list[datetime] = [s for s in successes if s is not None]
    failed = [r for r in rows if r and r["last_error_code"] and r["last_failed_at"]]
    latest_failure = max(failed, key=lambda r: r["last_failed_at"], default=None)
    return TypeHealth(
        sync_type=sync_type,
        # A type is as fresh as its stalest list.
        last_success_at=min(pulled) if len(pulled) == len(successes) else None,
        records=sum(n for (t, _), n in counts.items() if t is sync_type),
        last_error_code=latest_failure["last_error_code"] if latest_failure else None,
        last_failed_at=latest_failure["last_failed_at"] if latest_failure else None,
    )


def _with_problems(report: LicenseHealthReport, key_warning: timedelta) -> LicenseHealthReport:
    problems: list[str] = []
    if report.key_status != KeyStatus.VALID.value:
        problems.append(f"KEY_{report.key_status}")
    if report.key_expires_in is not None and report.key_expires_in <= key_warning:
        problems.append("KEY_EXPIRING")
    problems.extend(f"PULL_STALE:{t.value}" for t in report.stale_types)
    if report.budget.rate_limited_last_minute:
        problems.append("RATE_LIMITED")
    if any(n.kind is NotificationKind.BACKLOG_GROWING for n in report.alerts):
        problems.append("BACKLOG_GROWING")
    if any(n.kind is NotificationKind.TRANSFER_STALLED for n in report.alerts):
        problems.append("TRANSFER_STALLED")
    return replace(report, problems=tuple(problems))
