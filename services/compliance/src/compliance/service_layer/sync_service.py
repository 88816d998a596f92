"""Sync runs: the guide's "Sync with Metrc" (a site and sync types), scheduled pulls, and the
worker that executes them.

One run per license and sync type is open at a time: a request for types an open run already
covers joins it (the caller follows that run's progress); only the types nobody is pulling are
queued as a new run. The worker claims queued runs (or a running one whose worker stopped
reporting: it resumes from the feeds' checkpoints), reports progress while it pulls, and stores
the final report (records and pages per type, every error).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from compliance.domain import KeyStatus
from compliance.domain.errors import ComplianceError
from compliance.domain.mirror import PullReport, SyncType
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.errors import NotFoundError, rules_not_found
from compliance.service_layer.mirror_ports import RunState, RunTrigger, SyncRun, SyncRuns
from compliance.service_layer.pull_sync import PullProgress, PullSync

__all__ = ["RequestSync", "SiteNotSyncableError", "SyncRequested", "SyncService", "report_body"]

logger = logging.getLogger("compliance.sync")


class SiteNotSyncableError(ComplianceError):
    code = "SITE_NOT_METRC"


@dataclass(frozen=True)
class RequestSync:
    site_id: UUID
    sync_types: tuple[SyncType, ...]
    actor: str
    trigger: RunTrigger = RunTrigger.MANUAL


@dataclass(frozen=True)
class SyncRequested:
    """The run now holding the request, and whether the request joined a running one."""

    run: SyncRun
    joined: tuple[SyncRun, ...]

    @property
    def joined_running(self) -> bool:
        return any(r.id == self.run.id for r in self.joined)


def report_body(report: PullReport) -> dict[str, Any]:
    """The final report as stored and shown (camelCase: the API passes it on as is)."""
    return {
        "ok": report.ok,
        "startedAt": report.started_at.isoformat(),
        "finishedAt": report.finished_at.isoformat(),
        "types": {t.value: counts for t, counts in report.by_type().items()},
        "feeds": [
            {
                "feed": o.feed.value,
                "pages": o.pages,
                "records": o.records,
                "windows": o.windows,
                "resumed": o.resumed,
                **(
                    {"errorCode": o.error_code, "errorMessage": o.error_message}
                    if o.error_code
                    else {}
                ),
            }
            for o in report.outcomes
        ],
        "errors": [
            {"feed": o.feed.value, "code": o.error_code, "message": o.error_message}
            for o in report.errors
        ],
    }


class SyncService:
    def __init__(
        self,
        ctx: ServiceContext,
        runs: SyncRuns,
        pull: PullSync,
        *,
        heartbeat_every: float = 0.5,
        after_pull: Callable[[str, PullReport], Awaitable[Mapping[str, object]]] | None = None,
    ) -> None:
        """``after_pull``: what a run of the ``transfers`` type does once its lists are in the
        mirror (``incoming_transfers.IncomingAfterPull``); its answer is in the run's report
        under ``incoming``."""
        self.ctx = ctx
        self.runs = runs
        self.pull = pull
        self.heartbeat_every = heartbeat_every
        self.after_pull = after_pull
        self._executing: set[UUID] = set()

    async def request(self, command: RequestSync) -> SyncRequested:
        async with self.ctx.uow() as uow:
            rules = await uow.jurisdictions.get(command.site_id)
        if rules is None:
            raise rules_not_found(command.site_id, to="to say which Metrc license to sync")
        if not rules.license_number or not rules.metrc_base_url:
            raise SiteNotSyncableError(
                f"Site {command.site_id} has no Metrc license and URL in its jurisdiction rules: "
                "there is nothing to sync. If the site reports to Metrc, a user with "
                "compliance:manage adds the facility's license number and Metrc URL under "
                "Compliance > Rules (PUT /api/v1/compliance/rules/{siteId}).",
                details={
                    "siteId": str(command.site_id),
                    "fix": {
                        "screen": "Compliance > Rules",
                        "route": "PUT /api/v1/compliance/rules/{siteId}",
                        "permission": "compliance:manage",
                    },
                },
            )
        return await self.request_license(
            rules.license_number,
            command.sync_types,
            actor=command.actor,
            trigger=command.trigger,
            site_id=command.site_id,
        )

    async def request_license(
        self,
        license_number: str,
        sync_types: Collection[SyncType],
        *,
        actor: str,
        trigger: RunTrigger,
        site_id: UUID | None = None,
    ) -> SyncRequested:
        ordered = tuple(t for t in SyncType if t in set(sync_types))
        run, joined = await self.runs.request(
            SyncRun(
                id=uuid4(),
                license_number=license_number,
                site_id=site_id,
                sync_types=ordered,
                trigger=trigger,
                state=RunState.QUEUED,
                requested_by=actor,
                requested_at=self.ctx.now(),
            )
        )
        return SyncRequested(run, tuple(joined))

    async def get(self, run_id: UUID) -> SyncRun:
        run = await self.runs.get(run_id)
        if run is None:
            raise NotFoundError("SYNC_RUN_NOT_FOUND", f"There is no sync run {run_id}")
        return run

    async def run_next(self, *, stale_after: timedelta) -> SyncRun | None:
        """Claim one run and execute it; None when nothing is queued. A run this process is
        executing is never claimed again here, however slow its heartbeat."""
        now = self.ctx.now()
        run = await self.runs.claim(
            now, stale_before=now - stale_after, exclude=tuple(self._executing)
        )
        if run is None:
            return None
        await self.execute(run)
        return await self.runs.get(run.id)

    async def execute(self, run: SyncRun) -> PullReport:
        latest: dict[str, Any] = {}
        self._executing.add(run.id)

        def seen(progress: PullProgress) -> None:
            latest["progress"] = progress.snapshot()

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.heartbeat_every)
                await self.runs.heartbeat(run.id, latest.get("progress", {}), self.ctx.now())

        beating = asyncio.create_task(beat())
        try:
            report = await self.pull.pull(
                run.license_number, run.sync_types, run_id=str(run.id), on_progress=seen
            )
            incoming = await self._after_pull(run, report)
        except Exception as error:
            # Recorded so the run does not stay RUNNING until it goes stale; raised again so
            # the worker logs it with its traceback.
            await self.runs.finish(
                run.id,
                RunState.FAILED,
                {"ok": False, "errors": [{"code": "INTERNAL", "message": type(error).__name__}]},
                self.ctx.now(),
            )
            raise
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)
            self._executing.discard(run.id)
        state = RunState.SUCCEEDED if report.ok else RunState.FAILED
        body = report_body(report)
        body["progress"] = latest.get("progress", {})
        if incoming is not None:
            body["incoming"] = incoming
        await self.runs.finish(run.id, state, body, self.ctx.now())
        logger.info(
            "sync %s of %s: %s, %s",
            run.id,
            run.license_number,
            state.value,
            {t.value: c for t, c in report.by_type().items()},
        )
        return report

    async def _after_pull(self, run: SyncRun, report: PullReport) -> dict[str, object] | None:
        if self.after_pull is None or SyncType.TRANSFERS not in run.sync_types:
            return None
        try:
            return dict(await self.after_pull(run.license_number, report))
        except Exception as error:
            # The pull itself succeeded; the deliveries are tried again at the next one.
            logger.exception(
                "sync %s of %s: publishing incoming transfers failed", run.id, run.license_number
            )
            return {"error": type(error).__name__}

    async def schedule_due(
        self, interval_for: Callable[[str], float], *, since: datetime
    ) -> list[SyncRun]:
        """Queue an incremental pull of every type for each license with working keys whose
        last run was requested longer ago than its interval; a license never synced counts
        from ``since`` (the worker's start), so starting a worker does not start every pull."""
        async with self.ctx.uow() as uow:
            licenses = [c for c in await uow.credentials.all() if c.status is not KeyStatus.INVALID]
        queued: list[SyncRun] = []
        now = self.ctx.now()
        for credentials in licenses:
            interval = interval_for(credentials.license_number)
            if interval <= 0:
                continue
            recent = await self.runs.recent(credentials.license_number, 1)
            last = recent[0].requested_at if recent else since
            if now - last < timedelta(seconds=interval):
                continue
            requested = await self.request_license(
                credentials.license_number,
                tuple(SyncType),
                actor=self.ctx.system_actor,
                trigger=RunTrigger.SCHEDULED,
            )
            if not requested.joined:
                queued.append(requested.run)
        return queued


def progress_event(run: SyncRun) -> Mapping[str, Any]:
    """What one server-sent progress event carries."""
    return {
        "run_id": str(run.id),
        "state": run.state.value,
        "license_number": run.license_number,
        "sync_types": [t.value for t in run.sync_types],
        "progress": dict(run.progress),
        "report": dict(run.report) if run.report is not None else None,
    }
