"""Saved views: the current filters under a name, private or shared. Only the owner deletes
one, and deleting is a soft delete with an audit row (the source system hard-deleted them)."""

from __future__ import annotations

from uuid import UUID

from shared.contracts import inventory as api

from inventory.adapters.reference_store import UniqueViolationError
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import DuplicateError, NotFoundError, PermissionDeniedError
from inventory.service_layer.unit_of_work import UnitOfWork

__all__ = ["delete_view", "list_views", "save_view"]


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


async def save_view(
    uow: UnitOfWork, caller: Caller, cmd: api.SaveViewRequest
) -> api.SaveViewResult:
    now = utc_now()
    try:
        async with uow.savepoint():
            view_id = await uow.views.create(
                owner_id=caller.actor,
                name=cmd.name.strip(),
                filters_json=cmd.filters.model_dump_json(by_alias=True),
                is_shared=cmd.is_shared,
                now=now,
            )
    except UniqueViolationError:
        raise DuplicateError("saved view", "name", cmd.name) from None
    await uow.views.audit(
        view_id=view_id,
        action="SAVE_VIEW",
        actor=caller.actor,
        now=now,
        request_id=caller.request_id,
    )
    return api.SaveViewResult(id=view_id)


async def delete_view(uow: UnitOfWork, caller: Caller, view_id: UUID) -> api.SuccessResult:
    row = await uow.views.lock(view_id)
    if row is None or (row["owner_id"] != caller.actor and not row["is_shared"]):
        raise NotFoundError("saved view", str(view_id))
    if row["owner_id"] != caller.actor:
        raise PermissionDeniedError("Only the owner can delete a saved view")
    now = utc_now()
    await uow.views.soft_delete(view_id, now)
    await uow.views.audit(
        view_id=view_id,
        action="DELETE_VIEW",
        actor=caller.actor,
        now=now,
        request_id=caller.request_id,
    )
    return api.SuccessResult()
