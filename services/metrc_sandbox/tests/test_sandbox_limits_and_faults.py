"""GET rate limits and concurrency caps, latency, and every kind of injected fault."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

ADJUST = "/packages/v2/adjust"


def _adjust_row(label: str) -> list[dict[str, Any]]:
    return [{"Label": label, "Quantity": -1, "UnitOfMeasure": "Grams", "AdjustmentReason": "Drying",
             "AdjustmentDate": "2024-06-01"}]  # fmt: skip


def test_facility_get_rate_limit_gives_429_with_retry_after(sbx: Any) -> None:
    sbx.configure(get_rate_per_facility=5, retry_after_seconds=3)
    statuses = [sbx.get("/packages/v2/active") for _ in range(15)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited
    assert sum(r.status_code == 200 for r in statuses) >= 5
    assert limited[0].headers["Retry-After"] == "3"
    assert "Message" in limited[0].json()
    assert sbx.get("/packages/v2/active", sbx.B).status_code == 200  # another facility's bucket


def test_vendor_get_rate_limit_spans_facilities(sbx: Any) -> None:
    sbx.configure(get_rate_per_vendor=4)
    codes = [sbx.get("/packages/v2/active", license).status_code for license in [sbx.A, sbx.B] * 5]
    assert 429 in codes
    assert sbx.get("/facilities/v2/", None).status_code == 429  # no facility, still the vendor key


def test_writes_are_never_rate_limited(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    sbx.configure(get_rate_per_facility=1, get_rate_per_vendor=1)
    assert [sbx.write("POST", ADJUST, _adjust_row(label)).status_code for _ in range(5)] == [
        200
    ] * 5


def test_rate_limits_can_be_switched_off(sbx: Any) -> None:
    sbx.configure(get_rate_per_facility=1, rate_limits_enabled=False)
    assert {sbx.get("/packages/v2/active").status_code for _ in range(10)} == {200}


async def _burst(base_url: str, licenses: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(
        base_url=base_url, auth=("vendor-key", "user-key"), timeout=10
    ) as client:
        calls = [
            client.get("/packages/v2/active", params={"licenseNumber": lic}) for lic in licenses
        ]
        return list(await asyncio.gather(*calls))


async def test_concurrency_cap_per_facility(sbx: Any, base_url: str) -> None:
    sbx.configure(latency_ms=300, concurrency_per_facility=2)
    responses = await _burst(base_url, [sbx.A] * 5)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 429, 429, 429]
    assert all("Retry-After" in r.headers for r in responses if r.status_code == 429)


async def test_concurrency_cap_per_vendor(sbx: Any, base_url: str) -> None:
    sbx.configure(latency_ms=300, concurrency_per_vendor=3)
    responses = await _burst(base_url, [sbx.A, sbx.B] * 3)
    assert sorted(r.status_code for r in responses) == [200] * 3 + [429] * 3


def test_latency_applies_to_metrc_calls_not_to_the_admin_api(sbx: Any) -> None:
    sbx.configure(latency_ms=150, jitter_ms=20)
    started = time.monotonic()
    sbx.get("/packages/v2/active").raise_for_status()
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    sbx.admin.get("/_sandbox/health")
    assert time.monotonic() - started < 0.1


def test_status_fault_answers_without_applying(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    sbx.faults({"method": "POST", "path": ADJUST, "kind": "status", "status": 503, "times": 2})
    for _ in range(2):
        response = sbx.write("POST", ADJUST, _adjust_row(label))
        assert response.status_code == 503
        assert "Message" in response.json()
    assert sbx.package(label)["Quantity"] == 100
    assert sbx.write("POST", ADJUST, _adjust_row(label)).status_code == 200
    assert sbx.package(label)["Quantity"] == 99
    stats = sbx.state()["requests"][f"POST {ADJUST}"]
    assert stats == {"requests": 3, "applied": 1, "statuses": {"503": 2, "200": 1}}


def test_status_500_on_a_get(sbx: Any) -> None:
    sbx.faults({"method": "GET", "path": "/packages/v2/active", "kind": "status", "status": 500})
    response = sbx.get("/packages/v2/active")
    assert (response.status_code, response.json()) == (500, {"Message": "An error has occurred."})
    assert sbx.get("/packages/v2/active").status_code == 200


def test_fault_matches_the_exact_path_and_method_only(sbx: Any) -> None:
    sbx.faults({"method": "GET", "path": "/packages/v2/active", "kind": "status", "status": 503})
    assert sbx.get("/packages/v2/inactive").status_code == 200
    assert sbx.write("POST", "/packages/v2/active", [{}]).status_code != 503
    assert sbx.get("/packages/v2/active").status_code == 503


def test_rate_limit_fault(sbx: Any) -> None:
    sbx.faults({"method": "POST", "path": ADJUST, "kind": "rate_limit"})
    response = sbx.write("POST", ADJUST, _adjust_row(sbx.packages()[0]["Label"]))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_slow_fault_delays_then_proceeds(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    sbx.faults({"method": "POST", "path": ADJUST, "kind": "slow", "delay_ms": 400})
    started = time.monotonic()
    assert sbx.write("POST", ADJUST, _adjust_row(label)).status_code == 200
    assert time.monotonic() - started >= 0.4
    assert sbx.package(label)["Quantity"] == 99
    sbx.faults({"method": "GET", "path": "/packages/v2/active", "kind": "slow", "delay_ms": 500})
    with pytest.raises(httpx.ReadTimeout):
        sbx.api.get("/packages/v2/active", params={"licenseNumber": sbx.A}, timeout=0.1)


def test_a_slow_write_is_applied_even_after_the_client_gave_up(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    sbx.faults({"method": "POST", "path": ADJUST, "kind": "slow", "delay_ms": 500})
    with pytest.raises(httpx.ReadTimeout):
        sbx.api.post(ADJUST, params={"licenseNumber": sbx.A}, json=_adjust_row(label), timeout=0.1)
    deadline = time.monotonic() + 5
    while sbx.package(label)["Quantity"] != 99 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sbx.package(label)["Quantity"] == 99  # the state's servers finished what was sent


def test_lost_response_applies_the_create_and_the_replay_is_refused(sbx: Any) -> None:
    tag = sbx.package_tags()[0]
    row = [{"Tag": tag, "Item": "Flower", "Quantity": 5, "UnitOfMeasure": "Grams", "ActualDate": "2024-06-01",
            "Location": "Vault"}]  # fmt: skip
    sbx.faults({"method": "POST", "path": "/packages/v2/", "kind": "lost_response"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sbx.write("POST", "/packages/v2/", row)
    assert sbx.package(tag)["Quantity"] == 5  # Metrc applied it
    replay = sbx.write("POST", "/packages/v2/", row)
    assert replay.json() == [{"row": 0, "message": f"Tag {tag} has already been used."}]
    stats = sbx.state()["requests"]["POST /packages/v2/"]
    assert (stats["requests"], stats["applied"]) == (2, 1)


def test_lost_response_on_an_empty_200(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    sbx.write("POST", ADJUST, [{**_adjust_row(label)[0], "Quantity": -100}]).raise_for_status()
    sbx.faults({"method": "PUT", "path": "/packages/v2/finish", "kind": "lost_response"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sbx.write("PUT", "/packages/v2/finish", [{"Label": label, "ActualDate": "2024-06-01"}])
    assert label in {p["Label"] for p in sbx.packages("inactive")}


def test_lost_response_on_a_get(sbx: Any) -> None:
    sbx.faults({"method": "GET", "path": "/facilities/v2/", "kind": "lost_response"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sbx.get("/facilities/v2/", None)
    assert sbx.get("/facilities/v2/", None).status_code == 200


def test_fault_queue_can_be_read_and_cleared(sbx: Any) -> None:
    sbx.faults(
        {"method": "post", "path": ADJUST, "kind": "status", "times": 3},
        {"method": "GET", "path": "/packages/v2/active", "kind": "slow", "delay_ms": 10},
    )
    rules = sbx.admin.get("/_sandbox/faults").json()
    assert [(r["method"], r["kind"], r["times"]) for r in rules] == [
        ("POST", "status", 3),
        ("GET", "slow", 1),
    ]
    sbx.write("POST", ADJUST, _adjust_row(sbx.packages()[0]["Label"]))
    assert sbx.admin.get("/_sandbox/faults").json()[0]["times"] == 2
    assert sbx.admin.delete("/_sandbox/faults").json() == []
    assert sbx.admin.get("/_sandbox/faults").json() == []
    bad = sbx.admin.post(
        "/_sandbox/faults", json=[{"method": "GET", "path": "/x", "kind": "explode"}]
    )
    assert bad.status_code == 422


def test_faults_come_before_auth(base_url: str, sbx: Any) -> None:
    sbx.faults({"method": "GET", "path": "/facilities/v2/", "kind": "status", "status": 503})
    assert httpx.get(f"{base_url}/facilities/v2/").status_code == 503
