"""What the sync watch reads to see a burst of pushes settle
(``service_layer.sync_watch.PushActivity``): the pulls requested per type, and the writes Metrc
accepted per kind (index ``submissions_accepted``, migration 0007)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from shared.database import Database, Sql

from compliance.domain import SubmissionKind
from compliance.domain.mirror import SyncType
from compliance.domain.sync_watch import AcceptedPushes

__all__ = ["PgPushActivity"]

# A queued run covers everything accepted so far (it has not started reading); a started one,
# what was accepted before it started.
_COVERED = Sql(
    """
    SELECT t.sync_type,
           max(CASE WHEN r.state = 'QUEUED' THEN CAST(:now AS timestamptz)
                    ELSE r.started_at END) AS covered
    FROM metrc_sync_runs r, unnest(r.sync_types) AS t(sync_type)
    WHERE r.license_number = :license_number AND r.requested_at >= :since
    GROUP BY t.sync_type
    """
)
_ACCEPTED = Sql(
    """
    SELECT s.kind, count(*) AS n, max(s.completed_at) AS last_accepted_at
    FROM unnest(CAST(:kinds AS text[]), CAST(:after AS timestamptz[])) AS w(kind, after)
    JOIN submissions s ON s.license_number = :license_number AND s.state = 'ACCEPTED'
                      AND s.kind = w.kind AND s.completed_at > w.after
    GROUP BY s.kind
    """
)


class PgPushActivity:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def covered_until(
        self, license_number: str, *, since: datetime, now: datetime
    ) -> dict[SyncType, datetime]:
        values = {"license_number": license_number, "since": since, "now": now}
        async with self._db.connection() as conn:
            rows = await conn.fetch(_COVERED.text, *_COVERED.args(values))
        return {SyncType(r["sync_type"]): r["covered"] for r in rows if r["covered"] is not None}

    async def accepted_after(
        self, license_number: str, after: Mapping[SubmissionKind, datetime]
    ) -> list[AcceptedPushes]:
        kinds = list(after)
        values = {
            "license_number": license_number,
            "kinds": [k.value for k in kinds],
            "after": [after[k] for k in kinds],
        }
        async with self._db.connection() as conn:
            rows = await conn.fetch(_ACCEPTED.text, *_ACCEPTED.args(values))
        return [
            AcceptedPushes(SubmissionKind(r["kind"]), int(r["n"]), r["last_accepted_at"])
            for r in rows
        ]
