"""Idempotency keys in a service's database: the first request with a key stores its answer in
the same transaction as its effects, and a replay reads it back (``shared.http.run_once`` runs
requests this way). Every unit of work offers them as ``uow.idempotency_keys``.

Why it is race-free: the claim is an INSERT on the primary key (scope, key). A second request
with the same key blocks on the first one's uncommitted row until that transaction ends; then it
either conflicts (the first committed: read its answer) or inserts (the first rolled back).

The table is created by each service's migrations (``shared.migrations.create_idempotency_table``).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.database.pool import Connection

__all__ = ["IDEMPOTENCY_DDL", "Existing", "IdempotencyKeys", "StoredResponse"]

IDEMPOTENCY_DDL: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS idempotency_key (
        scope         text NOT NULL,
        key           text NOT NULL,
        request_hash  text NOT NULL,
        status_code   integer,
        response_body jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS idempotency_key_created_at ON idempotency_key (created_at)",
)

_CLAIM = """
    INSERT INTO idempotency_key (scope, key, request_hash) VALUES ($1, $2, $3)
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING 1
"""
_READ = """
    SELECT request_hash, status_code, response_body::text AS body
    FROM idempotency_key WHERE scope = $1 AND key = $2
"""
_COMPLETE = """
    UPDATE idempotency_key SET status_code = $3, response_body = $4::jsonb
    WHERE scope = $1 AND key = $2
"""


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: str
    """The JSON text of the response body."""


@dataclass(frozen=True, slots=True)
class Existing:
    request_hash: str
    response: StoredResponse | None


class IdempotencyKeys:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def claim(self, scope: str, key: str, request_hash: str) -> Existing | None:
        """Claim ``key`` for this request; None when claimed, else what the first one left."""
        if await self._conn.fetchval(_CLAIM, scope, key, request_hash):
            return None
        row = await self._conn.fetchrow(_READ, scope, key)
        response = (
            None
            if row["status_code"] is None
            else StoredResponse(status=row["status_code"], body=row["body"])
        )
        return Existing(request_hash=row["request_hash"], response=response)

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        await self._conn.execute(_COMPLETE, scope, key, response.status, response.body)
