"""Reference data: sites, locations, vendors, brands, products, lots."""

from __future__ import annotations

from typing import Any


async def test_sites_and_locations(admin: Any, make_user: Any) -> None:
    site = await admin.ok(
        "POST", "/v1/sites", 201, json={"name": "Bend", "licenseNumber": "OR-1", "state": "OR"}
    )
    dup = await admin.call(
        "POST", "/v1/sites", json={"name": "Other", "licenseNumber": "OR-1", "state": "OR"}
    )
    assert (dup.status_code, dup.json()["error"]["code"]) == (409, "DUPLICATE")
    bad_state = await admin.call(
        "POST", "/v1/sites", json={"name": "X", "licenseNumber": "X", "state": "Oregon"}
    )
    assert bad_state.status_code == 422
    location = await admin.ok(
        "POST",
        f"/v1/sites/{site['id']}/locations",
        201,
        json={"zone": "Vault", "rack": "R1", "shelf": "S1", "bin": "B1"},
    )
    assert location["label"] == "Vault/R1/S1/B1"
    dup_location = await admin.call(
        "POST",
        f"/v1/sites/{site['id']}/locations",
        json={"zone": "Vault", "rack": "R1", "shelf": "S1", "bin": "B1"},
    )
    assert dup_location.status_code == 409
    assert [loc["id"] for loc in await admin.ok("GET", f"/v1/sites/{site['id']}/locations")] == [
        location["id"]
    ]
    local = await make_user("local", sites=(site["id"],))
    refused = await local.call(
        "POST", "/v1/sites", json={"name": "Y", "licenseNumber": "Y", "state": "WA"}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "SITE_ACCESS_DENIED")
    assert [s["id"] for s in await local.ok("GET", "/v1/sites")] == [site["id"]]


async def test_vendors_brands_products_and_lots(world: Any) -> None:
    admin = world.admin
    vendor = await admin.ok(
        "POST", "/v1/vendors", 201, json={"name": "Acme Farms", "licenseNumber": "L-1"}
    )
    assert vendor["isSeller"] is True
    assert (await admin.call("POST", "/v1/vendors", json={"name": "ACME farms"})).status_code == 409
    brand = await admin.ok(
        "POST", "/v1/brands", 201, json={"name": "Acme", "vendorId": vendor["id"]}
    )
    product = await admin.ok(
        "POST",
        "/v1/products",
        201,
        json={
            "name": "Acme OG",
            "category": "Flower",
            "strain": "OG",
            "brandId": brand["id"],
            "unitOfMeasure": "Grams",
        },
    )
    assert product["brandName"] == "Acme"
    no_strain = await admin.call(
        "POST",
        "/v1/products",
        json={"name": "X", "category": "flower", "brandId": brand["id"], "unitOfMeasure": "Grams"},
    )
    assert no_strain.json()["error"]["code"] == "VALIDATION_ERROR"
    unknown_brand = await admin.call(
        "POST",
        "/v1/products",
        json={"name": "X", "category": "Vape", "brandId": vendor["id"], "unitOfMeasure": "Each"},
    )
    assert unknown_brand.status_code == 404
    vendors = await admin.ok("GET", "/v1/vendors", params={"search": "acme"})
    assert [v["name"] for v in vendors["items"]] == ["Acme Farms"]
    assert [b["name"] for b in (await admin.ok("GET", "/v1/brands"))["items"]] == ["Acme"]
    found = await admin.ok(
        "GET", "/v1/products", params={"category": "flower", "brandId": brand["id"]}
    )
    assert [p["id"] for p in found["items"]] == [product["id"]]
    await world.intake(
        vendor={"id": vendor["id"]},
        brand={"id": brand["id"]},
        product={"id": product["id"]},
        lot={"code": "L-7"},
    )
    lots = await admin.ok("GET", f"/v1/vendors/{vendor['id']}/lots")
    assert [lot["code"] for lot in lots["items"]] == ["L-7"]
    assert (
        await admin.call("GET", "/v1/vendors/00000000-0000-4000-8000-000000000000/lots")
    ).status_code == 404


async def test_query_strings_are_read_through_the_contracts_query_models(world: Any) -> None:
    admin = world.admin
    # The same models the gateway validates with: a misspelt or unknown parameter is refused,
    # not silently ignored (a "serach" that returned everything would look like a result).
    for path, params in [
        ("/v1/vendors", {"serach": "acme"}),
        ("/v1/products", {"brand": "x"}),
        ("/v1/products", {"brandId": "not-a-uuid"}),
        ("/v1/inventory/as-of", {"at": "2026-01-01T00:00:00Z"}),  # siteId is required
    ]:
        response = await admin.call("GET", path, params=params)
        assert response.status_code == 422, (path, params, response.text)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
