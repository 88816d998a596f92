"""Beyond the spec: transfers, reservations and sales, returns, samples, disposal, holds, defects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg


def path(batch: dict[str, Any], action: str) -> str:
    return f"/v1/batches/{batch['id']}/{action}"


def order(ref: str, qty: str) -> dict[str, str]:
    return {"quantity": qty, "referenceType": "ORDER", "referenceId": ref}


def moving(qty: str, source: str, destination: str) -> dict[str, str]:
    """The body of a transfer."""
    return {"quantity": qty, "fromLocationId": source, "toLocationId": destination}


async def test_a_transfer_moves_stock_between_locations_with_balanced_legs(world: Any) -> None:
    batch = await world.live()
    result = await world.admin.ok(
        "POST",
        path(batch, "transfers"),
        json=moving("40", world.location_a, world.location_b),
    )
    legs = result["movements"]
    assert [(m["locationId"], m["quantityChange"]) for m in legs] == [
        (world.location_a, "-40.0000"),
        (world.location_b, "40.0000"),
    ]
    assert sum(Decimal(m["quantityChange"]) for m in legs) == 0  # debits equal credits
    assert result["batch"]["onHandQty"] == "100.0000"
    detail = await world.admin.ok("GET", f"/v1/batches/{batch['id']}/detail")
    assert {loc["locationId"]: loc["qty"] for loc in detail["locations"]} == {
        world.location_a: "60.0000",
        world.location_b: "40.0000",
    }


async def test_a_transfer_needs_stock_at_the_source_and_a_location_of_the_site(
    world: Any, other_world: Any
) -> None:
    batch = await world.live()
    short = await world.admin.call(
        "POST",
        path(batch, "transfers"),
        json=moving("1", world.location_b, world.location_a),
    )
    assert (short.status_code, short.json()["error"]["code"]) == (422, "INSUFFICIENT_AT_LOCATION")
    foreign = await world.admin.call(
        "POST",
        path(batch, "transfers"),
        json=moving("1", world.location_a, other_world.location_a),
    )
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "NOT_FOUND")


async def test_reserve_release_and_sell_consuming_the_reservation(world: Any) -> None:
    batch = await world.live()
    reserved = await world.admin.ok("POST", path(batch, "reservations"), json=order("SO-1", "30"))
    assert (reserved["batch"]["reservedQty"], reserved["batch"]["availableQty"]) == (
        "30.0000",
        "70.0000",
    )
    await world.admin.ok("POST", path(batch, "reservations"), json=order("SO-2", "20"))
    released = await world.admin.ok(
        "POST",
        path(batch, "reservations/release"),
        json={"referenceType": "ORDER", "referenceId": "SO-2"},
    )
    assert released["batch"]["reservedQty"] == "30.0000"
    sold = await world.admin.ok("POST", path(batch, "sales"), json=order("SO-1", "35"))
    b = sold["batch"]
    assert (b["onHandQty"], b["reservedQty"], b["availableQty"]) == ("65.0000", "0.0000", "65.0000")
    assert [(m["bucket"], m["quantityChange"]) for m in sold["movements"]] == [
        ("RESERVED", "-30.0000"),
        ("ON_HAND", "-35.0000"),
    ]


async def test_never_more_than_available_is_reserved_or_sold(world: Any) -> None:
    batch = await world.live()
    await world.admin.ok("POST", path(batch, "reservations"), json=order("SO-1", "90"))
    too_much = await world.admin.call("POST", path(batch, "reservations"), json=order("SO-2", "11"))
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (
        422,
        "INSUFFICIENT_AVAILABLE",
    )
    # Another order cannot take what SO-1 reserved.
    sale = await world.admin.call("POST", path(batch, "sales"), json=order("SO-3", "11"))
    assert (sale.status_code, sale.json()["error"]["code"]) == (422, "INSUFFICIENT_AVAILABLE")
    missing = await world.admin.call(
        "POST",
        path(batch, "reservations/release"),
        json={"referenceType": "ORDER", "referenceId": "SO-9"},
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "RESERVATION_NOT_FOUND")


async def test_nothing_is_reserved_before_the_batch_is_live(world: Any) -> None:
    batch = await world.intake()
    response = await world.admin.call("POST", path(batch, "reservations"), json=order("SO-1", "1"))
    assert (response.status_code, response.json()["error"]["code"]) == (
        422,
        "OPERATION_NOT_ALLOWED",
    )


async def test_returns_samples_and_disposals(world: Any) -> None:
    batch = await world.live()
    await world.admin.ok("POST", path(batch, "sales"), json=order("SO-1", "10"))
    returned = await world.admin.ok(
        "POST",
        path(batch, "returns"),
        json={"quantity": "4", "refund": True, "referenceType": "ORDER", "referenceId": "SO-1"},
    )
    assert returned["movements"][0]["movementType"] == "REFUND_RETURN"
    plain = await world.admin.ok(
        "POST", path(batch, "returns"), json={"quantity": "1", "refund": False}
    )
    assert plain["movements"][0]["movementType"] == "RETURN"
    sample = await world.admin.ok(
        "POST", path(batch, "samples"), json={"quantity": "2", "notes": "for a buyer"}
    )
    assert sample["movements"][0]["movementType"] == "SAMPLE"
    disposed = await world.admin.ok(
        "POST", path(batch, "disposals"), json={"quantity": "3", "reason": "DAMAGED"}
    )
    assert (
        disposed["movements"][0]["movementType"],
        disposed["movements"][0]["adjustmentReason"],
    ) == ("DISPOSAL", "DAMAGED")
    assert disposed["batch"]["onHandQty"] == "90.0000"
    no_reason = await world.admin.call("POST", path(batch, "disposals"), json={"quantity": "1"})
    assert no_reason.json()["error"]["code"] == "REASON_REQUIRED"


async def test_holds_and_defects_are_in_the_ledger(world: Any, db: asyncpg.Connection) -> None:
    batch = await world.live()
    held = await world.admin.ok("POST", path(batch, "holds"), json={"quantity": "20"})
    assert (held["batch"]["holdQty"], held["batch"]["availableQty"]) == ("20.0000", "80.0000")
    too_much = await world.admin.call("POST", path(batch, "holds/release"), json={"quantity": "21"})
    assert too_much.json()["error"]["code"] == "INSUFFICIENT_AVAILABLE"
    await world.admin.ok("POST", path(batch, "holds/release"), json={"quantity": "20"})
    defective = await world.admin.ok(
        "POST", path(batch, "defective"), json={"quantity": "5", "reason": "DAMAGED"}
    )
    b = defective["batch"]
    assert (b["onHandQty"], b["defectiveQty"], b["physicalQty"]) == (
        "95.0000",
        "5.0000",
        "100.0000",
    )
    buckets = [r["bucket"] for r in await db.fetch("SELECT bucket FROM movement ORDER BY id")]
    assert {"HOLD", "DEFECTIVE"} <= set(buckets)


async def test_sales_and_returns_at_an_unknown_location_are_refused(world: Any) -> None:
    batch = await world.live()
    unknown = "00000000-0000-4000-8000-000000000002"
    response = await world.admin.call(
        "POST", path(batch, "sales"), json={**order("SO-1", "1"), "locationId": unknown}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")
