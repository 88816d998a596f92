"""Reconciliation on PostgreSQL: what a run reads (set-based: one statement per kind of record,
whatever the number of batches), the findings and runs it stores, the events it publishes, and
the movements approved fixes expect (``service_layer.reconciliation_ports``)."""

# Statements are built from constant fragments only (column lists, the queue's NOT_DONE);
# every value is a bound parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from shared.database import Connection, Sql, from_row
from shared.events import compliance as ev
from shared.json_form import encode
from shared.outbox import outbox_message, write_outbox

from compliance.adapters.postgres.codec import from_json, to_json
from compliance.adapters.postgres.submissions import NOT_DONE
from compliance.domain.links import LinkState
from compliance.domain.mirror import FEEDS, SyncType
from compliance.domain.reconciliation import (
    KEY_ERROR_CODES,
    Finding,
    FindingClass,
    FindingRecord,
    FindingState,
    FixKind,
    Lot,
    MetrcAdjustment,
    MetrcPackage,
    PendingWrite,
    PullProblem,
    write_effect,
)
from compliance.domain.submissions import SubmissionKind, SubmissionState
from compliance.service_layer.reconciliation_ports import FindingQuery, ReconciliationRun

__all__ = ["PgFindings", "PgMovements", "PgReconciliationReads"]

PRODUCER: Final = "compliance"

_LOTS = Sql(
    """
    SELECT batch_id, site_id, state, tag, batch->>'code' AS code,
           batch->>'package_tag' AS package_tag, CAST(batch->>'physical' AS numeric) AS physical,
           batch->>'unit' AS unit, batch->>'product_id' AS product_id,
           batch->>'product_name' AS product_name, CAST(batch->>'version' AS integer) AS version
    FROM package_links WHERE license_number = :license_number
    """
)
_PACKAGES = Sql(
    """
    SELECT label, metrc_id, status, quantity, unit, item FROM metrc_mirror
    WHERE license_number = :license_number AND sync_type = 'packages' AND label IS NOT NULL
    """
)
_ADJUSTMENTS = Sql(
    """
    SELECT key, label, quantity, data->>'AdjustmentReasonName' AS reason,
           data->>'AdjustmentNote' AS note, data->>'AdjustmentDate' AS date
    FROM metrc_mirror
    WHERE license_number = :license_number AND sync_type = 'adjustments'
      AND label IS NOT NULL AND quantity IS NOT NULL
    """
)
_WRITES = Sql(
    f"""
    SELECT id, batch_id, kind, state, CAST(intent->>'quantity' AS numeric) AS quantity
    FROM submissions WHERE license_number = :license_number AND {NOT_DONE}
    """
)
_DEPARTED = Sql(
    """
    SELECT DISTINCT batch_id FROM submissions
    WHERE license_number = :license_number AND kind = 'TRANSFER_OUT' AND state = 'SETTLED'
      AND (settled_by->>'accepted')::boolean
    """
)
# A list's latest pull failed when its failure is later than its last complete pull's end (not
# its start: a pull resumed from a checkpoint keeps the start the failed one planned).
_PULL_PROBLEMS = Sql(
    """
    SELECT feed, last_error_code, last_error_message FROM metrc_pull_state
    WHERE license_number = :license_number AND feed = ANY(CAST(:feeds AS text[]))
      AND last_failed_at IS NOT NULL
      AND (last_finished_at IS NULL OR last_failed_at > last_finished_at)
      AND last_error_code = ANY(CAST(:codes AS text[]))
    """
)


class PgReconciliationReads:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _fetch(self, sql: Sql, **values: Any) -> list[Any]:
        return list(await self._conn.fetch(sql.text, *sql.args(values)))

    async def lots(self, license_number: str) -> list[Lot]:
        rows = await self._fetch(_LOTS, license_number=license_number)
        return [from_row(Lot, r, state=LinkState(r["state"])) for r in rows]

    async def packages(self, license_number: str) -> list[MetrcPackage]:
        rows = await self._fetch(_PACKAGES, license_number=license_number)
        return [from_row(MetrcPackage, r) for r in rows]

    async def adjustments(self, license_number: str) -> list[MetrcAdjustment]:
        rows = await self._fetch(_ADJUSTMENTS, license_number=license_number)
        return [from_row(MetrcAdjustment, r) for r in rows]

    async def writes(self, license_number: str) -> list[PendingWrite]:
        rows = await self._fetch(_WRITES, license_number=license_number)
        return [_pending_write(r) for r in rows]

    async def departed(self, license_number: str) -> frozenset[UUID]:
        rows = await self._fetch(_DEPARTED, license_number=license_number)
        return frozenset(r["batch_id"] for r in rows)

    async def pull_problems(self, license_number: str) -> list[PullProblem]:
        rows = await self._fetch(
            _PULL_PROBLEMS,
            license_number=license_number,
            feeds=[f.value for f in FEEDS[SyncType.PACKAGES]],
            codes=sorted(KEY_ERROR_CODES),
        )
        return [
            PullProblem(feed=r["feed"], code=r["last_error_code"], message=r["last_error_message"])
            for r in rows
        ]


def _pending_write(r: Mapping[str, Any]) -> PendingWrite:
    kind = SubmissionKind(r["kind"])
    return PendingWrite(
        submission_id=r["id"],
        batch_id=r["batch_id"],
        kind=kind,
        state=SubmissionState(r["state"]),
        effect=write_effect(kind, r["quantity"]),
    )


# --- findings -----------------------------------------------------------------------------------

_COLUMNS = (
    "id, license_number, key, finding_class, state, site_id, batch_ids, tags, finding, "
    "opened_at, opened_run, updated_at, last_run, decided_by, decided_at, decision_note, "
    "applied, error, settled_at"
)
_SAVE = Sql(
    f"""
    INSERT INTO reconciliation_findings ({_COLUMNS})
    SELECT r.id, r.license_number, r.key, r.finding_class, r.state, r.site_id,
           CAST(r.batch_ids AS uuid[]), CAST(r.tags AS text[]), CAST(r.finding AS jsonb),
           r.opened_at, r.opened_run, r.updated_at, r.last_run, r.decided_by, r.decided_at,
           r.decision_note, CAST(r.applied AS jsonb), r.error, r.settled_at
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        id uuid, license_number text, key text, finding_class text, state text, site_id uuid,
        batch_ids text, tags text, finding text, opened_at timestamptz, opened_run uuid,
        updated_at timestamptz, last_run uuid, decided_by text, decided_at timestamptz,
        decision_note text, applied text, error text, settled_at timestamptz)
    ON CONFLICT (id) DO UPDATE SET
        state = EXCLUDED.state, site_id = EXCLUDED.site_id, batch_ids = EXCLUDED.batch_ids,
        tags = EXCLUDED.tags, finding = EXCLUDED.finding, updated_at = EXCLUDED.updated_at,
        last_run = EXCLUDED.last_run, decided_by = EXCLUDED.decided_by,
        decided_at = EXCLUDED.decided_at, decision_note = EXCLUDED.decision_note,
        applied = EXCLUDED.applied, error = EXCLUDED.error, settled_at = EXCLUDED.settled_at
    """
)
_SELECT = f"SELECT {_COLUMNS} FROM reconciliation_findings"
_UNDECIDED = Sql(
    f"{_SELECT} WHERE license_number = :license_number AND state IN ('OPEN', 'APPLYING')"
)
_GET = Sql(f"{_SELECT} WHERE id = :id")
_GET_FOR_UPDATE = Sql(f"{_SELECT} WHERE id = :id FOR UPDATE")
_SEARCH = Sql(
    f"""
    {_SELECT}
    WHERE license_number = :license_number
      AND (CAST(:states AS text[]) IS NULL OR state = ANY(CAST(:states AS text[])))
      AND (CAST(:classes AS text[]) IS NULL OR finding_class = ANY(CAST(:classes AS text[])))
      AND (CAST(:before_at AS timestamptz) IS NULL
           OR (opened_at, id) < (CAST(:before_at AS timestamptz), CAST(:before_id AS uuid)))
    ORDER BY opened_at DESC, id DESC
    LIMIT :limit
    """
)
_OPENED_BY = Sql(
    f"{_SELECT} WHERE license_number = :license_number AND opened_at <= :as_of"
    " ORDER BY opened_at, id"
)
_SETTLED_EVIDENCE = Sql(
    """
    SELECT finding FROM reconciliation_findings
    WHERE license_number = :license_number AND state IN ('APPLIED', 'REJECTED')
      AND finding_class = ANY(CAST(:classes AS text[]))
    """
)
_ADD_RUN = Sql(
    """
    INSERT INTO reconciliation_runs (id, license_number, actor, started_at, finished_at, lots,
                                     packages, opened, updated, settled, by_class, duration_ms)
    VALUES (:id, :license_number, :actor, :started_at, :finished_at, :lots, :packages,
            :opened, :updated, :settled, CAST(:by_class AS jsonb), :duration_ms)
    """
)
_RUNS = Sql(
    """
    SELECT id, license_number, actor, started_at, finished_at, lots, packages, opened, updated,
           settled, by_class, duration_ms
    FROM reconciliation_runs WHERE license_number = :license_number
    ORDER BY started_at DESC LIMIT :limit
    """
)
_LOCK = Sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def _record(row: Mapping[str, Any]) -> FindingRecord:
    return from_row(
        FindingRecord,
        row,
        finding=from_json(Finding, json.loads(row["finding"])),
        state=FindingState(row["state"]),
        applied=json.loads(row["applied"]) if row["applied"] else None,
    )


def _row(r: FindingRecord) -> dict[str, Any]:
    f = r.finding
    return {
        "id": str(r.id),
        "license_number": f.license_number,
        "key": f.key,
        "finding_class": f.finding_class.value,
        "state": r.state.value,
        "site_id": str(f.site_id) if f.site_id else None,
        "batch_ids": "{" + ",".join(str(b) for b in f.batch_ids) + "}",
        "tags": "{" + ",".join(f.tags) + "}",
        "finding": encode(to_json(f)),
        "opened_at": r.opened_at.isoformat(),
        "opened_run": str(r.opened_run),
        "updated_at": r.updated_at.isoformat(),
        "last_run": str(r.last_run),
        "decided_by": r.decided_by,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decision_note": r.decision_note,
        "applied": json.dumps(r.applied) if r.applied is not None else None,
        "error": r.error,
        "settled_at": r.settled_at.isoformat() if r.settled_at else None,
    }


def finding_event(r: FindingRecord, *, actor: str, at: datetime) -> ev.FindingChangedV1:
    f = r.finding
    return ev.FindingChangedV1(
        finding_id=r.id,
        license_number=f.license_number,
        site_id=f.site_id,
        finding_class=f.finding_class.value,
        state=r.state.value,
        batch_ids=list(f.batch_ids),
        tags=list(f.tags),
        unit=f.unit,
        canopy_quantity=f.canopy_quantity,
        metrc_quantity=f.metrc_quantity,
        pending_quantity=f.pending_quantity,
        fix=f.fix.kind.value,
        message=f.message,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        opened_at=r.opened_at,
        occurred_at=at,
        actor=actor,
    )


class PgFindings:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._events: list[Any] = []

    async def lock(self, license_number: str) -> None:
        """One run or decision per license at a time (until the transaction ends)."""
        key = f"compliance.reconciliation:{license_number}"
        await self._conn.execute(_LOCK.text, *_LOCK.args({"key": key}))

    async def save_many(self, records: Sequence[FindingRecord]) -> None:
        if records:
            rows = json.dumps([_row(r) for r in records])
            await self._conn.execute(_SAVE.text, *_SAVE.args({"rows": rows}))

    async def publish(self, records: Sequence[FindingRecord], *, actor: str, at: datetime) -> None:
        """Publish each finding as it now stands (``compliance.finding_changed``), with the
        transaction."""
        messages = [
            outbox_message(
                finding_event(r, actor=actor, at=at),
                producer=PRODUCER,
                aggregate_id=str(r.id),
                site_id=str(r.finding.site_id) if r.finding.site_id else None,
                occurred_at=at,
            )
            for r in records
        ]
        if messages:
            await write_outbox(self._conn, messages)

    async def undecided(self, license_number: str) -> list[FindingRecord]:
        rows = await self._conn.fetch(
            _UNDECIDED.text, *_UNDECIDED.args({"license_number": license_number})
        )
        return [_record(r) for r in rows]

    async def get(self, finding_id: UUID, *, for_update: bool = False) -> FindingRecord | None:
        sql = _GET_FOR_UPDATE if for_update else _GET
        row = await self._conn.fetchrow(sql.text, *sql.args({"id": finding_id}))
        return _record(row) if row else None

    async def search(self, query: FindingQuery) -> list[FindingRecord]:
        rows = await self._conn.fetch(
            _SEARCH.text,
            *_SEARCH.args(
                {
                    "license_number": query.license_number,
                    "states": [s.value for s in query.states] or None,
                    "classes": [c.value for c in query.classes] or None,
                    "before_at": query.before[0] if query.before else None,
                    "before_id": query.before[1] if query.before else None,
                    "limit": query.limit,
                }
            ),
        )
        return [_record(r) for r in rows]

    async def opened_by(self, license_number: str, as_of: datetime) -> list[FindingRecord]:
        rows = await self._conn.fetch(
            _OPENED_BY.text,
            *_OPENED_BY.args({"license_number": license_number, "as_of": as_of}),
        )
        return [_record(r) for r in rows]

    async def settled_evidence(self, license_number: str) -> frozenset[str]:
        rows = await self._conn.fetch(
            _SETTLED_EVIDENCE.text,
            *_SETTLED_EVIDENCE.args(
                {
                    "license_number": license_number,
                    "classes": [
                        FindingClass.CHANGED_IN_METRC.value,
                        FindingClass.EQUAL_AND_OPPOSITE.value,
                    ],
                }
            ),
        )
        keys: set[str] = set()
        for r in rows:
            for e in json.loads(r["finding"]).get("evidence", []):
                if e.get("kind") == "METRC_ADJUSTMENT":
                    keys.add(e["key"])
        return frozenset(keys)

    async def add_run(self, run: ReconciliationRun) -> None:
        await self._conn.execute(
            _ADD_RUN.text,
            *_ADD_RUN.args(
                {
                    "id": run.id,
                    "license_number": run.license_number,
                    "actor": run.actor,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "lots": run.lots,
                    "packages": run.packages,
                    "opened": run.opened,
                    "updated": run.updated,
                    "settled": run.settled,
                    "by_class": json.dumps(dict(run.by_class)),
                    "duration_ms": run.duration_ms,
                }
            ),
        )

    async def runs(self, license_number: str, limit: int) -> list[ReconciliationRun]:
        rows = await self._conn.fetch(
            _RUNS.text, *_RUNS.args({"license_number": license_number, "limit": limit})
        )
        return [from_row(ReconciliationRun, r, by_class=json.loads(r["by_class"])) for r in rows]


_EXPECTED = Sql(
    """
    SELECT id, finding FROM reconciliation_findings
    WHERE id = ANY(CAST(:ids AS uuid[])) AND state IN ('APPLYING', 'APPLIED')
      AND :batch_id = ANY(batch_ids)
    """
)


class PgMovements:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def expected(self, batch_id: UUID, finding_ids: Collection[UUID]) -> dict[UUID, Decimal]:
        rows = await self._conn.fetch(
            _EXPECTED.text, *_EXPECTED.args({"ids": list(finding_ids), "batch_id": batch_id})
        )
        out: dict[UUID, Decimal] = {}
        for r in rows:
            fix = json.loads(r["finding"])["fix"]
            if fix["kind"] != FixKind.LOCAL_MOVEMENT.value:
                continue
            for action in fix["actions"]:
                if action.get("batch_id") == str(batch_id) and action.get("quantity") is not None:
                    out[r["id"]] = Decimal(action["quantity"])
        return out
