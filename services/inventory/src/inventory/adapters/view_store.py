"""Saved views: private to their owner unless shared; deleting one is a soft delete."""

# SQL here is assembled only from constants of this module (column lists, whitelisted sort
# columns); every value is a bound parameter ($n). Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from shared.database import Connection

__all__ = ["ViewStore"]

_COLUMNS = "id, owner_id, name, filters::text AS filters, is_shared, created_at, updated_at"


class ViewStore:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def visible_to(self, owner_id: str) -> list[Any]:
        """The owner's views and everyone's shared ones, oldest first."""
        return list(
            await self._conn.fetch(
                f"SELECT {_COLUMNS} FROM saved_view"
                " WHERE deleted_at IS NULL AND (owner_id = $1 OR is_shared)"
                " ORDER BY created_at, id",
                owner_id,
            )
        )

    async def create(
        self, *, owner_id: str, name: str, filters_json: str, is_shared: bool, now: datetime
    ) -> UUID:
        view_id = uuid4()
        await self._conn.execute(
            "INSERT INTO saved_view (id, owner_id, name, filters, is_shared, created_at,"
            " updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)",
            view_id,
            owner_id,
            name,
            filters_json,
            is_shared,
            now,
        )
        return view_id

    async def lock(self, view_id: UUID) -> Any:
        return await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM saved_view WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
            view_id,
        )

    async def soft_delete(self, view_id: UUID, now: datetime) -> None:
        await self._conn.execute(
            "UPDATE saved_view SET deleted_at = $2, updated_at = $2 WHERE id = $1", view_id, now
        )

    async def audit(
        self,
        *,
        view_id: UUID,
        action: str,
        actor: str,
        actor_name: str | None,
        now: datetime,
        request_id: str | None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (entity_type, entity_id, action, performed_by,"
            " performed_by_name, occurred_at, request_id)"
            " VALUES ('saved_view', $1, $2, $3, $4, $5, $6)",
            str(view_id),
            action,
            actor,
            actor_name,
            now,
            request_id,
        )
