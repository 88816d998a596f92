"""Users, their roles and their site grants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.database import from_row
from sqlalchemy import RowMapping, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.adapters.tables import (
    roles,
    user_roles,
    user_sites,
    users,
)


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
    return from_row(UserRecord, m, roles=tuple(sorted(m["roles"])), sites=tuple(sorted(m["sites"])))


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
