"""Login attempts: counted per account and per client address for the lockout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.adapters.tables import login_attempts


async def lock_account(conn: AsyncConnection, email: str) -> None:
    """Serialises login attempts of one account, so its failure count cannot be raced past."""
    await conn.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(email, 0x6C6F67696E)))
    )


async def recent_account_failures(
    conn: AsyncConnection, email: str, since: datetime
) -> list[datetime]:
    """Times of the failures since ``since`` that no later successful login has wiped out."""
    last_success = (
        select(func.max(login_attempts.c.attempted_at))
        .where(login_attempts.c.email == email, login_attempts.c.succeeded)
        .scalar_subquery()
    )
    return await _failures(
        conn,
        since,
        login_attempts.c.email == email,
        login_attempts.c.attempted_at > func.coalesce(last_success, since),
    )


async def count_ip_failures(conn: AsyncConnection, ip: str, since: datetime) -> list[datetime]:
    return await _failures(conn, since, login_attempts.c.ip == ip)


async def _failures(
    conn: AsyncConnection, since: datetime, *which: ColumnElement[bool]
) -> list[datetime]:
    """Times of the failed attempts since ``since`` that ``which`` selects, newest first."""
    rows = await conn.execute(
        select(login_attempts.c.attempted_at)
        .where(*which, ~login_attempts.c.succeeded, login_attempts.c.attempted_at >= since)
        .order_by(login_attempts.c.attempted_at.desc())
    )
    return list(rows.scalars())


async def record_login_attempt(
    conn: AsyncConnection, *, email: str, ip: str, succeeded: bool, now: datetime
) -> None:
    await conn.execute(
        insert(login_attempts).values(email=email, ip=ip, succeeded=succeeded, attempted_at=now)
    )
