"""Rebuild: replay the topics into a fresh generation of the read models, then swap it in.

1. :func:`start_rebuild` creates an empty generation (its own tables and positions).
2. A rebuild consumer (its own consumer group, from the earliest offsets) runs the same
   projection handlers into that generation until it is caught up.
3. :func:`swap_if_caught_up`, in one transaction, locks the live generation (consumers writing
   to it finish first, new ones wait) and makes the new one live if it has applied every
   partition at least as far as the live one; otherwise nothing changes and the rebuild consumer
   goes on and tries again. Readers pick the new generation at their next transaction.
4. :func:`drop_retired` deletes the old generation once no reader can still be using it.
"""

from __future__ import annotations

from reporting.domain import caught_up_with
from reporting.service_layer.ports import Generations

__all__ = ["drop_retired", "start_rebuild", "swap_if_caught_up"]


async def start_rebuild(generations: Generations) -> int:
    return await generations.create()


async def swap_if_caught_up(generations: Generations, generation: int) -> bool:
    """Whether ``generation`` is live when the caller's transaction commits."""
    live = await generations.lock_live()
    if live == generation:
        return True
    rebuilt, current = await generations.positions(generation), await generations.positions(live)
    if not caught_up_with(rebuilt, current):
        return False
    await generations.activate(generation)
    return True


async def drop_retired(generations: Generations) -> list[int]:
    return await generations.drop_retired()
