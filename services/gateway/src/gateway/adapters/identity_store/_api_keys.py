"""API keys for integrations (only the secret's hash is stored)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.database import from_row
from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.adapters.tables import api_keys


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    name: str
    secret_hash: str
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    created_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def __repr__(self) -> str:
        return f"ApiKeyRecord(id={self.id!r}, name={self.name!r})"


def _aware(moment: datetime | None) -> datetime | None:
    # asyncpg writes datetime.max (9999-12-31T23:59:59.999999Z, a valid expiry) as PostgreSQL's
    # infinity and reads infinity back as a naive datetime.max: it is that instant, in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _api_key(m: RowMapping) -> ApiKeyRecord:
    return from_row(
        ApiKeyRecord,
        m,
        roles=tuple(m["roles"]),
        sites=tuple(m["sites"]),
        expires_at=_aware(m["expires_at"]),
    )


async def insert_api_key(conn: AsyncConnection, record: ApiKeyRecord) -> None:
    await conn.execute(
        insert(api_keys).values(
            id=record.id,
            name=record.name,
            secret_hash=record.secret_hash,
            roles=list(record.roles),
            sites=list(record.sites),
            created_by=record.created_by,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )
    )


async def get_api_key(conn: AsyncConnection, key_id: str) -> ApiKeyRecord | None:
    row = (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
    return _api_key(row._mapping) if row else None


async def list_api_keys(
    conn: AsyncConnection, *, limit: int, offset: int
) -> tuple[list[ApiKeyRecord], int]:
    total = (await conn.execute(select(func.count()).select_from(api_keys))).scalar_one()
    rows = await conn.execute(
        select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id).limit(limit).offset(offset)
    )
    return [_api_key(row._mapping) for row in rows], total


async def revoke_api_key(conn: AsyncConnection, key_id: str, now: datetime) -> bool:
    result = await conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
