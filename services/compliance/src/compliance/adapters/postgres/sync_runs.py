"""Sync runs on PostgreSQL (``service_layer.mirror_ports.SyncRuns``).

A request takes the license's advisory lock, so two requests for one license cannot both see
no open run and both queue one: at most one open run holds each (license, sync type).
"""

# ruff: noqa: S608  (the f-strings only join this module's constant column list)
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.database import Database, Sql, from_row

from compliance.domain.mirror import SyncType
from compliance.service_layer.mirror_ports import RunState, RunTrigger, SyncRun

__all__ = ["PgSyncRuns"]

_COLUMNS = (
    "id, license_number, site_id, sync_types, trigger, state, requested_by, requested_at, "
    "started_at, finished_at, heartbeat_at, progress, report"
)
_LOCK = Sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_OPEN = Sql(
    f"""
    SELECT {_COLUMNS} FROM metrc_sync_runs
    WHERE license_number = :license_number AND state IN ('QUEUED', 'RUNNING')
    ORDER BY requested_at
    """
)
_INSERT = Sql(
    """
    INSERT INTO metrc_sync_runs (id, license_number, site_id, sync_types, trigger, state,
                                 requested_by, requested_at)
    VALUES (:id, :license_number, :site_id, :sync_types, :trigger, 'QUEUED', :requested_by,
            :requested_at)
    """
)
_GET = Sql(f"SELECT {_COLUMNS} FROM metrc_sync_runs WHERE id = :id")
_CLAIM = Sql(
    f"""
    UPDATE metrc_sync_runs SET state = 'RUNNING', started_at = COALESCE(started_at, :at),
                               heartbeat_at = :at
    WHERE id = (
        SELECT id FROM metrc_sync_runs
        WHERE (state = 'QUEUED' OR (state = 'RUNNING' AND heartbeat_at < :stale_before))
          AND NOT (id = ANY(CAST(:exclude AS uuid[])))
        ORDER BY requested_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING {_COLUMNS}
    """
)
_HEARTBEAT = Sql(
    """
    UPDATE metrc_sync_runs SET heartbeat_at = :at, progress = CAST(:progress AS jsonb)
    WHERE id = :id AND state = 'RUNNING'
    """
)
_FINISH = Sql(
    """
    UPDATE metrc_sync_runs SET state = :state, finished_at = :at, heartbeat_at = :at,
                               report = CAST(:report AS jsonb)
    WHERE id = :id
    """
)
_RECENT = Sql(
    f"""
    SELECT {_COLUMNS} FROM metrc_sync_runs WHERE license_number = :license_number
    ORDER BY requested_at DESC LIMIT :limit
    """
)
_OPEN_STATS = Sql(
    """
    SELECT count(*) AS n, min(requested_at) AS oldest FROM metrc_sync_runs
    WHERE license_number = :license_number AND state IN ('QUEUED', 'RUNNING')
    """
)


def _run(row: Mapping[str, Any]) -> SyncRun:
    return from_row(
        SyncRun,
        row,
        sync_types=tuple(SyncType(t) for t in row["sync_types"]),
        trigger=RunTrigger(row["trigger"]),
        state=RunState(row["state"]),
        progress=json.loads(row["progress"]) if row["progress"] else {},
        report=json.loads(row["report"]) if row["report"] else None,
    )


class PgSyncRuns:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def request(self, run: SyncRun) -> tuple[SyncRun, list[SyncRun]]:
        async with self._db.connection() as conn, conn.transaction():
            await conn.execute(_LOCK.text, *_LOCK.args({"key": f"metrc-sync:{run.license_number}"}))
            rows = await conn.fetch(_OPEN.text, *_OPEN.args({"license_number": run.license_number}))
            open_runs = [_run(r) for r in rows]
            covered = {t for r in open_runs for t in r.sync_types}
            wanted = set(run.sync_types)
            joined = [r for r in open_runs if wanted & set(r.sync_types)]
            missing = tuple(t for t in run.sync_types if t not in covered)
            if not missing:
                holder = (
                    next(r for r in joined if wanted <= set(r.sync_types))
                    if any(wanted <= set(r.sync_types) for r in joined)
                    else joined[0]
                )
                return holder, joined
            queued = SyncRun(
                id=run.id,
                license_number=run.license_number,
                site_id=run.site_id,
                sync_types=missing,
                trigger=run.trigger,
                state=RunState.QUEUED,
                requested_by=run.requested_by,
                requested_at=run.requested_at,
            )
            await conn.execute(
                _INSERT.text,
                *_INSERT.args(
                    {
                        "id": queued.id,
                        "license_number": queued.license_number,
                        "site_id": queued.site_id,
                        "sync_types": [t.value for t in queued.sync_types],
                        "trigger": queued.trigger.value,
                        "requested_by": queued.requested_by,
                        "requested_at": queued.requested_at,
                    }
                ),
            )
            return queued, joined

    async def get(self, run_id: UUID) -> SyncRun | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(_GET.text, *_GET.args({"id": run_id}))
        return None if row is None else _run(row)

    async def claim(
        self, at: datetime, *, stale_before: datetime, exclude: Sequence[UUID] = ()
    ) -> SyncRun | None:
        values = {"at": at, "stale_before": stale_before, "exclude": list(exclude)}
        async with self._db.connection() as conn:
            row = await conn.fetchrow(_CLAIM.text, *_CLAIM.args(values))
        return None if row is None else _run(row)

    async def heartbeat(self, run_id: UUID, progress: Mapping[str, Any], at: datetime) -> None:
        async with self._db.connection() as conn:
            await conn.execute(
                _HEARTBEAT.text,
                *_HEARTBEAT.args({"id": run_id, "progress": json.dumps(progress), "at": at}),
            )

    async def finish(
        self, run_id: UUID, state: RunState, report: Mapping[str, Any], at: datetime
    ) -> None:
        async with self._db.connection() as conn:
            await conn.execute(
                _FINISH.text,
                *_FINISH.args(
                    {"id": run_id, "state": state.value, "report": json.dumps(report), "at": at}
                ),
            )

    async def recent(self, license_number: str, limit: int) -> list[SyncRun]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _RECENT.text, *_RECENT.args({"license_number": license_number, "limit": limit})
            )
        return [_run(r) for r in rows]

    async def open_count(self, license_number: str) -> int:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                _OPEN_STATS.text, *_OPEN_STATS.args({"license_number": license_number})
            )
        return int(row["n"]) if row else 0

    async def oldest_open(self, license_number: str) -> datetime | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                _OPEN_STATS.text, *_OPEN_STATS.args({"license_number": license_number})
            )
        return None if row is None else row["oldest"]
