"""The ledger list (GET /v1/batches/{id}/movements): filtered by type, bucket and time range,
ordered both ways, with an opt-in total; and who did it, by name, on movements and the audit
trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from inventory.adapters.batch_queries import BatchQueries
from inventory.service_layer.ports import MovementFilter


def ledger(batch: dict[str, Any]) -> str:
    return f"/v1/batches/{batch['id']}/movements"


async def busy_batch(world: Any) -> dict[str, Any]:
    """INTAKE; LIVE; three adjustments; a quarantine pair; a hold."""
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}"
    for n in range(3):
        body = {"adjustment": f"{n + 1}", "reason": "REWEIGH"}
        await world.admin.ok("POST", f"{path}/adjustments", json=body)
    await world.admin.ok("POST", f"{path}/quarantine", json={"quantity": "5", "reason": "check"})
    await world.admin.ok("POST", f"{path}/holds", json={"quantity": "2"})
    return batch


async def kinds(world: Any, batch: dict[str, Any], **params: Any) -> list[tuple[str, str]]:
    page = await world.admin.ok("GET", ledger(batch), params=params)
    return [(m["movementType"], m["bucket"]) for m in page["items"]]


async def test_the_ledger_filters_by_type_and_bucket(world: Any) -> None:
    batch = await busy_batch(world)
    assert await kinds(world, batch, movementType="ADJUSTMENT") == [("ADJUSTMENT", "ON_HAND")] * 3
    assert await kinds(world, batch, bucket="QUARANTINE") == [("QUARANTINE", "QUARANTINE")]
    both = await kinds(world, batch, movementType=["QUARANTINE", "HOLD"], bucket="ON_HAND")
    assert both == [("QUARANTINE", "ON_HAND")]


async def test_the_ledger_is_ordered_both_ways_and_pages_in_either(world: Any) -> None:
    batch = await busy_batch(world)
    newest = await world.admin.ok("GET", ledger(batch), params={"limit": 50})
    ids = [m["id"] for m in newest["items"]]
    assert ids == sorted(ids, reverse=True)
    first = await world.admin.ok("GET", ledger(batch), params={"order": "asc", "limit": 4})
    rest = await world.admin.ok(
        "GET", ledger(batch), params={"order": "asc", "limit": 4, "cursor": first["nextCursor"]}
    )
    assert [m["id"] for m in first["items"] + rest["items"]] == sorted(ids)
    assert first["items"][0]["movementType"] == "INTAKE"
    assert rest["hasMore"] is False


async def test_the_ledger_filters_by_a_time_range_from_inclusive_to_exclusive(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await busy_batch(world)
    times = [
        r["occurred_at"]
        for r in await db.fetch(
            "SELECT occurred_at FROM movement WHERE batch_id = $1 AND movement_type = 'ADJUSTMENT'"
            " ORDER BY id",
            batch["id"],
        )
    ]
    second = times[1].astimezone(UTC).isoformat()
    page = await world.admin.ok(
        "GET", ledger(batch), params={"occurredFrom": second, "movementType": "ADJUSTMENT"}
    )
    assert [m["quantityChange"] for m in page["items"]] == ["3.0000", "2.0000"]
    before = await world.admin.ok(
        "GET", ledger(batch), params={"occurredTo": second, "movementType": "ADJUSTMENT"}
    )
    assert [m["quantityChange"] for m in before["items"]] == ["1.0000"]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert (await world.admin.ok("GET", ledger(batch), params={"occurredFrom": future}))[
        "items"
    ] == []


async def test_a_list_says_its_total_only_when_asked(world: Any) -> None:
    batch = await busy_batch(world)
    plain = await world.admin.ok("GET", ledger(batch), params={"limit": 2})
    assert plain["total"] is None
    counted = await world.admin.ok(
        "GET", ledger(batch), params={"limit": 2, "includeTotal": "true", "bucket": "ON_HAND"}
    )
    assert len(counted["items"]) == 2
    assert counted["total"] == 5  # the intake, three adjustments, the quarantine leg
    assert counted["hasMore"] is True


async def test_bad_filters_are_validation_errors(world: Any) -> None:
    batch = await world.live()
    for params in (
        {"movementType": "TELEPORT"},
        {"bucket": "onHandQty"},
        {"order": "sideways"},
        {"occurredFrom": "yesterday"},
        {"occurredTo": "9999-12-31T23:59:59-14:00"},
    ):
        response = await world.admin.call("GET", ledger(batch), params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_movements_and_the_audit_trail_name_who_did_it(make_user: Any, world: Any) -> None:
    ada = await make_user("user-42", display_name="Ada Lovelace")
    batch = await world.live()
    result = await ada.ok(
        "POST", f"/v1/batches/{batch['id']}/quarantine", json={"quantity": "1", "reason": "x"}
    )
    assert {(m["performedBy"], m["performedByName"]) for m in result["movements"]} == {
        ("user-42", "Ada Lovelace")
    }
    page = await world.admin.ok("GET", ledger(batch), params={"limit": 2})
    assert [m["performedByName"] for m in page["items"]] == ["Ada Lovelace", "Ada Lovelace"]
    detail = await world.admin.ok("GET", f"/v1/batches/{batch['id']}/detail")
    newest = detail["auditLogs"][0]
    assert (newest["action"], newest["performedBy"], newest["performedByName"]) == (
        "QUARANTINE_PART",
        "user-42",
        "Ada Lovelace",
    )


class _Statements:
    """Stands in for the connection: keeps the statements the read adapter issues."""

    def __init__(self) -> None:
        self.issued: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.issued.append((sql, args))
        return []

    async def fetchval(self, sql: str, *args: Any) -> int:
        self.issued.append((sql, args))
        return 0


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows the scans of an EXPLAIN ANALYZE plan touched: returned and filtered out."""
    own = 0
    if "Scan" in plan["Node Type"]:
        own = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
    return own + sum(_rows_read(child) for child in plan.get("Plans", []))


async def test_a_long_ledger_is_read_page_by_page_through_its_indexes(
    world: Any, db: asyncpg.Connection
) -> None:
    """40,000 movements on one batch: every filter shape, either order, reads about its page
    (a few hundred rows at most), never the whole ledger."""
    batch = await busy_batch(world)
    start = datetime.now(UTC) + timedelta(hours=1)
    # HOLD / RELEASE_HOLD pairs net to zero and name no location, so the balances still hold.
    await db.execute(
        """
        INSERT INTO movement (batch_id, batch_version, sequence, bucket, movement_type,
            quantity_change, quantity_before, quantity_after, performed_by, occurred_at)
        SELECT $1, 1000 + n / 2, n % 2, 'HOLD',
               CASE WHEN n % 2 = 0 THEN 'HOLD' ELSE 'RELEASE_HOLD' END,
               1 - 2 * (n % 2), n % 2, 1 - n % 2, 'load', $2::timestamptz + n * interval '1 second'
        FROM generate_series(0, 39999) AS n
        """,
        batch["id"],
        start,
    )
    await db.execute("ANALYZE movement")
    middle = tuple(
        await db.fetchrow(
            "SELECT occurred_at, id FROM movement WHERE batch_id = $1 ORDER BY id"
            " OFFSET 20000 LIMIT 1",
            batch["id"],
        )
    )

    early, late = start + timedelta(seconds=100), start + timedelta(seconds=39_000)
    shapes = [
        MovementFilter(),
        MovementFilter(ascending=True),
        MovementFilter(types=["ADJUSTMENT"]),
        MovementFilter(types=["QUARANTINE"], ascending=True),
        MovementFilter(buckets=["ON_HAND"]),
        MovementFilter(occurred_to=early),
        MovementFilter(occurred_from=late, ascending=True),
        MovementFilter(occurred_from=early, occurred_to=late, types=["HOLD"]),
    ]
    statements = _Statements()
    queries = BatchQueries(statements)  # type: ignore[arg-type]
    for where in shapes:
        await queries.movements_of(batch["id"], where, after=None, limit=101)
        await queries.movements_of(batch["id"], where, after=middle, limit=101)
    for sql, args in statements.issued:
        plan = json.loads(await db.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args))
        assert _rows_read(plan[0]["Plan"]) <= 500, (sql, plan)
