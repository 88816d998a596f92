"""Faults a new user found through the running stack (issue 10), each reproduced here: whatever
the API accepts stays listable and summable, out-of-range input is refused with a stable code,
and a refused request changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg


async def _counts(db: asyncpg.Connection) -> dict[str, int]:
    """Rows of every table a write touches, to show that a refused request wrote nothing."""
    tables = ("batch", "movement", "audit_log", "outbox", "product", "vendor", "brand", "lot")
    return {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in tables}


# --- whatever is accepted stays listable and summable ----------------------------------------


async def test_the_summary_totals_the_largest_batches_the_intake_accepts(
    world: Any, db: asyncpg.Connection
) -> None:
    largest = "99999999999.9999"
    for _ in range(3):
        await world.intake(quantity=largest, unitCogs=largest)
    await world.intake(quantity="1.0001", unitCogs="1.0001")
    listed = await world.admin.ok("GET", "/v1/batches/enhanced", params={"siteId": world.site_id})
    summary = listed["summary"]
    value = Decimal(largest) * Decimal(largest) * 3 + Decimal("1.0001") * Decimal("1.0001")
    assert Decimal(summary["totalValue"]) == value.quantize(Decimal("0.0001"))
    assert Decimal(summary["totalOnHandQty"]) == Decimal(largest) * 3 + Decimal("1.0001")
    assert len(listed["items"]) == 4


# --- instants the API cannot represent are a 422, not a 500 ------------------------------------

OUT_OF_RANGE_INSTANTS = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00")


async def test_as_of_an_instant_beyond_the_representable_years_is_refused(world: Any) -> None:
    batch = await world.intake()
    for at in OUT_OF_RANGE_INSTANTS:
        for path, params in (
            (f"/v1/batches/{batch['id']}/as-of", {"at": at}),
            ("/v1/inventory/as-of", {"at": at, "siteId": world.site_id}),
        ):
            response = await world.admin.call("GET", path, params=params)
            assert response.status_code == 422, (path, at, response.text)
            error = response.json()["error"]
            assert error["code"] == "VALIDATION_ERROR"
            assert "year" in error["message"], error


async def test_as_of_the_extreme_instants_that_are_representable_answers(world: Any) -> None:
    batch = await world.intake()
    for at in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"):
        await world.admin.ok("GET", f"/v1/batches/{batch['id']}/as-of", params={"at": at})
        await world.admin.ok(
            "GET", "/v1/inventory/as-of", params={"at": at, "siteId": world.site_id}
        )
