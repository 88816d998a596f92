"""Reads: the cursor list, the enhanced list (filters, sort, search, summary), detail, the
ledger, FIFO availability, and balances as of a past instant."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg


async def test_the_cursor_list_pages_newest_first_without_gaps(world: Any) -> None:
    created = [await world.intake() for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await world.admin.ok("GET", "/v1/batches", params=params)
        seen += [b["id"] for b in page["items"]]
        if not page["hasMore"]:
            assert page["nextCursor"] is None
            break
        cursor = page["nextCursor"]
    assert seen == [b["id"] for b in reversed(created)]
    bad = await world.admin.call("GET", "/v1/batches", params={"cursor": "not-a-cursor"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR")


async def test_the_cursor_list_filters_by_status_category_and_search(world: Any) -> None:
    live = await world.live(code="B-LIVE-1")
    await world.intake(code="B-WAIT-1")
    vape = await world.intake(
        code="B-VAPE-1", product={"name": "Cart", "category": "Vape", "unitOfMeasure": "Each"}
    )
    by_status = await world.admin.ok("GET", "/v1/batches", params={"status": "LIVE"})
    assert [b["id"] for b in by_status["items"]] == [live["id"]]
    by_category = await world.admin.ok("GET", "/v1/batches", params={"category": "Vape"})
    assert [b["id"] for b in by_category["items"]] == [vape["id"]]
    by_search = await world.admin.ok("GET", "/v1/batches", params={"search": "cart"})
    assert [b["id"] for b in by_search["items"]] == [vape["id"]]


async def test_archived_batches_are_hidden_unless_asked_for(world: Any) -> None:
    batch = await world.intake()
    await world.admin.ok(
        "POST", f"/v1/batches/{batch['id']}/status", json={"status": "CLOSED", "reason": "cancel"}
    )
    assert (await world.admin.ok("GET", "/v1/batches"))["items"] == []
    archived = await world.admin.ok("GET", "/v1/batches", params={"includeArchived": "true"})
    assert [b["id"] for b in archived["items"]] == [batch["id"]]


async def test_the_enhanced_list_filters_sorts_pages_and_summarises(
    world: Any, db: asyncpg.Connection
) -> None:
    a = await world.live(code="B-A", quantity="5.0000", grade="B")  # LOW_STOCK
    b = await world.live(code="B-B", quantity="50.0000", grade="A", unitCogs="2.0000")
    c = await world.live(
        code="B-C", quantity="200.0000", grade="A", vendor={"name": "Other Vendor"}
    )
    await world.reserve(b, "50", "1")
    await db.execute(
        "UPDATE batch SET created_at = now() - interval '40 days' WHERE id = $1", UUID(c["id"])
    )
    result = await world.admin.ok(
        "GET",
        "/v1/batches/enhanced",
        params={"sortBy": "onHandQty", "sortOrder": "asc", "pageSize": 2},
    )
    assert [x["code"] for x in result["items"]] == ["B-A", "B-B"]
    assert result["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "totalItems": 3,
        "totalPages": 2,
        "hasNext": True,
        "hasPrevious": False,
    }
    summary = result["summary"]
    assert summary["totalBatches"] == 3
    assert summary["totalOnHandQty"] == "255.0000"
    assert summary["totalReservedQty"] == "50.0000"
    assert summary["totalAvailableQty"] == "205.0000"
    assert summary["totalValue"] == "612.5000"  # 5*2.5 + 50*2 + 200*2.5
    assert summary["statusCounts"]["LIVE"] == 3
    assert summary["stockStatusCounts"] == {"IN_STOCK": 1, "LOW_STOCK": 1, "OUT_OF_STOCK": 1}
    assert summary["agingCounts"] == {"FRESH": 2, "MODERATE": 0, "AGING": 1, "CRITICAL": 0}
    page2 = await world.admin.ok(
        "GET",
        "/v1/batches/enhanced",
        params={"sortBy": "onHandQty", "sortOrder": "asc", "pageSize": 2, "page": 2},
    )
    assert [x["code"] for x in page2["items"]] == ["B-C"]

    async def codes(**params: Any) -> list[str]:
        found = await world.admin.ok(
            "GET", "/v1/batches/enhanced", params={"sortBy": "code", "sortOrder": "asc", **params}
        )
        return [x["code"] for x in found["items"]]

    assert await codes(grade="A") == ["B-B", "B-C"]
    assert await codes(stockStatus="OUT_OF_STOCK") == ["B-B"]
    assert await codes(stockStatus=["LOW_STOCK", "IN_STOCK"]) == ["B-A", "B-C"]
    assert await codes(ageBracket="AGING") == ["B-C"]
    assert await codes(vendorId=c["vendorId"]) == ["B-C"]
    assert await codes(brandId=a["brandId"]) == ["B-A", "B-B", "B-C"]
    assert await codes(search="b-b") == ["B-B"]
    assert await codes(search="%") == []  # LIKE wildcards are literal
    assert await codes(locationId=world.location_b) == []
    assert await codes(status="ON_HOLD") == []
    assert await codes(category="Flower", sortOrder="desc") == ["B-C", "B-B", "B-A"]
    by_age = await world.admin.ok(
        "GET", "/v1/batches/enhanced", params={"sortBy": "ageDays", "sortOrder": "desc"}
    )
    assert by_age["items"][0]["code"] == "B-C"
    assert by_age["items"][0]["agingBracket"] == "AGING"


async def test_the_enhanced_list_refuses_unknown_sort_fields(world: Any) -> None:
    response = await world.admin.call(
        "GET", "/v1/batches/enhanced", params={"sortBy": "id; DROP TABLE batch"}
    )
    assert response.status_code == 422


async def test_batch_detail_has_locations_audit_movements_and_availability(world: Any) -> None:
    batch = await world.live()
    await world.reserve(batch, "10", "A")
    detail = await world.admin.ok("GET", f"/v1/batches/{batch['id']}/detail")
    assert detail["availableQty"] == "90.0000"
    assert [loc["label"] for loc in detail["locations"]] == ["Vault/R1"]
    assert [a["action"] for a in detail["auditLogs"]] == ["RESERVE", "UPDATE_STATUS", "INTAKE"]
    assert [m["movementType"] for m in detail["movements"]] == ["RESERVE", "INTAKE"]
    assert detail["reservations"] == [
        {"referenceType": "ORDER", "referenceId": "A", "qty": "10.0000"}
    ]
    assert set(detail["allowedTransitions"]) == {
        "PHOTOGRAPHY_COMPLETE",
        "ON_HOLD",
        "QUARANTINED",
        "SOLD_OUT",
        "CLOSED",
    }
    missing = await world.admin.call(
        "GET", "/v1/batches/00000000-0000-4000-8000-000000000000/detail"
    )
    assert missing.json()["error"]["code"] == "BATCH_NOT_FOUND"


async def test_the_ledger_pages_newest_first(world: Any) -> None:
    batch = await world.live()
    for n in range(4):
        await world.admin.ok(
            "POST",
            f"/v1/batches/{batch['id']}/adjustments",
            json={"adjustment": f"{n + 1}", "reason": "REWEIGH"},
        )
    first = await world.admin.ok("GET", f"/v1/batches/{batch['id']}/movements", params={"limit": 3})
    second = await world.admin.ok(
        "GET",
        f"/v1/batches/{batch['id']}/movements",
        params={"limit": 3, "cursor": first["nextCursor"]},
    )
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(ids) == 5
    assert ids == sorted(ids, reverse=True)
    assert second["hasMore"] is False


async def test_available_batches_for_a_product_come_oldest_first(
    world: Any, db: asyncpg.Connection
) -> None:
    old = await world.live(code="B-OLD")
    new = await world.live(code="B-NEW")
    await world.intake(code="B-WAITING")
    small = await world.live(code="B-SMALL", quantity="1.0000")
    await db.execute(
        "UPDATE batch SET created_at = now() - interval '10 days' WHERE id = $1", UUID(old["id"])
    )
    found = await world.admin.ok("GET", f"/v1/products/{old['productId']}/available-batches")
    assert [b["code"] for b in found] == ["B-OLD", "B-NEW", "B-SMALL"]
    enough = await world.admin.ok(
        "GET", f"/v1/products/{old['productId']}/available-batches", params={"minQuantity": "2"}
    )
    assert [b["batchId"] for b in enough] == [old["id"], new["id"]]
    assert small["id"] not in [b["batchId"] for b in enough]
    unknown = await world.admin.call(
        "GET", "/v1/products/00000000-0000-4000-8000-000000000000/available-batches"
    )
    assert unknown.status_code == 404


async def test_balances_as_of_a_past_instant_replay_the_ledger(world: Any) -> None:
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}"
    await asyncio.sleep(0.01)
    t1 = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await world.admin.ok(
        "POST",
        f"{path}/transfers",
        json={
            "quantity": "30",
            "fromLocationId": world.location_a,
            "toLocationId": world.location_b,
        },
    )
    await world.admin.ok(
        "POST",
        f"{path}/reservations",
        json={"quantity": "5", "referenceType": "ORDER", "referenceId": "1"},
    )
    t2 = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await world.admin.ok(
        "POST",
        f"{path}/adjustments",
        json={"adjustment": "-10", "reason": "LOST", "locationId": world.location_b},
    )
    then = await world.admin.ok("GET", f"{path}/as-of", params={"at": t1.isoformat()})
    assert (then["onHandQty"], then["reservedQty"]) == ("100.0000", "0.0000")
    assert then["locations"] == [{"locationId": world.location_a, "qty": "100.0000"}]
    middle = await world.admin.ok("GET", f"{path}/as-of", params={"at": t2.isoformat()})
    assert (middle["onHandQty"], middle["reservedQty"], middle["availableQty"]) == (
        "100.0000",
        "5.0000",
        "95.0000",
    )
    assert {x["locationId"]: x["qty"] for x in middle["locations"]} == {
        world.location_a: "70.0000",
        world.location_b: "30.0000",
    }
    now = await world.admin.ok("GET", f"{path}/as-of", params={"at": datetime.now(UTC).isoformat()})
    assert now["onHandQty"] == "90.0000"
    before = await world.admin.ok(
        "GET", f"{path}/as-of", params={"at": (t1 - timedelta(days=1)).isoformat()}
    )
    assert (before["onHandQty"], before["version"], before["locations"]) == ("0.0000", 0, [])
    site = await world.admin.ok(
        "GET", "/v1/inventory/as-of", params={"siteId": world.site_id, "at": t2.isoformat()}
    )
    (item,) = site["items"]
    assert {k: item[k] for k in ("onHandQty", "reservedQty", "version")} == {
        k: middle[k] for k in ("onHandQty", "reservedQty", "version")
    }
    assert item["locations"] == middle["locations"]
    naive = await world.admin.call("GET", f"{path}/as-of", params={"at": "2026-01-01T00:00:00"})
    assert naive.status_code == 422


async def test_the_site_as_of_view_pages_by_batch(world: Any) -> None:
    for _ in range(3):
        await world.intake()
    at = datetime.now(UTC).isoformat()
    first = await world.admin.ok(
        "GET", "/v1/inventory/as-of", params={"siteId": world.site_id, "at": at, "limit": 2}
    )
    second = await world.admin.ok(
        "GET",
        "/v1/inventory/as-of",
        params={"siteId": world.site_id, "at": at, "limit": 2, "cursor": first["nextCursor"]},
    )
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert not second["hasMore"]
    assert all(i["onHandQty"] == "100.0000" for i in first["items"] + second["items"])


async def test_a_nul_character_is_invalid_input_not_a_server_error(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    search = await world.admin.call("GET", "/v1/batches/enhanced", params={"search": "a\x00b"})
    assert (search.status_code, search.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    note = await world.admin.call(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "1", "reason": "REWEIGH", "notes": "x\x00"},
    )
    assert (note.status_code, note.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert (await world.batch(batch["id"]))["version"] == batch["version"]
