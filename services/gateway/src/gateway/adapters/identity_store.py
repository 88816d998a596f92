"""Reads and writes of the identity store, on a connection inside the caller's transaction.

SQLAlchemy Core with bound parameters only; every function takes the connection so the service
layer decides the transaction boundaries (a login checks, verifies and records in one).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.adapters.tables import (
    api_keys,
    login_attempts,
    refresh_tokens,
    roles,
    sessions,
    user_roles,
    user_sites,
    users,
)

__all__ = [
    "ApiKeyRecord",
    "RefreshRecord",
    "SessionPrincipal",
    "UserRecord",
    "count_ip_failures",
    "find_refresh_token",
    "get_api_key",
    "get_user",
    "get_user_by_email",
    "insert_api_key",
    "insert_refresh_token",
    "insert_session",
    "insert_user",
    "known_roles",
    "list_api_keys",
    "list_users",
    "lock_account",
    "mark_refresh_used",
    "purge_expired",
    "recent_account_failures",
    "record_login_attempt",
    "revoke_api_key",
    "revoke_session",
    "revoke_user_sessions",
    "session_principal",
    "set_user_roles",
    "set_user_sites",
    "update_user",
]


@dataclass(frozen=True)
class UserRecord:
    id: uuid.UUID
    email: str
    display_name: str
    active: bool
    created_at: datetime
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    password_hash: str = ""

    def __repr__(self) -> str:
        return f"UserRecord(id={self.id}, email={self.email!r})"


@dataclass(frozen=True)
class SessionPrincipal:
    email: str
    display_name: str
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    active: bool
    revoked: bool
    expires_at: datetime


@dataclass(frozen=True)
class RefreshRecord:
    id: uuid.UUID
    session_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None
    session_revoked_at: datetime | None
    session_expires_at: datetime
    user_active: bool


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


def _roles_of(user_id_column: object) -> object:
    return (
        select(func.coalesce(func.array_agg(user_roles.c.role), text("'{}'::varchar[]")))
        .where(user_roles.c.user_id == user_id_column)
        .scalar_subquery()
    )


def _sites_of(user_id_column: object) -> object:
    return (
        select(func.coalesce(func.array_agg(user_sites.c.site_id), text("'{}'::varchar[]")))
        .where(user_sites.c.user_id == user_id_column)
        .scalar_subquery()
    )


_USER_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.display_name,
    users.c.active,
    users.c.created_at,
    users.c.password_hash,
    _roles_of(users.c.id).label("roles"),  # type: ignore[attr-defined]
    _sites_of(users.c.id).label("sites"),  # type: ignore[attr-defined]
)


def _user(m: RowMapping) -> UserRecord:
    return UserRecord(
        id=m["id"],
        email=m["email"],
        display_name=m["display_name"],
        active=m["active"],
        created_at=m["created_at"],
        roles=tuple(sorted(m["roles"])),
        sites=tuple(sorted(m["sites"])),
        password_hash=m["password_hash"],
    )


async def known_roles(conn: AsyncConnection) -> set[str]:
    return set((await conn.execute(select(roles.c.name))).scalars())


async def insert_user(
    conn: AsyncConnection,
    *,
    user_id: uuid.UUID,
    email: str,
    display_name: str,
    password_hash: str,
    now: datetime,
) -> None:
    await conn.execute(
        insert(users).values(
            id=user_id,
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            active=True,
            created_at=now,
            updated_at=now,
        )
    )


async def set_user_roles(conn: AsyncConnection, user_id: uuid.UUID, names: Sequence[str]) -> None:
    await conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
    if names:
        await conn.execute(insert(user_roles), [{"user_id": user_id, "role": r} for r in names])


async def set_user_sites(conn: AsyncConnection, user_id: uuid.UUID, sites: Sequence[str]) -> None:
    await conn.execute(delete(user_sites).where(user_sites.c.user_id == user_id))
    if sites:
        await conn.execute(insert(user_sites), [{"user_id": user_id, "site_id": s} for s in sites])


async def get_user(
    conn: AsyncConnection, user_id: uuid.UUID, *, for_update: bool = False
) -> UserRecord | None:
    query = select(*_USER_COLUMNS).where(users.c.id == user_id)
    if for_update:
        query = query.with_for_update(of=users)
    row = (await conn.execute(query)).first()
    return _user(row._mapping) if row else None


async def get_user_by_email(conn: AsyncConnection, email: str) -> UserRecord | None:
    row = (await conn.execute(select(*_USER_COLUMNS).where(users.c.email == email))).first()
    return _user(row._mapping) if row else None


async def list_users(
    conn: AsyncConnection, *, limit: int, offset: int
) -> tuple[list[UserRecord], int]:
    total = (await conn.execute(select(func.count()).select_from(users))).scalar_one()
    rows = await conn.execute(
        select(*_USER_COLUMNS).order_by(users.c.email).limit(limit).offset(offset)
    )
    return [_user(row._mapping) for row in rows], total


async def update_user(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    now: datetime,
    display_name: str | None = None,
    active: bool | None = None,
    password_hash: str | None = None,
) -> None:
    values: dict[str, object] = {"updated_at": now}
    if display_name is not None:
        values["display_name"] = display_name
    if active is not None:
        values["active"] = active
    if password_hash is not None:
        values["password_hash"] = password_hash
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))


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
    rows = await conn.execute(
        select(login_attempts.c.attempted_at)
        .where(
            login_attempts.c.email == email,
            ~login_attempts.c.succeeded,
            login_attempts.c.attempted_at >= since,
            login_attempts.c.attempted_at > func.coalesce(last_success, since),
        )
        .order_by(login_attempts.c.attempted_at.desc())
    )
    return list(rows.scalars())


async def count_ip_failures(conn: AsyncConnection, ip: str, since: datetime) -> list[datetime]:
    rows = await conn.execute(
        select(login_attempts.c.attempted_at)
        .where(
            login_attempts.c.ip == ip,
            ~login_attempts.c.succeeded,
            login_attempts.c.attempted_at >= since,
        )
        .order_by(login_attempts.c.attempted_at.desc())
    )
    return list(rows.scalars())


async def record_login_attempt(
    conn: AsyncConnection, *, email: str, ip: str, succeeded: bool, now: datetime
) -> None:
    await conn.execute(
        insert(login_attempts).values(email=email, ip=ip, succeeded=succeeded, attempted_at=now)
    )


async def insert_session(
    conn: AsyncConnection,
    *,
    session_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        insert(sessions).values(
            id=session_id, user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


async def insert_refresh_token(
    conn: AsyncConnection,
    *,
    session_id: uuid.UUID,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        insert(refresh_tokens).values(
            id=uuid.uuid4(),
            session_id=session_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def find_refresh_token(conn: AsyncConnection, token_hash: str) -> RefreshRecord | None:
    """The token and its session, row-locked: two refreshes with one token are serialised."""
    row = (
        await conn.execute(
            select(
                refresh_tokens.c.id,
                refresh_tokens.c.session_id,
                refresh_tokens.c.expires_at,
                refresh_tokens.c.used_at,
                sessions.c.user_id,
                sessions.c.revoked_at,
                sessions.c.expires_at.label("session_expires_at"),
                users.c.active,
            )
            .join(sessions, sessions.c.id == refresh_tokens.c.session_id)
            .join(users, users.c.id == sessions.c.user_id)
            .where(refresh_tokens.c.token_hash == token_hash)
            .with_for_update(of=[refresh_tokens, sessions])
        )
    ).first()
    if row is None:
        return None
    m = row._mapping
    return RefreshRecord(
        id=m["id"],
        session_id=m["session_id"],
        user_id=m["user_id"],
        expires_at=m["expires_at"],
        used_at=m["used_at"],
        session_revoked_at=m["revoked_at"],
        session_expires_at=m["session_expires_at"],
        user_active=m["active"],
    )


async def mark_refresh_used(conn: AsyncConnection, token_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        update(refresh_tokens).where(refresh_tokens.c.id == token_id).values(used_at=now)
    )


async def revoke_session(
    conn: AsyncConnection, session_id: uuid.UUID, *, now: datetime, reason: str
) -> None:
    await conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def revoke_user_sessions(
    conn: AsyncConnection, user_id: uuid.UUID, *, now: datetime, reason: str
) -> None:
    await conn.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def session_principal(
    conn: AsyncConnection, *, session_id: uuid.UUID, user_id: uuid.UUID
) -> SessionPrincipal | None:
    row = (
        await conn.execute(
            select(
                users.c.email,
                users.c.display_name,
                users.c.active,
                sessions.c.revoked_at,
                sessions.c.expires_at,
                _roles_of(users.c.id).label("roles"),  # type: ignore[attr-defined]
                _sites_of(users.c.id).label("sites"),  # type: ignore[attr-defined]
            )
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id == session_id, sessions.c.user_id == user_id)
        )
    ).first()
    if row is None:
        return None
    m = row._mapping
    return SessionPrincipal(
        email=m["email"],
        display_name=m["display_name"],
        roles=tuple(sorted(m["roles"])),
        sites=tuple(sorted(m["sites"])),
        active=m["active"],
        revoked=m["revoked_at"] is not None,
        expires_at=m["expires_at"],
    )


def _api_key(m: RowMapping) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=m["id"],
        name=m["name"],
        secret_hash=m["secret_hash"],
        roles=tuple(m["roles"]),
        sites=tuple(m["sites"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
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


async def purge_expired(
    conn: AsyncConnection, *, attempts_before: datetime, sessions_before: datetime
) -> None:
    """Forget login attempts past any lockout window and sessions long over (their refresh
    tokens go with them), so the identity store does not grow without bound."""
    await conn.execute(
        delete(login_attempts).where(login_attempts.c.attempted_at < attempts_before)
    )
    await conn.execute(delete(sessions).where(sessions.c.expires_at < sessions_before))


async def revoke_api_key(conn: AsyncConnection, key_id: str, now: datetime) -> bool:
    result = await conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
