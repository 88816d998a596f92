"""Saved views as the contract shows them: the caller's own and everyone's shared ones."""

from __future__ import annotations

from shared.contracts import inventory as api

from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork

__all__ = ["list_views"]


async def list_views(uow: UnitOfWork, caller: Caller) -> list[api.SavedView]:
    return [
        api.SavedView(
            id=row["id"],
            name=row["name"],
            filters=api.ViewFilters.model_validate_json(row["filters"]),
            is_shared=row["is_shared"],
            owner_id=row["owner_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        for row in await uow.views.visible_to(caller.actor)
    ]
