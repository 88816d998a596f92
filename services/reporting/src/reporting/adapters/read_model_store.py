"""The consumers' side of the read models on PostgreSQL: batch views, the movement history,
aggregate deltas, partition positions and the compliance rows.

Every write is one statement per table for a whole batch of events: the rows travel as arrays
and ``unnest`` into an INSERT ... ON CONFLICT (an upsert). Aggregate deltas are *added* to their
rows, so a row is touched once per transaction however many events changed it. Rows are sent
in key order, so two consumers adding to the same rows lock them in the same order and cannot
deadlock each other.

Each class takes a connection already inside the caller's transaction, with the generation's
``search_path`` set (:mod:`reporting.adapters.generations`).
"""

# SQL here is assembled only from this module's constant column lists; every value is a bound
# parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Final
from uuid import UUID

import asyncpg
from shared.database import Sql

from reporting.adapters.rows import (
    MOVEMENT_COLUMNS,
    MOVEMENT_TYPES,
    VIEW_COLUMNS,
    VIEW_SELECT,
    VIEW_TYPES,
    columns,
    movement_values,
    position_from_row,
    text,
    view_from_row,
    view_values,
)
from reporting.domain import (
    BatchLinkUpdate,
    BatchView,
    ComplianceFold,
    Deltas,
    FindingUpdate,
    LicenseKey,
    LinkState,
    Movement,
    PartitionPosition,
    PushState,
    PushUpdate,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
)
from reporting.service_layer.commands import Watermark
from reporting.service_layer.ports import FoldWrites, Progress

__all__ = ["PgAggregates", "PgBatchViews", "PgComplianceStore", "PgMovementLog", "PgPositions"]


def _unnest(names: Sequence[str], types: Sequence[str], prefix: str = "") -> str:
    """Array parameters for ``unnest``; NUMERIC ones arrive as text (see adapters.rows).
    ``prefix`` names the parameters apart when statements are combined into one."""
    return ", ".join(
        f"CAST(CAST(:{prefix}{n} AS text[]) AS numeric[])"
        if t == "numeric"
        else f"CAST(:{prefix}{n} AS {t}[])"
        for n, t in zip(names, types, strict=True)
    )


def _named(
    names: Sequence[str], rows: Sequence[tuple[Any, ...]], prefix: str = ""
) -> dict[str, list[Any]]:
    return {prefix + n: c for n, c in zip(names, columns(rows, len(names)), strict=True)}


# Locked in batch id order: two transactions locking overlapping sets cannot deadlock.
_LOCK_VIEWS: Final = Sql(
    f"SELECT {VIEW_SELECT} FROM batch_view WHERE batch_id = ANY(CAST(:ids AS uuid[]))"
    " ORDER BY batch_id FOR UPDATE"
)


# No ON CONFLICT: a view that appeared since the lock (a second consumer during a rebalance)
# makes the transaction fail and be retried, instead of counting that batch twice.
def _add_views(prefix: str = "") -> str:
    return (
        f"INSERT INTO batch_view ({', '.join(VIEW_COLUMNS)})"
        f" SELECT * FROM unnest({_unnest(VIEW_COLUMNS, VIEW_TYPES, prefix)})"
    )


def _replace_views(prefix: str = "") -> str:
    return (
        f"UPDATE batch_view AS b SET ({', '.join(VIEW_COLUMNS[1:])})"
        f" = ({', '.join('u.' + c for c in VIEW_COLUMNS[1:])})"
        f" FROM unnest({_unnest(VIEW_COLUMNS, VIEW_TYPES, prefix)})"
        f" AS u({', '.join(VIEW_COLUMNS)}) WHERE b.batch_id = u.batch_id"
    )


def _append_movements(prefix: str = "") -> str:
    return (
        f"INSERT INTO movement ({', '.join(MOVEMENT_COLUMNS)})"
        f" SELECT * FROM unnest({_unnest(MOVEMENT_COLUMNS, MOVEMENT_TYPES, prefix)})"
    )


_ADD_VIEWS: Final = Sql(_add_views())
_REPLACE_VIEWS: Final = Sql(_replace_views())
_APPEND_MOVEMENTS: Final = Sql(_append_movements())


class PgBatchViews:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock_many(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchView]:
        args = _LOCK_VIEWS.args({"ids": list(batch_ids)})
        return {
            row["batch_id"]: view_from_row(row)
            for row in await self._conn.fetch(_LOCK_VIEWS.text, *args)
        }

    async def add(self, views: Collection[BatchView]) -> None:
        rows = [view_values(v) for v in views]
        await self._conn.execute(_ADD_VIEWS.text, *_ADD_VIEWS.args(_named(VIEW_COLUMNS, rows)))

    async def replace(self, views: Collection[BatchView]) -> None:
        rows = [view_values(v) for v in views]
        args = _REPLACE_VIEWS.args(_named(VIEW_COLUMNS, rows))
        status = await self._conn.execute(_REPLACE_VIEWS.text, *args)
        if status != f"UPDATE {len(rows)}":
            raise RuntimeError(f"replaced views: {status}, expected {len(rows)}")


class PgMovementLog:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append(self, movements: Sequence[Movement]) -> None:
        # No ON CONFLICT: the projection never appends a row twice, and if a bug ever made it,
        # the primary key stops the transaction instead of hiding it.
        rows = [movement_values(m) for m in movements]
        await self._conn.execute(
            _APPEND_MOVEMENTS.text, *_APPEND_MOVEMENTS.args(_named(MOVEMENT_COLUMNS, rows))
        )


def _add_to(
    table: str, keys: Sequence[tuple[str, str]], sums: Sequence[tuple[str, str]], prefix: str = ""
) -> str:
    names = [n for n, _ in (*keys, *sums)]
    types = [t for _, t in (*keys, *sums)]
    key_list = ", ".join(n for n, _ in keys)
    key_positions = ", ".join(str(n + 1) for n in range(len(keys)))
    return (
        f"INSERT INTO {table} AS t ({', '.join(names)})"
        f" SELECT * FROM unnest({_unnest(names, types, prefix)}) ORDER BY {key_positions}"
        f" ON CONFLICT ({key_list}) DO UPDATE SET "
        + ", ".join(f"{n} = t.{n} + EXCLUDED.{n}" for n, _ in sums)
    )


_TOTALS: Final = (("batches", "bigint"), ("units", "numeric"), ("value", "numeric"))
_DASHBOARD: Final = ("dashboard_total", (("site_id", "uuid"), ("dimension", "text"), ("name", "text")), _TOTALS)  # fmt: skip
_AGING: Final = ("aging_day", (("site_id", "uuid"), ("intake_day", "date")), _TOTALS)
_PROFIT: Final = (
    "profit_category",
    (("site_id", "uuid"), ("category", "text")),
    (("batches_with_sales", "bigint"), ("units_sold", "numeric"), ("units_returned", "numeric"),
     ("revenue", "numeric"), ("cogs", "numeric"), ("unpriced_units", "numeric")),
)  # fmt: skip
_ADD_DASHBOARD: Final = Sql(_add_to(*_DASHBOARD))
_ADD_AGING: Final = Sql(_add_to(*_AGING))
_ADD_PROFIT: Final = Sql(_add_to(*_PROFIT))
_DASHBOARD_NAMES: Final = ("site_id", "dimension", "name", "batches", "units", "value")
_AGING_NAMES: Final = ("site_id", "intake_day", "batches", "units", "value")
_PROFIT_NAMES: Final = (
    "site_id", "category", "batches_with_sales", "units_sold", "units_returned", "revenue",
    "cogs", "unpriced_units",
)  # fmt: skip


def _dashboard_rows(deltas: Deltas) -> list[tuple[Any, ...]]:
    return [
        (k.site_id, k.dimension.value, k.name, t.batches, text(t.units), text(t.value))
        for k, t in deltas.dashboard.items()
    ]


def _aging_rows(deltas: Deltas) -> list[tuple[Any, ...]]:
    return [
        (k.site_id, k.day, t.batches, text(t.units), text(t.value)) for k, t in deltas.aging.items()
    ]


def _profit_rows(deltas: Deltas) -> list[tuple[Any, ...]]:
    return [
        (k.site_id, k.category, p.batches_with_sales, text(p.units_sold),
         text(p.units_returned), text(p.revenue), text(p.cogs), text(p.unpriced_units))
        for k, p in deltas.profit.items()
    ]  # fmt: skip


class PgAggregates:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def _add(self, statement: Sql, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await self._conn.execute(statement.text, *statement.args(_named(names, rows)))

    async def apply(self, deltas: Deltas) -> None:
        await self._add(_ADD_DASHBOARD, _DASHBOARD_NAMES, _dashboard_rows(deltas))
        await self._add(_ADD_AGING, _AGING_NAMES, _aging_rows(deltas))
        await self._add(_ADD_PROFIT, _PROFIT_NAMES, _profit_rows(deltas))


def _advance(prefix: str = "") -> str:
    return (
        "INSERT INTO topic_position AS p (topic, partition, last_offset, last_event_at,"
        f" applied_at) SELECT * FROM unnest(CAST(:{prefix}topic AS text[]),"
        f" CAST(:{prefix}partition AS int[]), CAST(:{prefix}offset AS bigint[]),"
        f" CAST(:{prefix}event_at AS timestamptz[]), CAST(:{prefix}applied_at AS timestamptz[]))"
        " ORDER BY 1, 2"
        " ON CONFLICT (topic, partition) DO UPDATE SET last_offset = EXCLUDED.last_offset,"
        " last_event_at = EXCLUDED.last_event_at, applied_at = EXCLUDED.applied_at"
        " WHERE EXCLUDED.last_offset > p.last_offset"
    )


def _progress_values(progress: Sequence[Progress], prefix: str = "") -> dict[str, list[Any]]:
    return {
        prefix + "topic": [p.topic for p in progress],
        prefix + "partition": [p.partition for p in progress],
        prefix + "offset": [p.offset for p in progress],
        prefix + "event_at": [p.event_at for p in progress],
        prefix + "applied_at": [p.applied_at for p in progress],
    }


_ADVANCE: Final = Sql(_advance())
_WATERMARK_VALUES: Final = (
    "unnest(CAST(:topic AS text[]), CAST(:partition AS int[]),"
    " CAST(:high_watermark AS bigint[]), CAST(:watermark_at AS timestamptz[]),"
    " CAST(:last_offset AS bigint[]))"
)
# A partition seen for the first time gets its row. Only missing rows reach the insert: its
# conflict check would wait for a fold updating an existing row.
_NEW_PARTITIONS: Final = Sql(
    "INSERT INTO topic_position (topic, partition, high_watermark, watermark_at, last_offset)"
    f" SELECT * FROM {_WATERMARK_VALUES} AS w(topic, partition, high_watermark, watermark_at,"
    " last_offset) WHERE NOT EXISTS (SELECT 1 FROM topic_position p"
    " WHERE p.topic = w.topic AND p.partition = w.partition) ORDER BY 1, 2"
    " ON CONFLICT (topic, partition) DO NOTHING"
)
# Rows a fold holds are skipped until the next tick: waiting for them, while holding the rows of
# other partitions, deadlocked against folds (each fold locks its aggregates, then its position),
# and the database's deadlock timeout (1 s) then stalled both; a skipped watermark only makes
# the reports say they are older than they are, for a second.
_WATERMARKS: Final = Sql(
    f"WITH w AS (SELECT * FROM {_WATERMARK_VALUES}"
    " AS w(topic, partition, high_watermark, watermark_at, last_offset)),"
    " free AS (SELECT p.topic, p.partition FROM topic_position p"
    " JOIN w ON w.topic = p.topic AND w.partition = p.partition"
    " ORDER BY p.topic, p.partition FOR UPDATE OF p SKIP LOCKED)"
    " UPDATE topic_position AS p SET high_watermark = w.high_watermark,"
    " watermark_at = w.watermark_at, last_offset = greatest(p.last_offset, w.last_offset)"
    " FROM w JOIN free f ON f.topic = w.topic AND f.partition = w.partition"
    " WHERE p.topic = w.topic AND p.partition = w.partition"
    " AND (p.watermark_at IS NULL OR w.watermark_at >= p.watermark_at)"
)
_POSITIONS: Final = Sql("SELECT * FROM topic_position ORDER BY topic, partition")


class PgPositions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def advance(self, progress: Sequence[Progress]) -> None:
        if progress:
            await self._conn.execute(_ADVANCE.text, *_ADVANCE.args(_progress_values(progress)))

    async def record_watermarks(self, watermarks: Sequence[Watermark]) -> None:
        values = {
            "topic": [w.topic for w in watermarks],
            "partition": [w.partition for w in watermarks],
            "high_watermark": [w.high_watermark for w in watermarks],
            "watermark_at": [w.observed_at for w in watermarks],
            "last_offset": [w.handled - 1 for w in watermarks],
        }
        await self._conn.execute(_NEW_PARTITIONS.text, *_NEW_PARTITIONS.args(values))
        await self._conn.execute(_WATERMARKS.text, *_WATERMARKS.args(values))

    async def all(self) -> list[PartitionPosition]:
        return [position_from_row(row) for row in await self._conn.fetch(_POSITIONS.text)]


_GET_LINKS: Final = Sql("SELECT * FROM compliance_link WHERE batch_id = ANY(CAST(:ids AS uuid[]))")
_GET_PUSHES: Final = Sql(
    "SELECT * FROM compliance_push WHERE submission_id = ANY(CAST(:ids AS uuid[]))"
)
_PUT_PUSHES: Final = Sql(
    "INSERT INTO compliance_push"
    " (submission_id, batch_id, site_id, license_number, state, version, occurred_at)"
    " SELECT * FROM unnest(CAST(:submission_id AS uuid[]), CAST(:batch_id AS uuid[]),"
    " CAST(:site_id AS uuid[]), CAST(:license_number AS text[]), CAST(:state AS text[]),"
    " CAST(:version AS bigint[]), CAST(:occurred_at AS timestamptz[]))"
    " ON CONFLICT (submission_id) DO UPDATE SET batch_id = EXCLUDED.batch_id,"
    " site_id = EXCLUDED.site_id, license_number = EXCLUDED.license_number,"
    " state = EXCLUDED.state, version = EXCLUDED.version, occurred_at = EXCLUDED.occurred_at"
)
_GET_FINDINGS: Final = Sql(
    "SELECT * FROM compliance_finding WHERE finding_id = ANY(CAST(:ids AS uuid[]))"
)
_GET_SYNCS: Final = Sql(
    "SELECT s.* FROM compliance_sync s"
    " JOIN unnest(CAST(:sites AS uuid[]), CAST(:licenses AS text[])) AS k(site_id, license_number)"
    " USING (site_id, license_number)"
)
_PUT_LINKS: Final = Sql(
    "INSERT INTO compliance_link (batch_id, site_id, license_number, state, version, occurred_at)"
    " SELECT * FROM unnest(CAST(:batch_id AS uuid[]), CAST(:site_id AS uuid[]),"
    " CAST(:license_number AS text[]), CAST(:state AS text[]), CAST(:version AS bigint[]),"
    " CAST(:occurred_at AS timestamptz[]))"
    " ON CONFLICT (batch_id) DO UPDATE SET site_id = EXCLUDED.site_id,"
    " license_number = EXCLUDED.license_number, state = EXCLUDED.state,"
    " version = EXCLUDED.version, occurred_at = EXCLUDED.occurred_at"
)
_PUT_FINDINGS: Final = Sql(
    "INSERT INTO compliance_finding"
    " (finding_id, site_id, license_number, finding_class, open, version, occurred_at)"
    " SELECT * FROM unnest(CAST(:finding_id AS uuid[]), CAST(:site_id AS uuid[]),"
    " CAST(:license_number AS text[]), CAST(:finding_class AS text[]), CAST(:open AS boolean[]),"
    " CAST(:version AS bigint[]), CAST(:occurred_at AS timestamptz[]))"
    " ON CONFLICT (finding_id) DO UPDATE SET site_id = EXCLUDED.site_id,"
    " license_number = EXCLUDED.license_number, finding_class = EXCLUDED.finding_class,"
    " open = EXCLUDED.open, version = EXCLUDED.version, occurred_at = EXCLUDED.occurred_at"
)
_PUT_SYNCS: Final = Sql(
    "INSERT INTO compliance_sync"
    " (site_id, license_number, sync_id, direction, outcome, finished_at)"
    " SELECT * FROM unnest(CAST(:site_id AS uuid[]), CAST(:license_number AS text[]),"
    " CAST(:sync_id AS uuid[]), CAST(:direction AS text[]), CAST(:outcome AS text[]),"
    " CAST(:finished_at AS timestamptz[]))"
    " ON CONFLICT (site_id, license_number) DO UPDATE SET sync_id = EXCLUDED.sync_id,"
    " direction = EXCLUDED.direction, outcome = EXCLUDED.outcome,"
    " finished_at = EXCLUDED.finished_at"
)
_ADD_LINK_COUNTS: Final = Sql(
    _add_to(
        "license_link_count",
        (("site_id", "uuid"), ("license_number", "text")),
        (("linked", "bigint"), ("pending", "bigint"), ("failed", "bigint")),
    )
)
_ADD_FINDING_COUNTS: Final = Sql(
    _add_to(
        "license_finding_count",
        (("site_id", "uuid"), ("license_number", "text"), ("finding_class", "text")),
        (("open_count", "bigint"),),
    )
)


def _link(row: Any) -> BatchLinkUpdate:
    return BatchLinkUpdate(
        row["batch_id"], row["site_id"], row["license_number"], LinkState(row["state"]),
        row["version"], row["occurred_at"],
    )  # fmt: skip


def _push(row: Any) -> PushUpdate:
    return PushUpdate(
        row["submission_id"], row["batch_id"], row["site_id"], row["license_number"],
        PushState(row["state"]), row["version"], row["occurred_at"],
    )  # fmt: skip


def _finding(row: Any) -> FindingUpdate:
    return FindingUpdate(
        row["finding_id"], row["site_id"], row["license_number"], row["finding_class"],
        row["open"], row["version"], row["occurred_at"],
    )  # fmt: skip


def sync_from_row(row: Any) -> SyncFinished:
    return SyncFinished(
        row["sync_id"], row["site_id"], row["license_number"], SyncDirection(row["direction"]),
        SyncOutcome(row["outcome"]), row["finished_at"],
    )  # fmt: skip


class PgComplianceStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def links(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchLinkUpdate]:
        rows = await self._conn.fetch(_GET_LINKS.text, *_GET_LINKS.args({"ids": list(batch_ids)}))
        return {row["batch_id"]: _link(row) for row in rows}

    async def pushes(self, submission_ids: Collection[UUID]) -> dict[UUID, PushUpdate]:
        args = _GET_PUSHES.args({"ids": list(submission_ids)})
        return {
            row["submission_id"]: _push(row)
            for row in await self._conn.fetch(_GET_PUSHES.text, *args)
        }

    async def findings(self, finding_ids: Collection[UUID]) -> dict[UUID, FindingUpdate]:
        args = _GET_FINDINGS.args({"ids": list(finding_ids)})
        return {
            row["finding_id"]: _finding(row)
            for row in await self._conn.fetch(_GET_FINDINGS.text, *args)
        }

    async def syncs(self, licenses: Collection[LicenseKey]) -> dict[LicenseKey, SyncFinished]:
        keys = list(licenses)
        args = _GET_SYNCS.args(
            {"sites": [k.site_id for k in keys], "licenses": [k.license_number for k in keys]}
        )
        rows = await self._conn.fetch(_GET_SYNCS.text, *args)
        return {
            LicenseKey(row["site_id"], row["license_number"]): sync_from_row(row) for row in rows
        }

    async def _write(
        self, statement: Sql, names: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if rows:
            await self._conn.execute(statement.text, *statement.args(_named(names, rows)))

    async def save(self, fold: ComplianceFold) -> None:
        await self._write(
            _PUT_LINKS,
            ("batch_id", "site_id", "license_number", "state", "version", "occurred_at"),
            [(u.batch_id, u.site_id, u.license_number, u.state.value, u.version, u.occurred_at)
             for u in fold.links.values()],
        )  # fmt: skip
        await self._write(
            _PUT_PUSHES,
            ("submission_id", "batch_id", "site_id", "license_number", "state", "version",
             "occurred_at"),
            [(u.submission_id, u.batch_id, u.site_id, u.license_number, u.state.value, u.version,
              u.occurred_at) for u in fold.pushes.values()],
        )  # fmt: skip
        await self._write(
            _PUT_FINDINGS,
            ("finding_id", "site_id", "license_number", "finding_class", "open", "version",
             "occurred_at"),
            [(u.finding_id, u.site_id, u.license_number, u.finding_class, u.open, u.version,
              u.occurred_at) for u in fold.findings.values()],
        )  # fmt: skip
        await self._write(
            _PUT_SYNCS,
            ("site_id", "license_number", "sync_id", "direction", "outcome", "finished_at"),
            [(s.site_id, s.license_number, s.sync_id, s.direction.value, s.outcome.value,
              s.finished_at) for s in fold.syncs.values()],
        )  # fmt: skip
        await self._write(
            _ADD_LINK_COUNTS,
            ("site_id", "license_number", "linked", "pending", "failed"),
            [(k.site_id, k.license_number, c.linked, c.pending, c.failed)
             for k, c in fold.deltas.links.items()],
        )  # fmt: skip
        await self._write(
            _ADD_FINDING_COUNTS,
            ("site_id", "license_number", "finding_class", "open_count"),
            [(k.site_id, k.license_number, k.finding_class, n)
             for k, n in fold.deltas.open_findings.items()],
        )  # fmt: skip


# A fold's writes as one statement (data-modifying CTEs, each on its own table or rows): one
# round trip instead of up to seven. On a loaded machine each round trip waits for the
# database's process to get a core, and that waiting was most of the consumer's lag.
_WRITE_FOLD: Final = Sql(
    f"WITH new_views AS ({_add_views('n_')}),"
    f" replaced AS ({_replace_views('r_')} RETURNING 1),"
    f" ledger AS ({_append_movements('m_')}),"
    f" dashboard AS ({_add_to(*_DASHBOARD, prefix='d_')}),"
    f" aging AS ({_add_to(*_AGING, prefix='a_')}),"
    f" profit AS ({_add_to(*_PROFIT, prefix='p_')}),"
    f" positions AS ({_advance('t_')})"
    " SELECT count(*) FROM replaced"
)


async def write_fold(conn: asyncpg.Connection, writes: FoldWrites) -> None:
    """Every write of one fold (``ReadModelUnitOfWork.write_fold``) in one statement."""
    values = {
        **_named(VIEW_COLUMNS, [view_values(v) for v in writes.new_views], "n_"),
        **_named(VIEW_COLUMNS, [view_values(v) for v in writes.replaced_views], "r_"),
        **_named(MOVEMENT_COLUMNS, [movement_values(m) for m in writes.movements], "m_"),
        **_named(_DASHBOARD_NAMES, _dashboard_rows(writes.deltas), "d_"),
        **_named(_AGING_NAMES, _aging_rows(writes.deltas), "a_"),
        **_named(_PROFIT_NAMES, _profit_rows(writes.deltas), "p_"),
        **_progress_values(writes.progress, "t_"),
    }
    replaced = await conn.fetchval(_WRITE_FOLD.text, *_WRITE_FOLD.args(values))
    if replaced != len(writes.replaced_views):
        raise RuntimeError(f"replaced {replaced} views, expected {len(writes.replaced_views)}")
