"""The sync watch: what the worker checks for every license beside the schedule (README "Pull
sync", triggers and notifications).

* ``BurstTrigger.after_pushes``: when a burst of accepted pushes has settled (``domain.sync_watch``), request
  an incremental pull of the types they touched (trigger ``AFTER_PUSHES``). The request is a
  normal one: it joins an open run that covers the types, so a burst never adds a second pull
  of a type. The burst is counted from the database, not from this process's memory: a pull
  requested and still queued covers everything accepted so far; a started (or finished) pull
  covers what was accepted before it started. So once a pull after the burst has started, the
  burst is spent, whichever worker asked for it and however many workers watch.
* ``SyncAlerts.observe``: raise a notification when a license's pulls go stale or its backlog grows, once
  per episode (the notification's dedup key), and resolve it when the license is healthy again.
  The backlog's samples are kept in this process (a restarted worker needs ``checks`` checks
  before it calls a backlog growing); the staleness is read from the pull state.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from uuid import uuid4

from compliance.domain import Notification, NotificationKind, Severity, SubmissionKind
from compliance.domain.mirror import SyncType
from compliance.domain.sync_watch import (
    AcceptedPushes,
    BacklogRule,
    BacklogSample,
    BacklogState,
    BurstRule,
    backlog_state,
    settled_burst,
    touched_types,
)
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.mirror_ports import RunTrigger
from compliance.service_layer.sync_health import LicenseHealthReport
from compliance.service_layer.sync_service import SyncRequested, SyncService

__all__ = [
    "BurstTrigger",
    "PushActivity",
    "SyncAlerts",
    "WatchPolicy",
    "backlog_key",
    "pull_stale_key",
]

logger = logging.getLogger("compliance.sync")

STALE_GUIDANCE = (
    "Open Compliance > Sync dashboard: the type's last error says why its pulls stop "
    "(KEY_OR_PERMISSION: fix the keys under Compliance > API keys; METRC_UNAVAILABLE or "
    "RATE_LIMITED: Metrc is down or busy, pulls resume on their own). Check that the compliance "
    "worker runs (python -m compliance worker): it pulls on the license's schedule. "
    "Then use Compliance > Sync with Metrc to pull the types now."
)
BACKLOG_GUIDANCE = (
    "Writes wait to be sent to Metrc and the queue is not draining. Open Compliance > Sync "
    "dashboard: a stopped write (rejected or failed) holds the writes behind it on its package "
    "until it is retried or dismissed; invalid keys stop the whole license (Compliance > API "
    "keys); Metrc down or rate-limiting drains by itself when it answers again. Check that the "
    "compliance worker runs."
)


def pull_stale_key(license_number: str) -> str:
    return f"pull-stale:{license_number}"


def backlog_key(license_number: str) -> str:
    return f"backlog:{license_number}"


class PushActivity(Protocol):
    async def covered_until(
        self, license_number: str, *, since: datetime, now: datetime
    ) -> dict[SyncType, datetime]:
        """Per type, until when the pulls requested since ``since`` cover what Metrc holds:
        the latest such pull's start, or ``now`` while one is still queued. A type no pull
        requested since ``since`` is absent."""
        ...

    async def accepted_after(
        self, license_number: str, after: Mapping[SubmissionKind, datetime]
    ) -> list[AcceptedPushes]:
        """Per kind, the license's writes Metrc accepted after the kind's instant."""
        ...


@dataclass(frozen=True)
class WatchPolicy:
    """Attributes:
    burst: the after-a-burst-of-pushes trigger; None turns it off.
    lookback: how far back accepted pushes are counted when no pull was requested since.
    backlog: when a backlog is growing.
    """

    burst: BurstRule | None = field(default_factory=BurstRule)
    lookback: timedelta = timedelta(hours=24)
    backlog: BacklogRule = field(default_factory=BacklogRule)


class BurstTrigger:
    def __init__(
        self,
        ctx: ServiceContext,
        sync: SyncService,
        activity: PushActivity,
        policy: WatchPolicy | None = None,
    ) -> None:
        self.ctx = ctx
        self.sync = sync
        self.activity = activity
        self.policy = policy or WatchPolicy()

    async def after_pushes(self, license_number: str) -> SyncRequested | None:
        """Request the pull a settled burst of pushes calls for; None when none is due."""
        rule = self.policy.burst
        if rule is None:
            return None
        now = self.ctx.now()
        floor = now - self.policy.lookback
        covered = await self.activity.covered_until(license_number, since=floor, now=now)
        after = {
            kind: min(covered.get(t, floor) for t in types)
            for kind in SubmissionKind
            if (types := touched_types(kind))
        }
        accepted = await self.activity.accepted_after(license_number, after)
        types = settled_burst(accepted, rule, now)
        if not types:
            return None
        requested = await self.sync.request_license(
            license_number, types, actor=self.ctx.system_actor, trigger=RunTrigger.AFTER_PUSHES
        )
        if not requested.joined:
            logger.info(
                "%d pushes of %s settled: pulling %s (run %s)",
                sum(a.count for a in accepted),
                license_number,
                ", ".join(t.value for t in types),
                requested.run.id,
            )
        return requested


class SyncAlerts:
    def __init__(self, ctx: ServiceContext, policy: WatchPolicy | None = None) -> None:
        self.ctx = ctx
        self.policy = policy or WatchPolicy()
        self._samples: dict[str, deque[BacklogSample]] = {}

    async def observe(self, report: LicenseHealthReport) -> None:
        """Raise or resolve the license's stale-pull and growing-backlog notifications. Only a
        change is written: the report lists the alerts already open (a raise racing another
        worker's is kept out by the dedup key)."""
        name = report.license_number
        state = self._backlog(report)
        open_kinds = {n.kind for n in report.alerts}
        stale_open = NotificationKind.PULL_STALE in open_kinds
        backlog_open = NotificationKind.BACKLOG_GROWING in open_kinds
        raised: list[Notification] = []
        resolved: list[str] = []
        if report.stale_types and not stale_open:
            raised.append(_stale_notification(report))
        elif not report.stale_types and stale_open:
            resolved.append(pull_stale_key(name))
        if state is BacklogState.GROWING and not backlog_open:
            raised.append(_backlog_notification(report))
        elif state is BacklogState.HEALTHY and backlog_open:
            resolved.append(backlog_key(name))
        if not raised and not resolved:
            return
        async with self.ctx.uow() as uow:
            for notification in raised:
                await uow.notifications.raise_(notification)
            for key in resolved:
                await uow.notifications.resolve(key, report.as_of)
            await uow.commit()

    def _backlog(self, report: LicenseHealthReport) -> BacklogState:
        rule = self.policy.backlog
        samples = self._samples.setdefault(report.license_number, deque(maxlen=rule.checks))
        age = report.oldest_waiting_age
        samples.append(
            BacklogSample(
                at=report.as_of,
                waiting=report.queue_waiting,
                oldest_waiting_at=report.as_of - age if age is not None else None,
            )
        )
        return backlog_state(samples, rule)


def _stale_notification(report: LicenseHealthReport) -> Notification:
    stale = [t for t in report.types if t.sync_type in report.stale_types]
    parts = []
    for t in stale:
        when = t.last_success_at.isoformat() if t.last_success_at else "never"
        error = f", last error {t.last_error_code}" if t.last_error_code else ""
        parts.append(f"{t.sync_type.value} (last complete pull {when}{error})")
    hours = report.stale_after.total_seconds() / 3600
    return Notification(
        id=uuid4(),
        kind=NotificationKind.PULL_STALE,
        severity=Severity.WARNING,
        title=f"Metrc pulls are stale for license {report.license_number}",
        message=(
            f"No complete pull for more than {hours:g} h of: {'; '.join(parts)}. Canopy's copy "
            "of what Metrc holds is out of date, so reconciliation cannot be trusted."
        ),
        guidance=STALE_GUIDANCE,
        created_at=report.as_of,
        license_number=report.license_number,
        dedup_key=pull_stale_key(report.license_number),
    )


def _backlog_notification(report: LicenseHealthReport) -> Notification:
    age = report.oldest_waiting_age
    minutes = int(age.total_seconds() // 60) if age is not None else 0
    return Notification(
        id=uuid4(),
        kind=NotificationKind.BACKLOG_GROWING,
        severity=Severity.WARNING,
        title=f"Metrc backlog growing for license {report.license_number}",
        message=(
            f"{report.queue_waiting} pushes are waiting and the queue is not draining; the "
            f"oldest was planned {minutes} minutes ago."
        ),
        guidance=BACKLOG_GUIDANCE,
        created_at=report.as_of,
        license_number=report.license_number,
        dedup_key=backlog_key(report.license_number),
    )
