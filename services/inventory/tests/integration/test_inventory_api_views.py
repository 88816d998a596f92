"""Saved views: private or shared, deleted softly and only by their owner."""

from __future__ import annotations

from typing import Any

import asyncpg

FILTERS = {"status": ["LIVE"], "category": ["Flower"], "sortBy": "availableQty", "sortOrder": "asc"}


async def test_views_are_private_unless_shared(make_user: Any, db: asyncpg.Connection) -> None:
    alice, bob = await make_user("alice"), await make_user("bob")
    private = await alice.ok("POST", "/v1/views", 201, json={"name": "mine", "filters": FILTERS})
    shared = await alice.ok(
        "POST", "/v1/views", 201, json={"name": "team", "filters": FILTERS, "isShared": True}
    )
    mine = await alice.ok("GET", "/v1/views")
    assert [v["name"] for v in mine] == ["mine", "team"]
    assert mine[0]["filters"]["sortBy"] == "availableQty"
    assert mine[0]["filters"]["status"] == ["LIVE"]
    theirs = await bob.ok("GET", "/v1/views")
    assert [(v["id"], v["ownerId"]) for v in theirs] == [(shared["id"], "alice")]
    hidden = await bob.call("DELETE", f"/v1/views/{private['id']}")
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "NOT_FOUND")
    denied = await bob.call("DELETE", f"/v1/views/{shared['id']}")
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "PERMISSION_DENIED")
    assert await alice.ok("DELETE", f"/v1/views/{private['id']}") == {"success": True}
    assert [v["name"] for v in await alice.ok("GET", "/v1/views")] == ["team"]
    # Soft delete: the row and its audit trail stay.
    assert await db.fetchval("SELECT count(*) FROM saved_view WHERE deleted_at IS NOT NULL") == 1
    actions = [r["action"] for r in await db.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["SAVE_VIEW", "SAVE_VIEW", "DELETE_VIEW"]


async def test_view_names_are_unique_per_owner_and_filters_are_validated(make_user: Any) -> None:
    alice = await make_user("alice")
    await alice.ok("POST", "/v1/views", 201, json={"name": "Mine", "filters": FILTERS})
    duplicate = await alice.call("POST", "/v1/views", json={"name": "mine", "filters": FILTERS})
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "DUPLICATE")
    bad = await alice.call("POST", "/v1/views", json={"name": "x", "filters": {"status": ["NOPE"]}})
    assert bad.status_code == 422
    deleted_twice = await alice.call("DELETE", "/v1/views/00000000-0000-4000-8000-000000000000")
    assert deleted_twice.status_code == 404
