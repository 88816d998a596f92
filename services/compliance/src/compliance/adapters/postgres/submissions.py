"""The submission ledger on PostgreSQL (``service_layer.ports.SubmissionRepository``).

One row per intended Metrc write; the columns the queue, the worker and the API filter on are
columns (state, kind, license, batch, times, attempts), the records inside (intent, what was
sent, the last problem) are ``jsonb`` in ``codec``'s form. ``sequence`` comes from the database
sequence ``submission_sequence``, so it never rolls back and never repeats. "Not done" is
written once here as the migration's partial index has it, so the open queue reads that index.
"""

# Statements are assembled only from this module's constant column lists and fixed clauses;
# every value is a bound parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, cast
from uuid import UUID

from shared.database import Connection, Sql, from_row
from shared.json_form import encode

from compliance.adapters.postgres.codec import from_json, to_json
from compliance.domain import (
    IngredientDraw,
    Intent,
    ManifestSettlement,
    Problem,
    SentAs,
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
)
from compliance.domain.cultivation_intents import PlantBatchSplitOff
from compliance.domain.submissions import ATTEMPTED_KINDS
from compliance.service_layer.open_queue import OpenQueueCache
from compliance.service_layer.ports import SubmissionCount

__all__ = ["PgSubmissions"]

NOT_DONE: Final = (
    "NOT (state IN ('ACCEPTED', 'SETTLED')"
    " OR (state IN ('REJECTED', 'FAILED') AND dismissed_at IS NOT NULL))"
)
_ATTEMPTED: Final = ", ".join(f"'{k.value}'" for k in sorted(ATTEMPTED_KINDS))

_COLUMNS = (
    "id, sequence, license_number, site_id, batch_id, kind, intent, into_batch_id, state, "
    "attempts, manual_retries, next_attempt_at, sent_as, last_error, metrc_ids, created_at, "
    "first_sent_at, sent_at, completed_at, caused_by, actor, dismissed_by, dismissed_at, "
    "trace_parent, settled_by"
)
_NEXT = Sql("SELECT nextval('submission_sequence')")
_ADD = Sql(
    f"""
    INSERT INTO submissions ({_COLUMNS})
    VALUES (:id, :sequence, :license_number, :site_id, :batch_id, :kind, CAST(:intent AS jsonb),
            :into_batch_id, :state, :attempts, :manual_retries, :next_attempt_at,
            CAST(:sent_as AS jsonb), CAST(:last_error AS jsonb), CAST(:metrc_ids AS bigint[]),
            :created_at, :first_sent_at, :sent_at, :completed_at, :caused_by, :actor,
            :dismissed_by, :dismissed_at, :trace_parent, CAST(:settled_by AS jsonb))
    """
)
# What a transition may change; the identity, the intent and the sequence never change (the
# trace parent does: a person's retry continues the retry request's trace).
_SAVE = Sql(
    """
    UPDATE submissions SET
        state = :state, attempts = :attempts, manual_retries = :manual_retries,
        next_attempt_at = :next_attempt_at, sent_as = CAST(:sent_as AS jsonb),
        last_error = CAST(:last_error AS jsonb), metrc_ids = CAST(:metrc_ids AS bigint[]),
        first_sent_at = :first_sent_at, sent_at = :sent_at, completed_at = :completed_at,
        dismissed_by = :dismissed_by, dismissed_at = :dismissed_at, trace_parent = :trace_parent,
        settled_by = CAST(:settled_by AS jsonb)
    WHERE id = :id
    """
)
# Many transitions at once (a request's outcome, a claim): one statement for all of them.
_SAVE_MANY = Sql(
    """
    UPDATE submissions AS s SET
        state = x.state, attempts = x.attempts, manual_retries = x.manual_retries,
        next_attempt_at = x.next_attempt_at, sent_as = CAST(x.sent_as AS jsonb),
        last_error = CAST(x.last_error AS jsonb), metrc_ids = CAST(x.metrc_ids AS bigint[]),
        first_sent_at = x.first_sent_at, sent_at = x.sent_at, completed_at = x.completed_at,
        dismissed_by = x.dismissed_by, dismissed_at = x.dismissed_at,
        trace_parent = x.trace_parent, settled_by = CAST(x.settled_by AS jsonb)
    FROM unnest(
        CAST(:id AS uuid[]), CAST(:state AS text[]), CAST(:attempts AS integer[]),
        CAST(:manual_retries AS integer[]), CAST(:next_attempt_at AS timestamptz[]),
        CAST(:sent_as AS text[]), CAST(:last_error AS text[]), CAST(:metrc_ids AS text[]),
        CAST(:first_sent_at AS timestamptz[]), CAST(:sent_at AS timestamptz[]),
        CAST(:completed_at AS timestamptz[]), CAST(:dismissed_by AS text[]),
        CAST(:dismissed_at AS timestamptz[]), CAST(:trace_parent AS text[]),
        CAST(:settled_by AS text[])
    ) AS x(id, state, attempts, manual_retries, next_attempt_at, sent_as, last_error,
           metrc_ids, first_sent_at, sent_at, completed_at, dismissed_by, dismissed_at,
           trace_parent, settled_by)
    WHERE s.id = x.id
    """
)
_SELECT = f"SELECT {_COLUMNS} FROM submissions"
_BY_IDS = Sql(f"{_SELECT} WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY sequence")
_OPEN = Sql(f"{_SELECT} WHERE license_number = :license_number AND {NOT_DONE} ORDER BY sequence")
# The open queue as row versions (``xmin``: the transaction that wrote the row's current
# version), so a reader that keeps the rows it decoded fetches only what changed.
_OPEN_VERSIONS = Sql(
    f"SELECT id, xmin::text AS version FROM submissions"
    f" WHERE license_number = :license_number AND {NOT_DONE}"
)
_VERSIONED_BY_IDS = Sql(
    f"SELECT {_COLUMNS}, xmin::text AS version FROM submissions"
    " WHERE id = ANY(CAST(:ids AS uuid[]))"
)
_LICENSES_DUE = Sql(
    f"""
    SELECT DISTINCT license_number FROM submissions
    WHERE state = 'PENDING' AND next_attempt_at <= :now AND kind IN ({_ATTEMPTED})
    ORDER BY license_number
    """
)
_IN_FLIGHT = Sql(
    f"{_SELECT} WHERE state = 'IN_FLIGHT' AND sent_at <= :sent_before ORDER BY sequence"
)
_FOR_BATCH = Sql(f"{_SELECT} WHERE batch_id = :batch_id ORDER BY sequence")
_DRAWS_INTO = Sql(
    f"{_SELECT} WHERE into_batch_id = :batch_id AND kind = 'INGREDIENT_DRAW' ORDER BY sequence"
)
_FOR_PLANT_BATCH = Sql(
    f"""
    {_SELECT} WHERE batch_id = :batch_id
       OR (into_batch_id = :batch_id AND kind = 'PLANT_BATCH_SPLIT')
    ORDER BY sequence
    """
)
# A plant batch is in Metrc once its create is done: its planting (``batch_id``; from seeds,
# clones or a package), or the split that made it (``into_batch_id``), accepted or settled by
# a person.
_PLANT_BATCHES_IN_METRC = Sql(
    """
    SELECT batch_id AS id FROM submissions
    WHERE batch_id = ANY(CAST(:ids AS uuid[]))
      AND kind IN ('PLANT_BATCH_PLANTING', 'PLANT_BATCH_FROM_PACKAGE')
      AND (state = 'ACCEPTED' OR dismissed_at IS NOT NULL)
    UNION
    SELECT into_batch_id AS id FROM submissions
    WHERE into_batch_id = ANY(CAST(:ids AS uuid[])) AND kind = 'PLANT_BATCH_SPLIT'
      AND (state = 'ACCEPTED' OR dismissed_at IS NOT NULL)
    """
)
_STOPPED = Sql(
    f"""
    {_SELECT} WHERE license_number = :license_number AND state IN ('REJECTED', 'FAILED')
      AND dismissed_at IS NULL
    ORDER BY sequence
    """
)
_SEARCH = Sql(
    f"""
    {_SELECT}
    WHERE (CAST(:license_number AS text) IS NULL OR license_number = :license_number)
      AND (CAST(:site_id AS uuid) IS NULL OR site_id = :site_id)
      AND (CAST(:batch_id AS uuid) IS NULL OR batch_id = :batch_id)
      AND (CAST(:states AS text[]) IS NULL OR state = ANY(CAST(:states AS text[])))
      AND (CAST(:kinds AS text[]) IS NULL OR kind = ANY(CAST(:kinds AS text[])))
      AND (CAST(:created_since AS timestamptz) IS NULL OR created_at >= :created_since)
      AND (CAST(:created_until AS timestamptz) IS NULL OR created_at < :created_until)
      AND (CAST(:before_sequence AS bigint) IS NULL OR sequence < :before_sequence)
    ORDER BY sequence DESC
    LIMIT :limit
    """
)
_COUNTS = Sql("SELECT license_number, state, count(*) AS n FROM submissions GROUP BY 1, 2")
_COUNTS_BY_KIND = Sql(
    """
    SELECT license_number, kind, state, count(*) AS n, min(created_at) AS oldest
    FROM submissions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    """
)


def _json(value: Any) -> str | None:
    return None if value is None else encode(to_json(value))


def _values(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "state": s.state.value,
        "attempts": s.attempts,
        "manual_retries": s.manual_retries,
        "next_attempt_at": s.next_attempt_at,
        "sent_as": _json(s.sent_as),
        "last_error": _json(s.last_error),
        "metrc_ids": list(s.metrc_ids),
        "first_sent_at": s.first_sent_at,
        "sent_at": s.sent_at,
        "completed_at": s.completed_at,
        "dismissed_by": s.dismissed_by,
        "dismissed_at": s.dismissed_at,
        "trace_parent": s.trace_parent,
        "settled_by": _json(s.settled_by),
    }


def _pg_array(ids: Sequence[int]) -> str:
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


# A push lane reads each submission several times (queued, claimed, answered), and its intent
# never changes nor, within one send, what it was sent as: those two are decoded once per text.
# The records are frozen, so every reader may share one; the caches hold the texts of a few
# thousand writes at most (a claim is at most a few hundred).
@lru_cache(maxsize=4096)
def _intent(text: str) -> Intent:
    return cast(Intent, from_json(Intent, json.loads(text)))


@lru_cache(maxsize=4096)
def _sent_as(text: str) -> SentAs:
    return from_json(SentAs, json.loads(text))


def _submission(row: Mapping[str, Any]) -> Submission:
    def read(hint: Any, text: str | None) -> Any:
        return None if text is None else from_json(hint, json.loads(text))

    sent_as: str | None = row["sent_as"]
    return from_row(
        Submission,
        row,
        intent=_intent(row["intent"]),
        state=SubmissionState(row["state"]),
        sent_as=None if sent_as is None else _sent_as(sent_as),
        last_error=read(Problem | None, row["last_error"]),
        metrc_ids=tuple(row["metrc_ids"]),
        settled_by=read(ManifestSettlement | None, row["settled_by"]),
    )


class PgSubmissions:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def _fetch(self, statement: Sql, values: Mapping[str, Any]) -> list[Submission]:
        rows = await self._conn.fetch(statement.text, *statement.args(values))
        return [_submission(r) for r in rows]

    async def next_sequence(self) -> int:
        sequence: int = await self._conn.fetchval(_NEXT.text)
        return sequence

    async def add(self, submission: Submission) -> None:
        s = submission
        draw: UUID | None = None
        if isinstance(s.intent, IngredientDraw):
            draw = s.intent.into_batch_id
        elif isinstance(s.intent, PlantBatchSplitOff):
            draw = s.intent.new_plant_batch_id
        values = {
            **_values(s),
            "sequence": s.sequence,
            "license_number": s.license_number,
            "site_id": s.site_id,
            "batch_id": s.batch_id,
            "kind": s.kind.value,
            "intent": _json(s.intent),
            "into_batch_id": draw,
            "created_at": s.created_at,
            "caused_by": s.caused_by,
            "actor": s.actor,
        }
        await self._conn.execute(_ADD.text, *_ADD.args(values))

    async def save(self, submission: Submission) -> None:
        status = await self._conn.execute(_SAVE.text, *_SAVE.args(_values(submission)))
        if status == "UPDATE 0":
            raise KeyError(f"no submission {submission.id}")

    async def save_many(self, submissions: Sequence[Submission]) -> None:
        if not submissions:
            return
        last = {s.id: s for s in submissions}  # one row per submission: the last one given
        rows = [_values(s) for s in last.values()]
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        columns["metrc_ids"] = [_pg_array(ids) for ids in columns["metrc_ids"]]
        status = await self._conn.execute(_SAVE_MANY.text, *_SAVE_MANY.args(columns))
        if status != f"UPDATE {len(rows)}":
            raise KeyError(f"not every submission exists ({status})")

    async def get(self, submission_id: UUID) -> Submission | None:
        found = await self.get_many([submission_id])
        return found[0] if found else None

    async def get_many(self, submission_ids: Collection[UUID]) -> list[Submission]:
        if not submission_ids:
            return []
        return await self._fetch(_BY_IDS, {"ids": list(submission_ids)})

    async def open_for_license(
        self, license_number: str, *, cache: OpenQueueCache | None = None
    ) -> list[Submission]:
        if cache is None:
            return await self._fetch(_OPEN, {"license_number": license_number})
        rows = await self._conn.fetch(
            _OPEN_VERSIONS.text, *_OPEN_VERSIONS.args({"license_number": license_number})
        )
        versions = {r["id"]: r["version"] for r in rows}
        stale = cache.keep_only(versions)
        if stale:
            fetched = await self._conn.fetch(
                _VERSIONED_BY_IDS.text, *_VERSIONED_BY_IDS.args({"ids": stale})
            )
            for row in fetched:
                cache.put(_submission(row), row["version"])
        return cache.in_order()

    async def licenses_with_due(self, now: datetime) -> list[str]:
        rows = await self._conn.fetch(_LICENSES_DUE.text, *_LICENSES_DUE.args({"now": now}))
        return [r["license_number"] for r in rows]

    async def in_flight(self, *, sent_before: datetime) -> list[Submission]:
        return await self._fetch(_IN_FLIGHT, {"sent_before": sent_before})

    async def for_batch(self, batch_id: UUID) -> list[Submission]:
        return await self._fetch(_FOR_BATCH, {"batch_id": batch_id})

    async def draws_into(self, batch_id: UUID) -> list[Submission]:
        return await self._fetch(_DRAWS_INTO, {"batch_id": batch_id})

    async def for_plant_batch(self, plant_batch_id: UUID) -> list[Submission]:
        return await self._fetch(_FOR_PLANT_BATCH, {"batch_id": plant_batch_id})

    async def plant_batches_in_metrc(self, plant_batch_ids: Collection[UUID]) -> set[UUID]:
        if not plant_batch_ids:
            return set()
        statement = _PLANT_BATCHES_IN_METRC
        rows = await self._conn.fetch(
            statement.text, *statement.args({"ids": list(plant_batch_ids)})
        )
        return {r["id"] for r in rows}

    async def stopped(self, license_number: str) -> list[Submission]:
        return await self._fetch(_STOPPED, {"license_number": license_number})

    async def search(self, query: SubmissionQuery) -> list[Submission]:
        def names(values: Collection[SubmissionState | SubmissionKind] | None) -> list[str] | None:
            return None if values is None else sorted(v.value for v in values)

        return await self._fetch(
            _SEARCH,
            {
                "license_number": query.license_number,
                "site_id": query.site_id,
                "batch_id": query.batch_id,
                "states": names(query.states),
                "kinds": names(query.kinds),
                "created_since": query.created_since,
                "created_until": query.created_until,
                "before_sequence": query.before_sequence,
                "limit": query.limit,
            },
        )

    async def counts(self) -> list[SubmissionCount]:
        return [
            SubmissionCount(
                license_number=r["license_number"],
                kind=SubmissionKind(r["kind"]),
                state=SubmissionState(r["state"]),
                count=r["n"],
                oldest_created_at=r["oldest"],
            )
            for r in await self._conn.fetch(_COUNTS_BY_KIND.text)
        ]

    async def count_by_state(self) -> dict[tuple[str, SubmissionState], int]:
        rows = await self._conn.fetch(_COUNTS.text)
        return {(r["license_number"], SubmissionState(r["state"])): r["n"] for r in rows}
