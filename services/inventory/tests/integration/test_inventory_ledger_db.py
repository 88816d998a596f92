"""What the database itself guarantees, whatever the code does: the ledger is append-only,
buckets never go negative, earmarks fit on-hand, locations add up at every commit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE movement SET quantity_change = quantity_change",
        "DELETE FROM movement",
        "TRUNCATE movement",
        "UPDATE audit_log SET reason = 'edited'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
async def test_history_cannot_be_rewritten(
    world: Any, db: asyncpg.Connection, statement: str
) -> None:
    await world.live()
    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await db.execute(statement)
    assert await db.fetchval("SELECT count(*) FROM movement") == 1


async def test_a_location_total_that_does_not_match_is_refused_at_commit(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    batch_id = UUID(batch["id"])
    with pytest.raises(asyncpg.CheckViolationError, match="at its locations"):
        async with db.transaction():
            await db.execute(
                "UPDATE batch_location SET qty = qty - 1 WHERE batch_id = $1", batch_id
            )
    with pytest.raises(asyncpg.CheckViolationError, match="at its locations"):
        async with db.transaction():
            await db.execute(
                "UPDATE batch SET on_hand_qty = on_hand_qty + 1 WHERE id = $1", batch_id
            )
    # Both changes together balance, so the deferred check lets them commit.
    async with db.transaction():
        await db.execute("UPDATE batch SET on_hand_qty = on_hand_qty - 1 WHERE id = $1", batch_id)
        await db.execute("UPDATE batch_location SET qty = qty - 1 WHERE batch_id = $1", batch_id)
    # ... and put back the same way (the ledger check after the test would catch the edit).
    async with db.transaction():
        await db.execute("UPDATE batch SET on_hand_qty = on_hand_qty + 1 WHERE id = $1", batch_id)
        await db.execute("UPDATE batch_location SET qty = qty + 1 WHERE batch_id = $1", batch_id)


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("UPDATE batch SET on_hand_qty = -1", asyncpg.CheckViolationError),
        ("UPDATE batch SET reserved_qty = on_hand_qty + 1", asyncpg.CheckViolationError),
        ("UPDATE batch SET hold_qty = -5", asyncpg.CheckViolationError),
        ("UPDATE batch SET status = 'GONE'", asyncpg.CheckViolationError),
        ("UPDATE batch SET deleted_at = now()", asyncpg.CheckViolationError),
        ("UPDATE batch SET cogs_mode = 'RANGE'", asyncpg.CheckViolationError),
    ],
)
async def test_the_batch_row_refuses_impossible_states(
    world: Any, db: asyncpg.Connection, statement: str, error: type[Exception]
) -> None:
    await world.live()
    with pytest.raises(error):
        await db.execute(statement)


async def test_a_movement_must_chain_and_be_unique_in_its_operation(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    insert = (
        "INSERT INTO movement (batch_id, batch_version, sequence, bucket, movement_type,"
        " quantity_change, quantity_before, quantity_after, performed_by, occurred_at)"
        " VALUES ($1, $2, 0, 'ON_HAND', 'ADJUSTMENT', $3, $4, $5, 'x', now())"
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(insert, UUID(batch["id"]), 99, 1, 0, 2)  # 0 + 1 != 2
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(insert, UUID(batch["id"]), 1, 1, 100, 101)  # version 1, sequence 0 exists
