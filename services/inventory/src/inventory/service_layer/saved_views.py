"""Saved views: the current filters under a name, private or shared. Only the owner deletes
one, and deleting is a soft delete with an audit row (the source system hard-deleted them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from inventory.service_layer import commands as c
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import DuplicateError, NotFoundError, PermissionDeniedError
from inventory.service_layer.ports import DuplicateKeyError, UnitOfWork

__all__ = ["delete_view", "save_view"]


async def save_view(uow: UnitOfWork, caller: Caller, cmd: c.SaveView) -> UUID:
    """Returns the new view's id."""
    now = utc_now()
    try:
        async with uow.savepoint():
            view_id = await uow.views.create(
                owner_id=caller.actor,
                name=cmd.name.strip(),
                filters_json=cmd.filters_json,
                is_shared=cmd.is_shared,
                now=now,
            )
    except DuplicateKeyError:
        raise DuplicateError("saved view", "name", cmd.name) from None
    await _audit(uow, caller, view_id, "SAVE_VIEW", now)
    return view_id


async def delete_view(uow: UnitOfWork, caller: Caller, cmd: c.DeleteView) -> None:
    view_id = cmd.view_id
    row = await uow.views.lock(view_id)
    if row is None or (row["owner_id"] != caller.actor and not row["is_shared"]):
        raise NotFoundError("saved view", str(view_id))
    if row["owner_id"] != caller.actor:
        raise PermissionDeniedError("Only the owner can delete a saved view")
    now = utc_now()
    await uow.views.soft_delete(view_id, now)
    await _audit(uow, caller, view_id, "DELETE_VIEW", now)


async def _audit(
    uow: UnitOfWork, caller: Caller, view_id: UUID, action: str, now: datetime
) -> None:
    """The audit row of a change to a saved view, naming who made it and in which request."""
    await uow.views.audit(
        view_id=view_id, action=action, actor=caller.actor, now=now, request_id=caller.request_id
    )
