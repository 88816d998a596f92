"""Saved views as the contract shows them: the caller's own and everyone's shared ones."""

from __future__ import annotations

from shared.contracts import inventory as api

from inventory.reads.presenters import shown
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork

__all__ = ["list_views"]


async def list_views(uow: UnitOfWork, caller: Caller) -> list[api.SavedView]:
    return [
        shown(api.SavedView, row, filters=api.ViewFilters.model_validate_json(row["filters"]))
        for row in await uow.views.visible_to(caller.actor)
    ]
