"""The inventory specification through the gateway: real gateway, real inventory service on a
real port, real PostgreSQL. Users log in with passwords; the ledger records them as the actor."""

from __future__ import annotations

import asyncio
import uuid

from gateway.domain import Role
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from shared.contracts.inventory import ROUTES
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing


def code(response) -> str:
    return response.json()["error"]["code"]


def adjust(batch, **body):
    return f"/api/v1/batches/{batch['id']}/adjustments", body


async def test_intake_records_the_logged_in_user_as_the_actor(platform):
    clerk = await platform.caller([Role.INVENTORY])
    result = await clerk.ok(
        "POST",
        "/api/v1/batches/intake",
        201,
        json=platform.intake_body(),
        headers={"X-Request-ID": "intake-req-1"},
    )
    batch = result["batch"]
    assert batch["status"] == "AWAITING_INTAKE"
    assert batch["onHandQty"] == "100.0000"
    assert batch["siteId"] == platform.site_id
    (movement,) = result["movements"]
    assert movement["movementType"] == "INTAKE"
    assert movement["performedBy"] == clerk.user_id
    detail = await clerk.ok("GET", f"/api/v1/batches/{batch['id']}/detail")
    assert detail["batch"]["id"] == batch["id"]
    assert detail["movements"][0]["performedBy"] == clerk.user_id
    assert detail["auditLogs"][0]["performedBy"] == clerk.user_id
    assert detail["auditLogs"][0]["requestId"] == "intake-req-1"
    assert set(detail["allowedTransitions"]) == {"LIVE", "CLOSED"}
    assert detail["locations"][0]["locationId"] == platform.location_a


async def test_an_intake_replayed_with_its_idempotency_key_creates_one_batch(platform):
    body = platform.intake_body()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await platform.admin.ok("POST", "/api/v1/batches/intake", 201, json=body, headers=key)
    again = await platform.admin.ok("POST", "/api/v1/batches/intake", 201, json=body, headers=key)
    assert again["batch"]["id"] == first["batch"]["id"]
    listed = await platform.admin.ok("GET", f"/api/v1/batches?siteId={platform.site_id}")
    assert [b["id"] for b in listed["items"]] == [first["batch"]["id"]]


async def test_list_with_filters_and_cursor_pages(platform):
    live = [await platform.live() for _ in range(3)]
    waiting = await platform.intake(
        product={"name": "OG 1g cart", "category": "Vape", "unitOfMeasure": "Each"}
    )
    only_live = await platform.admin.ok("GET", "/api/v1/batches?status=LIVE")
    assert {b["id"] for b in only_live["items"]} == {b["id"] for b in live}
    vapes = await platform.admin.ok("GET", "/api/v1/batches?category=Vape")
    assert [b["id"] for b in vapes["items"]] == [waiting["id"]]
    first = await platform.admin.ok("GET", "/api/v1/batches?limit=2")
    assert len(first["items"]) == 2
    assert first["hasMore"] is True
    second = await platform.admin.ok("GET", f"/api/v1/batches?limit=2&cursor={first['nextCursor']}")
    assert len(second["items"]) == 2
    assert second["hasMore"] is False
    seen = {b["id"] for b in first["items"] + second["items"]}
    assert seen == {b["id"] for b in [*live, waiting]}
    enhanced = await platform.admin.ok(
        "GET", "/api/v1/batches/enhanced?search=OG&pageSize=10&sortBy=createdAt&sortOrder=asc"
    )
    assert [b["id"] for b in enhanced["items"]] == [waiting["id"]]
    assert enhanced["pagination"]["totalItems"] == 1
    assert enhanced["summary"]["totalBatches"] == 1


async def test_adjustments_positive_negative_and_every_refusal(platform):
    clerk = await platform.caller([Role.INVENTORY])
    batch = await platform.live()
    path = f"/api/v1/batches/{batch['id']}/adjustments"
    up = await clerk.ok("POST", path, json={"adjustment": "5.5", "reason": "COUNT_DISCREPANCY"})
    assert up["batch"]["onHandQty"] == "105.5000"
    assert up["movements"][0]["performedBy"] == clerk.user_id
    down = await clerk.ok("POST", path, json={"adjustment": "-10", "reason": "DAMAGED"})
    assert down["batch"]["onHandQty"] == "95.5000"

    too_large = await clerk.call("POST", path, json={"adjustment": "1000001", "reason": "REWEIGH"})
    assert too_large.status_code == 422
    assert code(too_large) == "ADJUSTMENT_TOO_LARGE"
    no_reason = await clerk.call("POST", path, json={"adjustment": "-1"})
    assert no_reason.status_code == 422
    assert code(no_reason) == "REASON_REQUIRED"
    negative = await clerk.call("POST", path, json={"adjustment": "-95.5001", "reason": "LOST"})
    assert negative.status_code == 422
    assert code(negative) == "NEGATIVE_INVENTORY"
    assert "Adjustment would result in negative inventory" in negative.json()["error"]["message"]
    as_float = await clerk.call("POST", path, json={"adjustment": -1.5, "reason": "LOST"})
    assert as_float.status_code == 422
    assert code(as_float) == "VALIDATION_ERROR"
    after = await clerk.ok("GET", f"/api/v1/batches/{batch['id']}")
    assert after["onHandQty"] == "95.5000"
    assert after["version"] == batch["version"] + 2


async def test_status_transitions_valid_invalid_quarantine_and_release(platform):
    qa = await platform.caller([Role.COMPLIANCE_QA])
    batch = await platform.intake()
    status = f"/api/v1/batches/{batch['id']}/status"
    live = await qa.ok("POST", status, json={"status": "LIVE", "reason": "received"})
    assert live["batch"]["status"] == "LIVE"
    invalid = await qa.call("POST", status, json={"status": "AWAITING_INTAKE", "reason": "undo"})
    assert invalid.status_code == 422
    assert code(invalid) == "INVALID_STATUS_TRANSITION"
    assert "Cannot transition from LIVE to AWAITING_INTAKE" in invalid.json()["error"]["message"]
    quarantined = await qa.ok("POST", status, json={"status": "QUARANTINED", "reason": "lab"})
    assert quarantined["batch"]["status"] == "QUARANTINED"
    assert quarantined["batch"]["onHandQty"] == "0.0000"
    assert quarantined["batch"]["quarantineQty"] == "100.0000"
    assert quarantined["batch"]["availableQty"] == "0.0000"
    assert {m["movementType"] for m in quarantined["movements"]} == {"QUARANTINE"}
    released = await qa.ok("POST", status, json={"status": "LIVE", "reason": "lab passed"})
    assert released["batch"]["onHandQty"] == "100.0000"
    assert released["batch"]["quarantineQty"] == "0.0000"
    assert {m["movementType"] for m in released["movements"]} == {"RELEASE_FROM_QUARANTINE"}


async def test_a_stale_version_is_an_optimistic_lock_conflict(platform):
    batch = await platform.live()
    path = f"/api/v1/batches/{batch['id']}/adjustments"
    body = {"adjustment": "1", "reason": "REWEIGH", "version": batch["version"]}
    await platform.admin.ok("POST", path, json=body)
    stale = await platform.admin.call("POST", path, json=body)
    assert stale.status_code == 409
    assert code(stale) == "OPTIMISTIC_LOCK_CONFLICT"


async def test_bulk_status_and_bulk_delete_report_per_batch(platform):
    owner = await platform.caller([Role.OWNER])
    waiting = [await platform.intake() for _ in range(2)]
    sold = await platform.live()
    result = await owner.ok(
        "POST",
        "/api/v1/batches/bulk/status",
        json={"batchIds": [b["id"] for b in [*waiting, sold]], "status": "LIVE", "reason": "ok"},
    )
    assert result["updated"] == 2
    outcomes = {r["batchId"]: r["outcome"] for r in result["results"]}
    assert {outcomes[b["id"]] for b in waiting} == {"UPDATED"}
    assert outcomes[sold["id"]] != "UPDATED"
    # Empty the batches, then delete them in bulk; a batch with stock is refused on its own.
    for batch in waiting:
        await owner.ok(
            "POST",
            f"/api/v1/batches/{batch['id']}/adjustments",
            json={"adjustment": "-100", "reason": "DAMAGED"},
        )
    deleted = await owner.ok(
        "POST",
        "/api/v1/batches/bulk/delete",
        json={"batchIds": [b["id"] for b in [*waiting, sold]], "reason": "cleanup"},
    )
    assert deleted["deleted"] == 2
    by_id = {r["batchId"]: r for r in deleted["results"]}
    assert by_id[sold["id"]]["code"] == "BATCH_NOT_EMPTY"
    remaining = await owner.ok("GET", "/api/v1/batches")
    assert [b["id"] for b in remaining["items"]] == [sold["id"]]


async def test_saved_views_are_saved_listed_and_deleted(platform):
    auditor = await platform.caller([Role.AUDITOR])
    saved = await auditor.ok(
        "POST",
        "/api/v1/views",
        201,
        json={"name": "Live flower", "filters": {"status": ["LIVE"], "category": ["Flower"]}},
    )
    views = await auditor.ok("GET", "/api/v1/views")
    assert [v["id"] for v in views] == [saved["id"]]
    assert views[0]["ownerId"] == auditor.user_id
    assert views[0]["filters"]["status"] == ["LIVE"]
    others = await platform.admin.ok("GET", "/api/v1/views")
    assert others == []
    await auditor.ok("DELETE", f"/api/v1/views/{saved['id']}")
    assert await auditor.ok("GET", "/api/v1/views") == []


async def test_a_read_only_role_is_refused_every_write_and_nothing_changes(
    platform, upstream_calls
):
    auditor = await platform.caller([Role.AUDITOR])
    batch = await platform.live()
    before = await platform.admin.ok("GET", f"/api/v1/batches/{batch['id']}/detail")
    writes = [r for r in ROUTES if r.permission != "inventory:read"]
    assert len(writes) >= 20
    ids = {
        "batchId": batch["id"],
        "siteId": platform.site_id,
        "productId": batch["productId"],
        "vendorId": batch["vendorId"],
        "viewId": str(uuid.uuid4()),
        "plantBatchId": str(uuid.uuid4()),
        "harvestId": str(uuid.uuid4()),
        "transferId": str(uuid.uuid4()),
    }
    calls_before = upstream_calls()
    for route in writes:
        path = "/api" + route.path.format(**ids)
        body = None if route.method == "DELETE" else {}
        refused = await auditor.call(route.method, path, json=body)
        assert refused.status_code == 403, (route, refused.text)
        assert code(refused) == "PERMISSION_DENIED"
    assert upstream_calls() == calls_before
    after = await platform.admin.ok("GET", f"/api/v1/batches/{batch['id']}/detail")
    assert after == before


async def test_no_data_of_a_site_the_user_was_not_granted(platform):
    south, south_a, _ = await platform.site("South", "LIC-S-1")
    north_batch = await platform.live()
    south_batch = await platform.live(site_id=south)
    north_only = await platform.caller([Role.INVENTORY], sites=[platform.site_id])

    listed = await north_only.ok("GET", "/api/v1/batches")
    assert [b["id"] for b in listed["items"]] == [north_batch["id"]]
    enhanced = await north_only.ok("GET", "/api/v1/batches/enhanced")
    assert [b["id"] for b in enhanced["items"]] == [north_batch["id"]]
    sites = await north_only.ok("GET", "/api/v1/sites")
    assert [s["id"] for s in sites] == [platform.site_id]
    hidden = await north_only.call("GET", f"/api/v1/batches/{south_batch['id']}")
    assert hidden.status_code == 404
    assert code(hidden) == "BATCH_NOT_FOUND"
    detail = await north_only.call("GET", f"/api/v1/batches/{south_batch['id']}/detail")
    assert detail.status_code == 404
    write = await north_only.call(
        "POST",
        f"/api/v1/batches/{south_batch['id']}/adjustments",
        json={"adjustment": "-1", "reason": "LOST"},
    )
    assert write.status_code == 404
    filtered = await north_only.call("GET", f"/api/v1/batches?siteId={south}")
    assert filtered.status_code == 403
    assert code(filtered) == "SITE_ACCESS_DENIED"
    intake = await north_only.call(
        "POST", "/api/v1/batches/intake", json=platform.intake_body(site_id=south)
    )
    assert intake.status_code == 403
    as_of = await north_only.call(
        "GET", f"/api/v1/inventory/as-of?siteId={south}&at=2030-01-01T00:00:00Z"
    )
    assert as_of.status_code == 403
    locations = await north_only.call("GET", f"/api/v1/sites/{south}/locations")
    assert locations.status_code == 403
    untouched = await platform.admin.ok("GET", f"/api/v1/batches/{south_batch['id']}")
    assert untouched["version"] == south_batch["version"]
    assert south_a


async def test_one_trace_spans_the_gateway_and_the_inventory_service(platform):
    spans = InMemorySpanExporter()
    configure_tracing(ServiceSettings(), extra_processors=(SimpleSpanProcessor(spans),))
    batch = await platform.live()
    spans.clear()
    response = await platform.admin.call("GET", f"/api/v1/batches/{batch['id']}")
    assert response.status_code == 200
    await asyncio.sleep(0.1)
    servers = [s for s in spans.get_finished_spans() if s.kind is trace.SpanKind.SERVER]
    services = {s.resource.attributes.get("service.name") for s in servers}
    trace_ids = {s.context.trace_id for s in servers}
    assert len(servers) >= 2, [s.name for s in servers]
    assert len(trace_ids) == 1, services
