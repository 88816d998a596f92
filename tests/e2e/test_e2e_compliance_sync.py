"""Sync with Metrc end to end: a compliance officer asks the gateway for a sync, compliance's
worker pulls the Metrc sandbox over HTTP into the mirror, and the progress streams back through
the gateway as server-sent events until the final report; a second request joins the running
sync; the license's sync health shows the pull (every process a real one)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from compliance.sandbox_world import ITEM, LICENSE, LOCATIONS, MetrcSite
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.log_audit import register_secret
from shared.testing.platform import RunningPlatform, start_platform

SYNC_SETTINGS = {
    "COMPLIANCE_SYNC_POLL_SECONDS": "0.2",
    "COMPLIANCE_SYNC_INTERVAL_SECONDS": "0",
    "COMPLIANCE_METRC_CALL_ATTEMPTS": "3",
    "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "0.5",
}
PACKAGES = 1000


@pytest.fixture(scope="module")
async def platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    logs: Path = tmp_path_factory.mktemp("compliance-sync-e2e")
    running = await start_platform(
        postgres_server, kafka_server, identity_keys, logs, compliance=SYNC_SETTINGS
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin_key(platform: RunningPlatform) -> str:
    return platform.admin_key()  # (creates a site too: once per platform)


@pytest.fixture(scope="module")
async def site(platform: RunningPlatform, admin_key: str) -> AsyncIterator[MetrcSite]:
    assert platform.compliance is not None
    world = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=admin_key,
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
    )
    bulk = {
        "license_number": LICENSE,
        "count": PACKAGES,
        "item": ITEM,
        "quantity": "10.0",
        "unit_of_measure": "Grams",
        "location": LOCATIONS[0],
    }
    (await world.sandbox.post("/_sandbox/packages/bulk", json=bulk)).raise_for_status()
    yield world
    await world.close()


async def _key_for(platform: RunningPlatform, admin_key: str, role: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        created = await client.post(
            "/api/v1/api-keys",
            json={"name": f"e2e sync {role}", "roles": [role], "sites": ["*"]},
            headers={"X-API-Key": admin_key},
        )
    assert created.status_code == 201, created.text
    register_secret(created.json()["key"])
    return {"X-API-Key": created.json()["key"]}


async def _events(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    """Every server-sent event of the stream, as (name, data), in the order they arrived."""
    received: list[Any] = []
    async with client.stream("GET", path, headers=headers, timeout=120) as stream:
        assert stream.status_code == 200, await stream.aread()
        assert stream.headers["content-type"].startswith("text/event-stream")
        name = None
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                received.append((name, json.loads(line.removeprefix("data: "))))
    return received


async def test_a_sync_streams_its_progress_through_the_gateway_and_ends_with_its_report(
    platform: RunningPlatform, site: MetrcSite, admin_key: str
) -> None:
    officer = await _key_for(platform, admin_key, "Compliance QA")
    # Slow enough that the pull takes seconds and the stream shows it moving.
    (await site.sandbox.put("/_sandbox/config", json={"latency_ms": 400})).raise_for_status()
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        body = {"siteId": site.site_id, "syncTypes": ["packages", "items", "tags"]}
        started = await client.post("/api/v1/compliance/sync", json=body, headers=officer)
        assert started.status_code == 202, started.text
        run = started.json()["run"]
        assert started.json()["joined"] is False
        assert run["state"] in ("QUEUED", "RUNNING")

        again = await client.post(
            "/api/v1/compliance/sync",
            json={"siteId": site.site_id, "syncTypes": ["packages"]},
            headers=officer,
        )
        assert again.status_code == 202
        assert again.json()["joined"] is True
        assert again.json()["run"]["id"] == run["id"]

        events = await _events(client, started.json()["events"], officer)

        names = [name for name, _ in events]
        assert names[-1] == "report"
        assert set(names[:-1]) == {"progress"}
        done = [data["progress"].get("pagesDone", 0) for _, data in events[:-1]]
        assert len({d for d in done if d}) >= 2, events  # seen moving, not only at the end
        assert done == sorted(done)
        report = events[-1][1]
        assert report["state"] == "SUCCEEDED", report
        active = next(f for f in report["report"]["feeds"] if f["feed"] == "packages.active")
        packages = await site.metrc.list_packages(LICENSE, "active")
        assert active["records"] == len(packages) >= PACKAGES

        shown = await client.get(f"/api/v1/compliance/sync/runs/{run['id']}", headers=officer)
        assert shown.json()["state"] == "SUCCEEDED"

        health = await client.get(
            f"/api/v1/compliance/licenses/{LICENSE}/sync-health", headers=officer
        )
        assert health.status_code == 200, health.text
        by_type = {t["syncType"]: t for t in health.json()["types"]}
        assert by_type["packages"]["lastSuccessAt"] is not None
        assert by_type["packages"]["records"] >= PACKAGES
        assert by_type["plants"]["lastSuccessAt"] is None
        assert health.json()["keyStatus"] == "VALID"
        assert health.json()["getsLastMinute"] > 0


async def test_only_a_role_that_may_sync_can_start_or_follow_one(
    platform: RunningPlatform, site: MetrcSite, admin_key: str
) -> None:
    stocker = await _key_for(platform, admin_key, "Inventory")
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        body = {"siteId": site.site_id, "syncTypes": ["packages"]}
        refused = await client.post("/api/v1/compliance/sync", json=body, headers=stocker)
        assert refused.status_code == 403
        follow = await client.get(
            "/api/v1/compliance/sync/runs/00000000-0000-4000-8000-000000000000/events",
            headers=stocker,
        )
        assert follow.status_code == 403
        unknown = await client.post(
            "/api/v1/compliance/sync",
            json={"siteId": site.site_id, "syncTypes": ["bananas"]},
            headers=await _key_for(platform, admin_key, "Compliance QA"),
        )
        assert unknown.status_code == 422
