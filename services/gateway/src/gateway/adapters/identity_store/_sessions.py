"""Sessions (one per login) and their single-use refresh tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.database import from_row
from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.adapters.identity_store._users import _roles_of, _sites_of
from gateway.adapters.tables import (
    login_attempts,
    refresh_tokens,
    sessions,
    users,
)


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
    return from_row(RefreshRecord, m, session_revoked_at=m["revoked_at"], user_active=m["active"])


async def mark_refresh_used(conn: AsyncConnection, token_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        update(refresh_tokens).where(refresh_tokens.c.id == token_id).values(used_at=now)
    )


async def revoke_session(
    conn: AsyncConnection, session_id: uuid.UUID, *, now: datetime, reason: str
) -> None:
    await _revoke(conn, sessions.c.id == session_id, now=now, reason=reason)


async def revoke_user_sessions(
    conn: AsyncConnection, user_id: uuid.UUID, *, now: datetime, reason: str
) -> None:
    await _revoke(conn, sessions.c.user_id == user_id, now=now, reason=reason)


async def _revoke(
    conn: AsyncConnection, which: ColumnElement[bool], *, now: datetime, reason: str
) -> None:
    """Revoke the sessions ``which`` selects that are not revoked yet (the first reason stays)."""
    await conn.execute(
        update(sessions)
        .where(which, sessions.c.revoked_at.is_(None))
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
    return from_row(
        SessionPrincipal,
        m,
        roles=tuple(sorted(m["roles"])),
        sites=tuple(sorted(m["sites"])),
        revoked=m["revoked_at"] is not None,
    )


async def purge_expired(
    conn: AsyncConnection, *, attempts_before: datetime, sessions_before: datetime
) -> None:
    """Forget login attempts past any lockout window and sessions long over (their refresh
    tokens go with them), so the identity store does not grow without bound."""
    await conn.execute(
        delete(login_attempts).where(login_attempts.c.attempted_at < attempts_before)
    )
    await conn.execute(delete(sessions).where(sessions.c.expires_at < sessions_before))
