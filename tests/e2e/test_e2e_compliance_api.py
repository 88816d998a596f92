"""The compliance API end to end: client -> gateway -> compliance (processes on real ports,
``start_platform``) -> PostgreSQL, with the Metrc sandbox over real HTTP. Rules and keys saved,
validated and checked against the sandbox; Idempotency-Key replays; permissions per role at the
gateway; the sync log, health and feed read back; a Metrc key is never in an answer nor in any
line the processes log (the run's log audit greps every log for the registered keys)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from compliance.adapters.metrc.testing import SandboxProcess
from compliance.adapters.metrc.testing.world import MetrcWorld, WorldFacility, WorldItem
from compliance.domain import CHANGE_CAUSES
from shared.testing.log_audit import register_secret

LICENSE = "SF-SBX-CO-21-8002"
VENDOR_KEY = "VENDOR-KEY-e2e-3c1d9b7a5f"
USER_KEY = "USER-KEY-e2e-8e6f4a2c0b"
REASONS = {
    cause: "Theft" if cause in ("LOST", "THEFT") else "Waste" if cause == "DAMAGED" else "Drying"
    for cause in CHANGE_CAUSES
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess() as process:
        yield process


@pytest.fixture
async def metrc(sandbox: SandboxProcess) -> SandboxProcess:
    for secret in (VENDOR_KEY, USER_KEY):
        register_secret(secret)
    world = MetrcWorld(
        facilities=(WorldFacility(LICENSE, "Canopy Test Facility", package_tags=10),),
        items=(WorldItem(LICENSE, "Blue Dream Flower", "Buds", "Grams", "Blue Dream"),),
        vendor_key=VENDOR_KEY,
        user_key=USER_KEY,
    )
    await sandbox.load(world)
    return sandbox


def _rules(sandbox: SandboxProcess, **changes: object) -> dict[str, object]:
    return {
        "state": "CO",
        "program": "CANNABIS",
        "requireMetrcId": True,
        "metrcBaseUrl": sandbox.base_url,
        "licenseNumber": LICENSE,
        "timeZone": "America/Denver",
        "reasonMap": REASONS,
        "allowOpeningBalance": True,
        **changes,
    }


def _keys(**changes: object) -> dict[str, object]:
    return {
        "state": "CO",
        "vendorKey": VENDOR_KEY,
        "userKey": USER_KEY,
        "notifyEmails": ["compliance@example.com"],
        **changes,
    }


def _no_key_in(answer: httpx.Response) -> None:
    assert VENDOR_KEY not in answer.text
    assert USER_KEY not in answer.text


async def _key_for(client: httpx.AsyncClient, admin: dict[str, str], role: str) -> dict[str, str]:
    created = await client.post(
        "/api/v1/api-keys",
        json={"name": f"e2e {role}", "roles": [role], "sites": ["*"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    register_secret(created.json()["key"])
    return {"X-API-Key": created.json()["key"]}


async def test_a_compliance_officer_configures_metrc_through_the_gateway(running_platform, metrc):
    admin = {"X-API-Key": running_platform.admin_key()}
    async with httpx.AsyncClient(base_url=running_platform.gateway_url, timeout=60) as client:
        officer = await _key_for(client, admin, "Compliance QA")
        stocker = await _key_for(client, admin, "Inventory")
        site = uuid4()

        # Rules before keys: stored, unchecked, and saying why.
        first = await client.put(
            f"/api/v1/compliance/rules/{site}", json=_rules(metrc), headers=officer
        )
        assert first.status_code == 200, first.text
        assert first.json()["checkedAgainstMetrc"] is False

        # Keys: validated against the sandbox, answered as hints only, replayed by key.
        saved = await client.put(
            f"/api/v1/compliance/credentials/{LICENSE}",
            json=_keys(),
            headers={**officer, "Idempotency-Key": "keys-1"},
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "VALID"
        assert saved.json()["userKeyHint"] == "…" + USER_KEY[-4:]
        _no_key_in(saved)
        replay = await client.put(
            f"/api/v1/compliance/credentials/{LICENSE}",
            json=_keys(),
            headers={**officer, "Idempotency-Key": "keys-1"},
        )
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == saved.json()
        reused = await client.put(
            f"/api/v1/compliance/credentials/{LICENSE}",
            json=_keys(notifyEmails=[]),
            headers={**officer, "Idempotency-Key": "keys-1"},
        )
        assert reused.status_code == 422
        assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"

        # Now the names in the rules are checked against what the sandbox lists.
        checked = await client.put(
            f"/api/v1/compliance/rules/{site}", json=_rules(metrc), headers=officer
        )
        assert checked.json()["checkedAgainstMetrc"] is True
        unknown = await client.put(
            f"/api/v1/compliance/rules/{site}",
            json=_rules(metrc, reasonMap={**REASONS, "THEFT": "Abducted"}),
            headers=officer,
        )
        assert unknown.status_code == 422
        assert unknown.json()["error"]["code"] == "INVALID_JURISDICTION_RULES"

        validated = await client.post(
            f"/api/v1/compliance/credentials/{LICENSE}/validate", headers=officer
        )
        assert validated.json()["status"] == "VALID"
        # More keyed writes at once than the pool has connections: each holds its key's claim
        # on one while its handler needs others; none may starve (a 504 after the gateway's
        # 10 s would say one did).
        many = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/compliance/credentials/{LICENSE}/validate",
                    headers={**officer, "Idempotency-Key": f"validate-{i}"},
                )
                for i in range(30)
            )
        )
        assert [a.status_code for a in many] == [200] * 30
        for path in (f"/api/v1/compliance/credentials/{LICENSE}", "/api/v1/compliance/credentials"):
            shown = await client.get(path, headers=officer)
            assert shown.status_code == 200
            _no_key_in(shown)

        # What happened is in the sync log, paged; the license is healthy.
        seen: list[str] = []
        cursor = None
        while True:
            params = {"licenseNumber": LICENSE, "operation": "credentials.validate", "limit": 1}
            page = (
                await client.get(
                    "/api/v1/compliance/sync-log",
                    params={**params, **({"cursor": cursor} if cursor else {})},
                    headers=officer,
                )
            ).json()
            seen += [e["id"] for e in page["items"]]
            if not page["hasMore"]:
                break
            cursor = page["nextCursor"]
        assert len(seen) == len(set(seen)) >= 2
        (health,) = (await client.get("/api/v1/compliance/health", headers=officer)).json()
        assert health["licenseNumber"] == LICENSE
        assert health["keyStatus"] == "VALID"

        # Wrong keys: kept INVALID, and the team is told.
        wrong = await client.put(
            f"/api/v1/compliance/credentials/{LICENSE}",
            json=_keys(userKey="USER-KEY-e2e-000000000000"),
            headers=officer,
        )
        assert wrong.json()["status"] == "INVALID"
        feed = await client.get(
            "/api/v1/compliance/notifications", params={"openOnly": "true"}, headers=officer
        )
        assert "KEY_INVALID" in {n["kind"] for n in feed.json()}

        # The gateway checks the permissions before anything reaches compliance.
        for method, path in (
            ("GET", "/api/v1/compliance/credentials"),
            ("PUT", f"/api/v1/compliance/rules/{site}"),
            ("GET", "/api/v1/compliance/sync-log"),
            ("POST", f"/api/v1/compliance/licenses/{LICENSE}/retry"),
        ):
            body = _rules(metrc) if method == "PUT" else {} if method == "POST" else None
            refused = await client.request(method, path, json=body, headers=stocker)
            assert refused.status_code == 403, (method, path)
        link = await client.get(f"/api/v1/batches/{uuid4()}/metrc-link", headers=stocker)
        assert link.status_code == 404
        assert link.json()["error"]["code"] == "BATCH_NOT_TRACKED"


async def _record(platform, change) -> None:
    """What the inventory consumer does with an event: the change recorded in compliance's
    database (its links and submissions), so this test needs no consumer."""
    from compliance.adapters.postgres import ComplianceUnitOfWork
    from compliance.service_layer import record_batch_change
    from shared.database import Database

    database = Database(platform.compliance_database, name="e2e-compliance", min_size=1, max_size=2)
    try:
        async with ComplianceUnitOfWork(database) as uow:
            await record_batch_change(uow, change, now=change.occurred_at)
            await uow.commit()
    finally:
        await database.close()


async def test_a_batch_is_pushed_retried_and_dismissed_through_the_gateway(running_platform, metrc):
    from datetime import UTC, datetime

    from compliance.domain import OpeningBalance
    from compliance.testing import BatchScript, ManualClock

    admin = {"X-API-Key": running_platform.admin_key()}
    clock = ManualClock(datetime.now(UTC))
    async with httpx.AsyncClient(base_url=running_platform.gateway_url, timeout=60) as client:
        officer = await _key_for(client, admin, "Compliance QA")
        reader = await _key_for(client, admin, "Auditor")
        site = uuid4()
        assert (
            await client.put(
                f"/api/v1/compliance/rules/{site}", json=_rules(metrc), headers=officer
            )
        ).status_code == 200
        keys = await client.put(
            f"/api/v1/compliance/credentials/{LICENSE}", json=_keys(), headers=officer
        )
        assert keys.json()["status"] == "VALID"

        # A batch that waits for a person (no source), and one whose item Metrc does not know.
        waiting = BatchScript(
            site_id=site, code="E2E-1", product_name="Blue Dream Flower", clock=clock
        )
        unknown = BatchScript(
            site_id=site,
            code="E2E-2",
            product_name="Purple Haze Flower",
            source=OpeningBalance(),
            clock=clock,
        )
        await _record(running_platform, waiting.created("25"))
        await _record(running_platform, unknown.created("10"))

        before = await client.get(f"/api/v1/batches/{waiting.batch_id}/metrc-link", headers=reader)
        assert before.status_code == 200, before.text
        assert before.json()["state"] == "UNLINKED"

        pushed = await client.post(
            f"/api/v1/compliance/batches/{waiting.batch_id}/push",
            headers={**officer, "Idempotency-Key": "push-1"},
        )
        assert pushed.status_code == 200, pushed.text
        link = pushed.json()["link"]
        assert link["state"] == "LINKED"
        assert [(s["kind"], s["state"]) for s in pushed.json()["submissions"]] == [
            ("CREATE_PACKAGE", "ACCEPTED")
        ]
        sandbox = await metrc.state()
        assert link["tag"] in str(sandbox)
        replay = await client.post(
            f"/api/v1/compliance/batches/{waiting.batch_id}/push",
            headers={**officer, "Idempotency-Key": "push-1"},
        )
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == pushed.json()
        after = await client.get(f"/api/v1/batches/{waiting.batch_id}/metrc-link", headers=reader)
        assert after.json()["lastPush"]["state"] == "ACCEPTED"
        assert after.json()["metrcPackageId"] is not None

        # The push round of the first batch took the license's whole queue: the unknown item was
        # rejected then. Pushing its batch retries it (the first manual retry), the guide's
        # guidance says why it fails again; retried once more, the same; dismissed, settled.
        rejected = await client.post(
            f"/api/v1/compliance/batches/{unknown.batch_id}/push", headers=officer
        )
        (write,) = rejected.json()["submissions"]
        assert write["state"] == "REJECTED"
        assert write["lastError"]["code"] == "ITEM_NOT_FOUND"
        assert "Metrc" in write["lastError"]["guidance"]
        retried = await client.post(
            f"/api/v1/compliance/licenses/{LICENSE}/retry",
            json={"submissionIds": [write["id"]]},
            headers=officer,
        )
        assert write["manualRetries"] == 1
        assert [s["manualRetries"] for s in retried.json()["submissions"]] == [2]
        assert retried.json()["submissions"][0]["state"] == "REJECTED"
        dismissed = await client.post(
            f"/api/v1/compliance/submissions/{write['id']}/dismiss", headers=officer
        )
        assert dismissed.json()["dismissedBy"]

        # The ledger and the sync log over PostgreSQL.
        ledger = await client.get(
            "/api/v1/compliance/submissions",
            params={"licenseNumber": LICENSE, "siteId": str(site), "limit": 1},
            headers=officer,
        )
        assert ledger.json()["hasMore"] is True
        creates = await client.get(
            "/api/v1/compliance/sync-log",
            params={"operation": "packages.create", "status": "SUCCESS", "siteId": str(site)},
            headers=officer,
        )
        assert len(creates.json()["items"]) == 1
        (health,) = (await client.get("/api/v1/compliance/health", headers=officer)).json()
        assert health["stopped"] == 0
