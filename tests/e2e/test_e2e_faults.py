"""The faults a new user found (issue 10), tried as that user would, through the running stack:
the gateway and the inventory as processes on real ports. Each request answers a 4xx with a
stable code and changes nothing, and neither process logs an unhandled error (their logs are
part of the run's log audit: no secret, no statement parameter)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from shared.testing.intake import intake_body

TABLES = ("batch", "movement", "audit_log", "outbox", "product", "vendor", "brand", "lot")


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


class User:
    """An admin of the running stack, with one keep-alive connection to the gateway."""

    def __init__(self, url: str, key: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30)
        self.site_id = self.ok("GET", "/api/v1/sites")[0]["id"]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        return response.json()

    def refused(
        self, method: str, path: str, status: int, code: str, **kwargs: Any
    ) -> dict[str, Any]:
        response = self.call(method, path, **kwargs)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), (
            method,
            path,
            response.text,
        )
        error: dict[str, Any] = response.json()["error"]
        return error

    def intake(self, **overrides: Any) -> dict[str, Any]:
        body = intake_body(self.site_id, **overrides)
        return dict(self.ok("POST", "/api/v1/batches/intake", 201, json=body)["batch"])


@pytest.fixture
def user(running_platform: Any) -> Iterator[User]:
    admin = User(running_platform.gateway_url, running_platform.admin_key())
    yield admin
    admin.http.close()


def inventory_dsn(platform: Any) -> str:
    return str(platform.databases[0]).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        await conn.close()


def _no_unhandled_errors(running_platform: Any) -> None:
    for log in running_platform.logs:
        text = log.read_text()
        assert "unhandled error" not in text, (log, text[-3000:])
        assert "Traceback" not in text, (log, text[-3000:])


async def test_every_fault_a_new_user_found_is_a_4xx_with_a_stable_code_that_changes_nothing(
    running_platform: Any, user: User
) -> None:
    # What the API accepts stays listable and summable.
    user.intake(code="HUGE-1", quantity="1000000", unitCogs="100000")
    listed = user.ok("GET", "/api/v1/batches/enhanced", params={"siteId": user.site_id})
    assert listed["summary"]["totalValue"] == "100000000000.0000"
    live = user.intake()
    user.ok("POST", f"/api/v1/batches/{live['id']}/status", json={"status": "LIVE", "reason": "in"})
    closed = user.intake(code="CLOSED-1")
    user.ok(
        "POST",
        f"/api/v1/batches/{closed['id']}/status",
        json={"status": "CLOSED", "reason": "cancelled"},
    )
    keys_before = user.ok("GET", "/api/v1/api-keys")["total"]
    before = await _counts(inventory_dsn(running_platform))

    # Instants beyond years 1 to 9999 in UTC; the keep-alive connection survives them.
    for at in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        user.refused(
            "GET", f"/api/v1/batches/{live['id']}/as-of", 422, "VALIDATION_ERROR", params={"at": at}
        )
        user.refused(
            "GET",
            "/api/v1/inventory/as-of",
            422,
            "VALIDATION_ERROR",
            params={"at": at, "siteId": user.site_id},
        )
        user.ok("GET", "/api/v1/batches")
    for expiry in ("9999-12-31T23:59:59-14:00", "2001-01-01T00:00:00Z"):
        user.refused(
            "POST",
            "/api/v1/api-keys",
            422,
            "VALIDATION_ERROR",
            json={"name": "k", "roles": ["Auditor"], "sites": ["*"], "expires_at": expiry},
        )
    # Cursors the API did not issue.
    for forged in (
        ["0001-01-01T00:00:00+14:00", str(uuid.uuid4())],
        ["9999-12-31T23:59:59-14:00", str(uuid.uuid4())],
        [2**70],
    ):
        for path, params in (
            ("/api/v1/batches", {}),
            (f"/api/v1/batches/{live['id']}/movements", {}),
            ("/api/v1/inventory/as-of", {"siteId": user.site_id, "at": "2030-01-01T00:00:00Z"}),
        ):
            user.refused(
                "GET", path, 422, "VALIDATION_ERROR", params={**params, "cursor": _cursor(forged)}
            )
    # Numbers where the contract says decimal string.
    error = user.refused(
        "POST",
        f"/api/v1/batches/{live['id']}/adjustments",
        422,
        "VALIDATION_ERROR",
        json={"adjustment": 5, "reason": "LOST"},
    )
    assert "decimal string" in error["message"]
    user.refused(
        "POST",
        "/api/v1/batches/intake",
        422,
        "VALIDATION_ERROR",
        json={"siteId": user.site_id, "quantity": 5},
    )
    # Bodies that are not JSON.
    adjust = f"/api/v1/batches/{live['id']}/adjustments"
    for body, status, code in (
        (b'{"adjustment": ', 400, "MALFORMED_JSON"),
        (b'{"adjustment": 1e400, "reason": "LOST"}', 400, "MALFORMED_JSON"),
        (b'{"adjustment": NaN, "reason": "LOST"}', 400, "MALFORMED_JSON"),
        (b'{"adjustment": "1", "reason": "LOST", "notes": "\\ud800"}', 400, "MALFORMED_JSON"),
        (b'{"adjustment": "1", "reason": "LOST", "notes": "\xff"}', 400, "MALFORMED_JSON"),
    ):
        user.refused(
            "POST", adjust, status, code, content=body, headers={"Content-Type": "application/json"}
        )
    user.refused(
        "POST",
        adjust,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        content=b'{"adjustment": "1", "reason": "LOST"}',
        headers={"Content-Type": "text/plain"},
    )
    # Bulk actions without a reason; leaving CLOSED.
    user.refused(
        "POST",
        "/api/v1/batches/bulk/status",
        422,
        "REASON_REQUIRED",
        json={"batchIds": [live["id"]], "status": "ON_HOLD"},
    )
    user.refused(
        "POST",
        "/api/v1/batches/bulk/delete",
        422,
        "REASON_REQUIRED",
        json={"batchIds": [closed["id"]]},
    )
    reopen = user.refused(
        "POST",
        f"/api/v1/batches/{closed['id']}/status",
        422,
        "INVALID_STATUS_TRANSITION",
        json={"status": "LIVE", "reason": "oops"},
    )
    assert reopen["message"] == "Cannot transition from CLOSED to LIVE"
    bulk = user.ok(
        "POST",
        "/api/v1/batches/bulk/status",
        json={"batchIds": [closed["id"]], "status": "LIVE", "reason": "oops"},
    )
    assert bulk["results"][0]["code"] == "INVALID_STATUS_TRANSITION"
    # A unit the state does not know.
    gramz = user.refused(
        "POST",
        "/api/v1/batches/intake",
        422,
        "VALIDATION_ERROR",
        json={
            "siteId": user.site_id,
            "vendor": {"name": "V"},
            "brand": {"name": "B"},
            "product": {"name": "Gummies", "category": "Edible", "unitOfMeasure": "Gramz"},
            "lot": {"code": "L"},
            "location": {"zone": "Vault"},
            "quantity": "1",
            "cogsMode": "FIXED",
            "unitCogs": "1",
            "paymentTerms": "NET_30",
        },
    )
    assert "did you mean Grams?" in gramz["message"]

    assert await _counts(inventory_dsn(running_platform)) == before
    assert user.ok("GET", "/api/v1/api-keys")["total"] == keys_before
    assert user.ok("GET", f"/api/v1/batches/{live['id']}")["onHandQty"] == "100.0000"
    _no_unhandled_errors(running_platform)


def test_searches_are_literal_lists_page_and_the_allowed_origin_may_call(
    running_platform: Any, user: User
) -> None:
    for name in ("Acme 100% Organic", "Acme_Farms", "Acme Farms", "AcmeXFarms"):
        user.ok("POST", "/api/v1/vendors", 201, json={"name": name})
    percent = user.ok("GET", "/api/v1/vendors", params={"search": "%"})
    assert [v["name"] for v in percent["items"]] == ["Acme 100% Organic"]
    underscore = user.ok("GET", "/api/v1/vendors", params={"search": "_"})
    assert [v["name"] for v in underscore["items"]] == ["Acme_Farms"]
    first = user.ok("GET", "/api/v1/vendors", params={"search": "acme", "limit": 3})
    assert (len(first["items"]), first["hasMore"]) == (3, True)
    rest = user.ok(
        "GET",
        "/api/v1/vendors",
        params={"search": "acme", "limit": 3, "cursor": first["nextCursor"]},
    )
    assert (len(rest["items"]), rest["hasMore"], rest["nextCursor"]) == (1, False, None)

    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    origin = running_platform.cors_origin
    allowed = user.call(
        "OPTIONS", "/api/v1/batches/intake", headers={"Origin": origin, **preflight}
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == origin
    other = user.call(
        "OPTIONS",
        "/api/v1/batches/intake",
        headers={"Origin": "https://elsewhere.example", **preflight},
    )
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers
    _no_unhandled_errors(running_platform)
