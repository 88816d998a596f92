"""The mirror, its checkpoints and pull state on PostgreSQL (``service_layer.mirror_ports.MirrorStore``).

A page is one statement for its records (arrays ``unnest``-ed into an upsert) and one for its
number in the checkpoint, in one transaction. The upsert keeps the copy Metrc modified last
(``last_modified`` only moves forward in Metrc); a record without a time (tags) is replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.database import Database, Sql, from_row

from compliance.domain.mirror import Feed, FeedCursor, MirrorRecord, SyncType
from compliance.service_layer.mirror_ports import RateBudget

__all__ = ["PgMirrorStore"]

_UPSERT = Sql(
    """
    INSERT INTO metrc_mirror (license_number, sync_type, key, status, metrc_id, label,
                              last_modified, quantity, unit, item, data, pulled_at, run_id)
    SELECT :license_number, :sync_type, r.key, r.status, r.metrc_id, r.label, r.last_modified,
           r.quantity, r.unit, r.item, CAST(r.data AS jsonb), :pulled_at, :run_id
    FROM unnest(CAST(:keys AS text[]), CAST(:statuses AS text[]), CAST(:ids AS bigint[]),
                CAST(:labels AS text[]), CAST(:stamps AS timestamptz[]),
                CAST(:quantities AS numeric[]), CAST(:units AS text[]), CAST(:items AS text[]),
                CAST(:datas AS text[]))
         AS r(key, status, metrc_id, label, last_modified, quantity, unit, item, data)
    ON CONFLICT (license_number, sync_type, key) DO UPDATE SET
        status = EXCLUDED.status, metrc_id = EXCLUDED.metrc_id, label = EXCLUDED.label,
        last_modified = EXCLUDED.last_modified, quantity = EXCLUDED.quantity,
        unit = EXCLUDED.unit, item = EXCLUDED.item, data = EXCLUDED.data,
        pulled_at = EXCLUDED.pulled_at, run_id = EXCLUDED.run_id
    WHERE metrc_mirror.last_modified IS NULL OR EXCLUDED.last_modified IS NULL
       OR EXCLUDED.last_modified >= metrc_mirror.last_modified
    """
)
_MARK_PAGE = Sql(
    """
    UPDATE metrc_pull_cursors SET pages_done = array_append(pages_done, :page)
    WHERE license_number = :license_number AND feed = :feed AND run_id = :run_id
      AND NOT (:page = ANY(pages_done))
    """
)
_SAVE_CURSOR = Sql(
    """
    INSERT INTO metrc_pull_cursors (license_number, feed, run_id, as_of, since, window_index,
                                    total_pages, total_records, pages_done, rereads, started_at)
    VALUES (:license_number, :feed, :run_id, :as_of, :since, :window_index, :total_pages,
            :total_records, :pages_done, :rereads, :started_at)
    ON CONFLICT (license_number, feed) DO UPDATE SET
        run_id = EXCLUDED.run_id, as_of = EXCLUDED.as_of, since = EXCLUDED.since,
        window_index = EXCLUDED.window_index, total_pages = EXCLUDED.total_pages,
        total_records = EXCLUDED.total_records, pages_done = EXCLUDED.pages_done,
        rereads = EXCLUDED.rereads, started_at = EXCLUDED.started_at
    """
)
_CURSOR = Sql(
    """
    SELECT run_id, as_of, since, window_index, total_pages, total_records, pages_done, rereads,
           started_at
    FROM metrc_pull_cursors WHERE license_number = :license_number AND feed = :feed
    """
)
_DROP_CURSOR = Sql(
    "DELETE FROM metrc_pull_cursors WHERE license_number = :license_number AND feed = :feed"
)
_SUCCESS = Sql(
    """
    INSERT INTO metrc_pull_state (license_number, feed, last_success_at, last_finished_at)
    VALUES (:license_number, :feed, :as_of, :at)
    ON CONFLICT (license_number, feed) DO UPDATE SET
        last_success_at = EXCLUDED.last_success_at, last_finished_at = EXCLUDED.last_finished_at
    """
)
_REMOVE_UNSEEN = Sql(
    """
    DELETE FROM metrc_mirror
    WHERE license_number = :license_number AND sync_type = :sync_type AND status = :status
      AND run_id <> :run_id
    """
)
_FAILURE = Sql(
    """
    INSERT INTO metrc_pull_state (license_number, feed, last_failed_at, last_error_code,
                                  last_error_message, failures)
    VALUES (:license_number, :feed, :at, :code, :message, jsonb_build_object(CAST(:code AS text), 1))
    ON CONFLICT (license_number, feed) DO UPDATE SET
        last_failed_at = EXCLUDED.last_failed_at, last_error_code = EXCLUDED.last_error_code,
        last_error_message = EXCLUDED.last_error_message,
        failures = metrc_pull_state.failures || jsonb_build_object(
            CAST(:code AS text),
            COALESCE((metrc_pull_state.failures ->> CAST(:code AS text))::int, 0) + 1)
    """
)
_LAST_SUCCESS = Sql(
    """
    SELECT feed, last_success_at FROM metrc_pull_state
    WHERE license_number = :license_number AND last_success_at IS NOT NULL
    """
)
_PULL_STATE = Sql(
    """
    SELECT feed, last_success_at, last_finished_at, last_failed_at, last_error_code,
           last_error_message, failures
    FROM metrc_pull_state WHERE license_number = :license_number ORDER BY feed
    """
)
_COUNTS = Sql(
    """
    SELECT sync_type, status, count(*) AS n FROM metrc_mirror
    WHERE license_number = :license_number GROUP BY sync_type, status
    """
)
_RECORDS = Sql(
    """
    SELECT sync_type, key, status, metrc_id, label, last_modified, quantity, unit, item, data
    FROM metrc_mirror
    WHERE license_number = :license_number AND sync_type = :sync_type
      AND (CAST(:status AS text) IS NULL OR status = :status)
    ORDER BY key
    """
)


_SAVE_BUDGET = Sql(
    """
    INSERT INTO metrc_get_budget (license_number, measured_at, used_last_minute,
                                  allowed_per_minute, rate_limited_last_minute, in_flight)
    VALUES (:license_number, :at, :used, :allowed, :limited, :in_flight)
    ON CONFLICT (license_number) DO UPDATE SET
        measured_at = EXCLUDED.measured_at, used_last_minute = EXCLUDED.used_last_minute,
        allowed_per_minute = EXCLUDED.allowed_per_minute,
        rate_limited_last_minute = EXCLUDED.rate_limited_last_minute,
        in_flight = EXCLUDED.in_flight
    """
)
_BUDGET = Sql(
    """
    SELECT measured_at, used_last_minute, allowed_per_minute, rate_limited_last_minute, in_flight
    FROM metrc_get_budget WHERE license_number = :license_number
    """
)


def _json(value: Any) -> str:
    def default(item: Any) -> Any:
        if isinstance(item, Decimal):
            return str(item)
        if isinstance(item, datetime):
            return item.isoformat()
        raise TypeError(type(item).__name__)

    return json.dumps(value, default=default, separators=(",", ":"))


class PgMirrorStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def checkpoint(self, license_number: str, feed: Feed) -> FeedCursor | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                _CURSOR.text,
                *_CURSOR.args({"license_number": license_number, "feed": feed.value}),
            )
        if row is None:
            return None
        return from_row(
            FeedCursor,
            row,
            license_number=license_number,
            feed=feed,
            pages_done=frozenset(row["pages_done"]),
        )

    async def save_cursor(self, cursor: FeedCursor) -> None:
        async with self._db.connection() as conn:
            await conn.execute(_SAVE_CURSOR.text, *_SAVE_CURSOR.args(_cursor_values(cursor)))

    async def store_page(
        self, cursor: FeedCursor, page_number: int, records: Sequence[MirrorRecord], at: datetime
    ) -> None:
        # Several pages of one list may carry one record (a page boundary that shifted); one
        # statement may not touch a row twice, so only the latest copy goes in.
        latest: dict[str, MirrorRecord] = {}
        for record in records:
            held = latest.get(record.key)
            if held is None or _newer(record, held):
                latest[record.key] = record
        rows = list(latest.values())
        values = {
            "license_number": cursor.license_number,
            "sync_type": cursor.feed.sync_type.value,
            "pulled_at": at,
            "run_id": cursor.run_id,
            "keys": [r.key for r in rows],
            "statuses": [r.status for r in rows],
            "ids": [r.metrc_id for r in rows],
            "labels": [r.label for r in rows],
            "stamps": [r.last_modified for r in rows],
            "quantities": [r.quantity for r in rows],
            "units": [r.unit for r in rows],
            "items": [r.item for r in rows],
            "datas": [_json(r.data) for r in rows],
        }
        mark = {
            "license_number": cursor.license_number,
            "feed": cursor.feed.value,
            "run_id": cursor.run_id,
            "page": page_number,
        }
        async with self._db.connection() as conn, conn.transaction():
            if rows:
                await conn.execute(_UPSERT.text, *_UPSERT.args(values))
            await conn.execute(_MARK_PAGE.text, *_MARK_PAGE.args(mark))

    async def finish_feed(self, cursor: FeedCursor, at: datetime) -> None:
        key = {"license_number": cursor.license_number, "feed": cursor.feed.value}
        async with self._db.connection() as conn, conn.transaction():
            if cursor.feed.replaced_whole:
                await conn.execute(
                    _REMOVE_UNSEEN.text,
                    *_REMOVE_UNSEEN.args(
                        {
                            "license_number": cursor.license_number,
                            "sync_type": cursor.feed.sync_type.value,
                            "status": cursor.feed.status,
                            "run_id": cursor.run_id,
                        }
                    ),
                )
            await conn.execute(
                _SUCCESS.text, *_SUCCESS.args({**key, "as_of": cursor.as_of, "at": at})
            )
            await conn.execute(_DROP_CURSOR.text, *_DROP_CURSOR.args(key))

    async def record_failure(
        self, license_number: str, feed: Feed, code: str, message: str, at: datetime
    ) -> None:
        values = {
            "license_number": license_number,
            "feed": feed.value,
            "at": at,
            "code": code,
            "message": message[:500],
        }
        async with self._db.connection() as conn:
            await conn.execute(_FAILURE.text, *_FAILURE.args(values))

    async def last_success(self, license_number: str) -> dict[Feed, datetime]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _LAST_SUCCESS.text, *_LAST_SUCCESS.args({"license_number": license_number})
            )
        return {Feed(r["feed"]): r["last_success_at"] for r in rows}

    async def pull_state(self, license_number: str) -> list[Mapping[str, Any]]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _PULL_STATE.text, *_PULL_STATE.args({"license_number": license_number})
            )
        return [
            {**dict(r), "failures": json.loads(r["failures"]) if r["failures"] else {}}
            for r in rows
        ]

    async def counts(self, license_number: str) -> dict[tuple[SyncType, str], int]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(_COUNTS.text, *_COUNTS.args({"license_number": license_number}))
        return {(SyncType(r["sync_type"]), r["status"]): r["n"] for r in rows}

    async def records(
        self, license_number: str, sync_type: SyncType, *, status: str | None = None
    ) -> list[MirrorRecord]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _RECORDS.text,
                *_RECORDS.args(
                    {
                        "license_number": license_number,
                        "sync_type": sync_type.value,
                        "status": status,
                    }
                ),
            )
        return [
            from_row(
                MirrorRecord,
                r,
                sync_type=SyncType(r["sync_type"]),
                data=json.loads(r["data"], parse_float=Decimal),
            )
            for r in rows
        ]

    async def save_budget(self, license_number: str, budget: RateBudget, at: datetime) -> None:
        values = {
            "license_number": license_number,
            "at": at,
            "used": budget.used_last_minute,
            "allowed": budget.allowed_per_minute,
            "limited": budget.rate_limited_last_minute,
            "in_flight": budget.in_flight,
        }
        async with self._db.connection() as conn:
            await conn.execute(_SAVE_BUDGET.text, *_SAVE_BUDGET.args(values))

    async def budget(self, license_number: str) -> tuple[RateBudget, datetime] | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                _BUDGET.text, *_BUDGET.args({"license_number": license_number})
            )
        if row is None:
            return None
        return from_row(RateBudget, row), row["measured_at"]


def _newer(record: MirrorRecord, held: MirrorRecord) -> bool:
    if record.last_modified is None or held.last_modified is None:
        return True
    return record.last_modified >= held.last_modified


def _cursor_values(cursor: FeedCursor) -> dict[str, Any]:
    return {
        "license_number": cursor.license_number,
        "feed": cursor.feed.value,
        "run_id": cursor.run_id,
        "as_of": cursor.as_of,
        "since": cursor.since,
        "window_index": cursor.window_index,
        "total_pages": cursor.total_pages,
        "total_records": cursor.total_records,
        "pages_done": sorted(cursor.pages_done),
        "rereads": cursor.rereads,
        "started_at": cursor.started_at,
    }
