"""Faults a new user found through the running stack (issue 10), each reproduced here: whatever
the API accepts stays listable and summable, out-of-range input is refused with a stable code,
and a refused request changes nothing."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
from inventory.config import InventorySettings
from shared.http.strict_json import StrictJsonRoute
from shared.testing.apps import api_routes


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


# --- a cursor the API did not issue is a 422 ----------------------------------------------------


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# None of these is a cursor any of the lists issues ([5] would be a movements cursor).
FORGED_CURSORS = (
    [["0001-01-01T00:00:00+14:00", str(uuid4())]],
    [["9999-12-31T23:59:59-14:00", str(uuid4())]],
    [["2026-01-01T00:00:00+05:00", str(uuid4())]],
    [["2026-01-01T00:00:00", str(uuid4())]],
    [["2026-01-01T00:00:00+00:00", str(uuid4()).upper()]],
    [["2026-01-01T00:00:00+00:00", str(uuid4()), 1]],
    [[2**70]],
    [[-1]],
    [[True]],
    [[5.0]],
    [[None]],
    [[str(uuid4()), str(uuid4())]],
    [["not a uuid"]],
    [5],
    [{"id": 5}],
    [[]],
)


async def test_every_list_refuses_a_cursor_it_did_not_issue(world: Any) -> None:
    batch = await world.intake()
    lists = (
        ("/v1/batches", {}),
        (f"/v1/batches/{batch['id']}/movements", {}),
        ("/v1/inventory/as-of", {"siteId": world.site_id, "at": "2030-01-01T00:00:00Z"}),
    )
    for (forged,) in FORGED_CURSORS:
        cursor = _cursor(forged)
        for path, params in lists:
            response = await world.admin.call("GET", path, params={**params, "cursor": cursor})
            assert response.status_code == 422, (path, forged, response.text)
            assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    for text in ("not-a-cursor", _cursor([5]) + "=", "W10", "\u00e9"):
        for path, params in lists:
            response = await world.admin.call("GET", path, params={**params, "cursor": text})
            assert response.status_code == 422, (path, text, response.text)


async def test_every_list_follows_the_cursors_it_issued_to_the_end(world: Any) -> None:
    for _ in range(3):
        batch = await world.live()
    await world.admin.ok(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "-1.0000", "reason": "COUNT_DISCREPANCY"},
    )
    lists = (
        ("/v1/batches", {}),
        (f"/v1/batches/{batch['id']}/movements", {}),
        ("/v1/inventory/as-of", {"siteId": world.site_id, "at": "2099-01-01T00:00:00Z"}),
    )
    for path, params in lists:
        seen, cursor = 0, None
        while True:
            extra = {"cursor": cursor} if cursor else {}
            page = await world.admin.ok("GET", path, params={**params, "limit": 1, **extra})
            seen += len(page["items"])
            cursor = page["nextCursor"]
            if not page["hasMore"]:
                break
        assert seen >= 2, path


# --- quantities and money are decimal strings, never JSON numbers ------------------------------


async def test_a_json_integer_quantity_is_refused_like_any_number_and_changes_nothing(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    before = await _counts(db)
    writes = (
        ("/v1/batches/intake", world.intake_body(quantity=5)),
        ("/v1/batches/intake", world.intake_body(unitCogs=3)),
        (
            f"/v1/batches/{batch['id']}/adjustments",
            {"adjustment": 5, "reason": "COUNT_DISCREPANCY"},
        ),
        (f"/v1/batches/{batch['id']}/holds", {"quantity": 1}),
        (
            f"/v1/batches/{batch['id']}/reservations",
            {"quantity": 1, "referenceType": "ORDER", "referenceId": "SO-1"},
        ),
    )
    for path, body in writes:
        response = await world.admin.call("POST", path, json=body)
        assert response.status_code == 422, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert "decimal string" in error["message"], error
    assert await _counts(db) == before
    assert (await world.batch(batch["id"]))["onHandQty"] == batch["onHandQty"]


# --- a body that is not JSON says so, with a stable code ---------------------------------------

MALFORMED_BODIES = (
    (b'{"adjustment": ', "application/json", "MALFORMED_JSON"),
    (b'{"adjustment": 1e400, "reason": "LOST"}', "application/json", "MALFORMED_JSON"),
    (b'{"adjustment": NaN, "reason": "LOST"}', "application/json", "MALFORMED_JSON"),
    (
        b'{"adjustment": "1", "reason": "LOST", "notes": "\\ud800"}',
        "application/json",
        "MALFORMED_JSON",
    ),
    (
        b'{"adjustment": "1", "reason": "LOST", "notes": "\xff"}',
        "application/json",
        "MALFORMED_JSON",
    ),
    (b'{"adjustment": "1", "reason": "LOST"}', "text/plain", "UNSUPPORTED_MEDIA_TYPE"),
    (b"adjustment=1&reason=LOST", "application/x-www-form-urlencoded", "UNSUPPORTED_MEDIA_TYPE"),
)
EXPECTED_STATUS = {"MALFORMED_JSON": 400, "UNSUPPORTED_MEDIA_TYPE": 415}


async def test_a_body_that_is_not_json_is_refused_with_a_code_that_says_why(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    before = await _counts(db)
    for body, content_type, code in MALFORMED_BODIES:
        response = await world.admin.call(
            "POST",
            f"/v1/batches/{batch['id']}/adjustments",
            content=body,
            headers={"Content-Type": content_type},
        )
        assert response.status_code == EXPECTED_STATUS[code], (body, response.text)
        error = response.json()["error"]
        assert error["code"] == code, (body, error)
        assert "dictionary" not in error["message"]
    metadata = await world.admin.call(
        "POST",
        "/v1/batches/intake",
        content=json.dumps(world.intake_body(metadata={"n": 1})).replace("1}", "NaN}"),
        headers={"Content-Type": "application/json"},
    )
    assert metadata.json()["error"]["code"] == "MALFORMED_JSON", metadata.text
    assert await _counts(db) == before


async def test_json_with_a_charset_or_a_json_suffix_type_is_accepted(world: Any) -> None:
    batch = await world.live()
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        await world.admin.ok(
            "POST",
            f"/v1/batches/{batch['id']}/adjustments",
            content=json.dumps({"adjustment": "-1", "reason": "LOST", "notes": "\U0001f600"}),
            headers={"Content-Type": content_type},
        )


def test_every_route_with_a_body_parses_it_strictly(app: Any) -> None:
    routes = [r for r in api_routes(app.routes) if r.body_field]
    assert len(routes) > 20
    assert [r.path for r in routes if not isinstance(r, StrictJsonRoute)] == []


# --- bulk actions need a reason, as the single-batch ones do -----------------------------------


async def test_bulk_status_and_bulk_delete_without_a_reason_are_refused_whole(
    world: Any, db: asyncpg.Connection
) -> None:
    live = await world.live()
    empty = await world.intake(quantity="1")
    await world.admin.ok(
        "POST",
        f"/v1/batches/{empty['id']}/adjustments",
        json={"adjustment": "-1", "reason": "DAMAGED"},
    )
    before = await _counts(db)
    for reason in (None, "", "   "):
        extra = {} if reason is None else {"reason": reason}
        for path, body in (
            ("/v1/batches/bulk/status", {"batchIds": [live["id"]], "newStatus": "ON_HOLD"}),
            ("/v1/batches/bulk/delete", {"batchIds": [empty["id"]]}),
        ):
            response = await world.admin.call("POST", path, json={**body, **extra})
            assert response.status_code == 422, (path, reason, response.text)
            error = response.json()["error"]
            assert (error["code"], error["message"]) == ("REASON_REQUIRED", "Reason is required")
    single = await world.admin.call("DELETE", f"/v1/batches/{empty['id']}")
    assert single.json()["error"]["code"] == "REASON_REQUIRED"
    assert await _counts(db) == before
    assert (await world.batch(live["id"]))["batchStatus"] == "LIVE"


# --- leaving CLOSED is the spec's INVALID_STATUS_TRANSITION ------------------------------------


async def test_reopening_a_closed_batch_is_an_invalid_transition_single_and_bulk(
    world: Any, db: asyncpg.Connection
) -> None:
    closed = await world.intake()
    await world.admin.ok(
        "POST", f"/v1/batches/{closed['id']}/status", json={"status": "CLOSED", "reason": "cancel"}
    )
    deleted = await world.intake()
    await world.admin.ok(
        "POST", f"/v1/batches/{deleted['id']}/status", json={"status": "CLOSED", "reason": "cancel"}
    )
    await world.admin.ok("DELETE", f"/v1/batches/{deleted['id']}", params={"reason": "dup"})
    before = await _counts(db)
    for batch in (closed, deleted):
        response = await world.admin.call(
            "POST", f"/v1/batches/{batch['id']}/status", json={"status": "LIVE", "reason": "oops"}
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["code"], error["message"]) == (
            "INVALID_STATUS_TRANSITION",
            "Cannot transition from CLOSED to LIVE",
        )
    bulk = await world.admin.ok(
        "POST",
        "/v1/batches/bulk/status",
        json={"batchIds": [closed["id"], deleted["id"]], "newStatus": "LIVE", "reason": "oops"},
    )
    assert [(r["outcome"], r["code"], r["message"]) for r in bulk["results"]] == [
        ("FAILED", "INVALID_STATUS_TRANSITION", "Cannot transition from CLOSED to LIVE")
    ] * 2
    assert await _counts(db) == before


# --- units of measure are the state's ----------------------------------------------------------


async def test_a_unit_of_measure_the_state_does_not_know_is_refused_and_changes_nothing(
    world: Any, db: asyncpg.Connection
) -> None:
    before = await _counts(db)
    product = {"name": "Gummies", "category": "Edible", "unitOfMeasure": "Gramz"}
    intake = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(product=product)
    )
    brand = await world.admin.ok("POST", "/v1/brands", 201, json={"name": "Sweet"})
    created = await world.admin.call(
        "POST", "/v1/products", json={**product, "brandId": brand["id"], "unitOfMeasure": "grams"}
    )
    for response, field, unit in (
        (intake, "product.unitOfMeasure", "Gramz"),
        (created, "unitOfMeasure", "grams"),
    ):
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"]["errors"][0]["field"] == field
        message = error["details"]["errors"][0]["message"]
        assert unit in message
        assert "Grams" in message  # the closest of the configured units
    assert await _counts(db) == {**before, "brand": before["brand"] + 1}


async def test_every_unit_of_the_configured_list_is_accepted(world: Any) -> None:
    for unit in ("Grams", "Kilograms", "Milligrams", "Ounces", "Pounds", "Each", "Milliliters"):
        product = {"name": f"P {unit}", "category": "Edible", "unitOfMeasure": unit}
        batch = await world.intake(product=product)
        assert batch["unitOfMeasure"] == unit


def test_the_unit_list_is_a_setting_whose_default_is_metrcs() -> None:
    assert InventorySettings(INVENTORY_UNITS_OF_MEASURE=" Each, Grams ,").units_of_measure == (
        "Each",
        "Grams",
    )
    default = InventorySettings().units_of_measure
    assert {"Grams", "Kilograms", "Milligrams", "Ounces", "Pounds", "Each"} <= set(default)


# --- reference searches match text literally, and page --------------------------------------


async def test_searching_for_percent_or_underscore_matches_them_literally(world: Any) -> None:
    for name in ("Acme 100% Organic", "Acme_Farms", "Acme Farms", "AcmeXFarms"):
        await world.admin.ok("POST", "/v1/vendors", 201, json={"name": name})
        await world.admin.ok("POST", "/v1/brands", 201, json={"name": name})
    for path in ("/v1/vendors", "/v1/brands"):
        for search, expected in (
            ("%", ["Acme 100% Organic"]),
            ("_", ["Acme_Farms"]),
            ("e_f", ["Acme_Farms"]),
            ("\\", []),
        ):
            page = await world.admin.ok("GET", path, params={"search": search})
            assert [v["name"] for v in page["items"]] == expected, (path, search)


async def test_reference_lists_page_through_everything_instead_of_stopping(world: Any) -> None:
    brand = await world.admin.ok("POST", "/v1/brands", 201, json={"name": "Brand 00"})
    vendor = await world.admin.ok("POST", "/v1/vendors", 201, json={"name": "Vendor 00"})
    for i in range(1, 5):
        await world.admin.ok("POST", "/v1/vendors", 201, json={"name": f"Vendor {i:02d}"})
        await world.admin.ok("POST", "/v1/brands", 201, json={"name": f"Brand {i:02d}"})
        await world.admin.ok(
            "POST",
            "/v1/products",
            201,
            json={
                "name": f"Product {i:02d}",
                "category": "Edible",
                "brandId": brand["id"],
                "unitOfMeasure": "Each",
            },
        )
        await world.intake(vendor={"id": vendor["id"]}, lot={"code": f"LOT-{i}"})
    for path, params, count in (
        ("/v1/vendors", {"search": "Vendor"}, 5),
        ("/v1/brands", {"search": "Brand"}, 5),
        ("/v1/products", {"brandId": brand["id"]}, 4),
        (f"/v1/vendors/{vendor['id']}/lots", {}, 4),
    ):
        seen: list[str] = []
        cursor = None
        while True:
            extra = {"cursor": cursor} if cursor else {}
            page = await world.admin.ok("GET", path, params={**params, "limit": 2, **extra})
            assert len(page["items"]) <= 2
            seen += [item["id"] for item in page["items"]]
            cursor = page["nextCursor"]
            if not page["hasMore"]:
                assert cursor is None
                break
        assert len(seen) == len(set(seen)) == count, path
        everything = await world.admin.ok("GET", path, params=params)
        assert [item["id"] for item in everything["items"]] == seen, path
        forged = await world.admin.call("GET", path, params={**params, "cursor": _cursor([5])})
        assert forged.status_code == 422, path
