"""Authentication, permissions and site isolation: a token without a site sees nothing of it
and cannot write to it; every route but health needs the gateway's token."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from shared.contracts.inventory import ROUTES
from shared.identity import IDENTITY_HEADER, Identity, generate_keypair, issue_identity_token

SAMPLE = "00000000-0000-4000-8000-000000000000"


def concrete(path: str) -> str:
    for name in ("{batchId}", "{productId}", "{viewId}", "{siteId}", "{vendorId}"):
        path = path.replace(name, SAMPLE)
    return path


async def test_every_route_needs_the_gateway_token(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://x"
    ) as client:
        for route in ROUTES:
            response = await client.request(route.method, concrete(route.path))
            assert response.status_code == 401, route
            assert response.json()["error"]["code"] == "UNAUTHENTICATED"
        assert (await client.get("/healthz")).status_code == 200


async def test_a_token_signed_by_another_key_is_refused(app: FastAPI) -> None:
    forged = issue_identity_token(
        Identity(subject="mallory", permissions=("inventory:read",), sites=("*",)),
        generate_keypair()[0],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://x"
    ) as client:
        response = await client.get("/v1/batches", headers={IDENTITY_HEADER: forged})
    assert response.status_code == 401


async def test_every_route_checks_its_permission(make_user: Any) -> None:
    nobody = await make_user("nobody", permissions=())
    for route in ROUTES:
        response = await nobody.call(route.method, concrete(route.path))
        assert response.status_code == 403, route
        assert response.json()["error"] == {
            "code": "PERMISSION_DENIED",
            "message": f"Permission denied: {route.permission} is required",
            "details": {"permission": route.permission},
        }


async def test_a_reader_cannot_write(world: Any, make_user: Any) -> None:
    reader = await make_user("reader", permissions=("inventory:read",))
    batch = await world.live()
    response = await reader.call(
        "POST", f"/v1/batches/{batch['id']}/adjustments", json={"adjustment": "1", "reason": "LOST"}
    )
    assert response.status_code == 403
    assert (await reader.ok("GET", f"/v1/batches/{batch['id']}"))["version"] == batch["version"]


async def test_a_user_of_another_site_sees_nothing_and_writes_nothing(
    world: Any, other_world: Any, make_user: Any
) -> None:
    ours = await world.live()
    theirs = await other_world.live()
    outsider = await make_user("outsider", sites=(other_world.site_id,))
    assert [b["id"] for b in (await outsider.ok("GET", "/v1/batches"))["items"]] == [theirs["id"]]
    enhanced = await outsider.ok("GET", "/v1/batches/enhanced", params={"siteId": world.site_id})
    assert enhanced["items"] == []
    assert enhanced["summary"]["totalBatches"] == 0
    for path in ("", "/detail", "/movements", "/as-of?at=2030-01-01T00:00:00Z"):
        response = await outsider.call("GET", f"/v1/batches/{ours['id']}{path}")
        assert (response.status_code, response.json()["error"]["code"]) == (
            404,
            "BATCH_NOT_FOUND",
        ), path
    for action, body in (
        ("adjustments", {"adjustment": "-1", "reason": "LOST"}),
        ("status", {"status": "ON_HOLD", "reason": "x"}),
        ("reservations", {"quantity": "1", "referenceType": "ORDER", "referenceId": "1"}),
    ):
        response = await outsider.call("POST", f"/v1/batches/{ours['id']}/{action}", json=body)
        assert response.status_code == 404, action
    bulk = await outsider.ok(
        "POST",
        "/v1/batches/bulk/status",
        json={"batchIds": [ours["id"]], "status": "ON_HOLD", "reason": "x"},
    )
    assert bulk["results"][0]["code"] == "BATCH_NOT_FOUND"
    intake = await outsider.call("POST", "/v1/batches/intake", json=world.intake_body())
    assert (intake.status_code, intake.json()["error"]["code"]) == (403, "SITE_ACCESS_DENIED")
    assert (await outsider.call("GET", f"/v1/sites/{world.site_id}/locations")).status_code == 404
    assert [s["id"] for s in await outsider.ok("GET", "/v1/sites")] == [other_world.site_id]
    available = await outsider.ok("GET", f"/v1/products/{ours['productId']}/available-batches")
    assert [b["batchId"] for b in available] == [theirs["id"]]
    as_of = await outsider.call(
        "GET", "/v1/inventory/as-of", params={"siteId": world.site_id, "at": "2030-01-01T00:00:00Z"}
    )
    assert as_of.status_code == 404
    assert await world.batch(ours["id"]) == {**ours, "ageDays": ours["ageDays"]}
