"""Reconciliation end to end (every process a real one: gateway, inventory, compliance API,
worker and relay, Kafka, PostgreSQL, the Metrc sandbox over HTTP).

Every kind of difference is seeded the way it arises: in the sandbox (adjustments made in
Metrc, a package nobody tracks, refused keys), in inventory through the gateway (counts whose
push Metrc refused, a batch with no package), or in the rules (an item mapped elsewhere). A sync
fills the mirror, reconciliation classifies each one, an unapproved or rejected finding changes
nothing, and each approved fix leaves Canopy and Metrc equal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from compliance.adapters.metrc import PackageAdjust
from compliance.domain import JurisdictionRules, Program, SubmissionState
from compliance.sandbox_world import (
    ITEM,
    LICENSE,
    LOCATIONS,
    REASONS,
    MetrcSite,
    eventually,
    seed,
)
from compliance.service_layer import RulesService, SaveRules
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.log_audit import register_secret
from shared.testing.platform import RunningPlatform, start_platform

# The platform (every service a process) starts inside the first test's budget; on a loaded
# shared machine that alone can take minutes.
pytestmark = pytest.mark.timeout(1500)

SETTINGS = {
    "COMPLIANCE_SYNC_POLL_SECONDS": "0.2",
    "COMPLIANCE_SYNC_INTERVAL_SECONDS": "0",
    "COMPLIANCE_METRC_CALL_ATTEMPTS": "2",
    "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "0.2",
    "COMPLIANCE_PUSH_FIRST_RETRY_SECONDS": "0.2",
    "COMPLIANCE_PUSH_MAX_RETRY_SECONDS": "0.5",
    # A write Metrc keeps refusing stops (FAILED) after two attempts.
    "COMPLIANCE_PUSH_MAX_ATTEMPTS": "2",
}
OTHER_ITEM = "Blue Dream 7g"
ZONE = ZoneInfo("America/Denver")
R = "/api/v1/compliance"


@pytest.fixture(scope="module")
async def platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    logs: Path = tmp_path_factory.mktemp("compliance-reconciliation-e2e")
    running = await start_platform(
        postgres_server, kafka_server, identity_keys, logs, compliance=SETTINGS
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin_key(platform: RunningPlatform) -> str:
    return platform.admin_key()  # (creates a site too: once per platform)


@pytest.fixture(scope="module")
async def site(platform: RunningPlatform, admin_key: str) -> AsyncIterator[MetrcSite]:
    assert platform.compliance is not None
    document = seed(package_tags=40)
    document["items"].append({**document["items"][0], "name": OTHER_ITEM})
    async with httpx.AsyncClient(base_url=platform.compliance.metrc_url) as sandbox:
        (await sandbox.post("/_sandbox/reset", json=document)).raise_for_status()
    world = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=admin_key,
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
        reset=False,
    )
    yield world
    await world.close()


@pytest.fixture(scope="module")
async def officer(platform: RunningPlatform, admin_key: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as client:
        created = await client.post(
            "/api/v1/api-keys",
            json={"name": "reconciliation officer", "roles": ["Compliance QA"], "sites": ["*"]},
            headers={"X-API-Key": admin_key},
        )
    assert created.status_code == 201, created.text
    register_secret(created.json()["key"])
    return {"X-API-Key": created.json()["key"]}


@pytest.fixture
async def api(platform: RunningPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=120) as client:
        yield client


async def _sync(api: httpx.AsyncClient, officer: dict[str, str], site: MetrcSite) -> Any:
    body = {"siteId": site.site_id, "syncTypes": ["packages", "adjustments"]}
    started = await api.post(f"{R}/sync", json=body, headers=officer)
    assert started.status_code == 202, started.text
    run_id = started.json()["run"]["id"]

    async def finished() -> Any:
        run = (await api.get(f"{R}/sync/runs/{run_id}", headers=officer)).json()
        return run if run["state"] in ("SUCCEEDED", "FAILED") else None

    return await eventually(finished, seconds=120, what="the sync")


async def _reconcile(api: httpx.AsyncClient, officer: dict[str, str]) -> Any:
    answer = await api.post(f"{R}/licenses/{LICENSE}/reconciliation", json={}, headers=officer)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _metrc_adjust(site: MetrcSite, tag: str, quantity: str, note: str) -> None:
    await site.metrc.adjust_packages(
        LICENSE,
        [
            PackageAdjust(
                label=tag,
                quantity=Decimal(quantity),
                unit_of_measure="Grams",
                adjustment_reason="Scale Variance",
                adjustment_date=datetime.now(ZONE).date(),
                reason_note=note,
            )
        ],
    )


async def _metrc_quantity(site: MetrcSite, tag: str) -> Decimal | None:
    package = await site.package(tag)
    return None if package is None else package.quantity


async def _canopy_quantity(site: MetrcSite, batch_id: str) -> Decimal:
    return Decimal((await site.batch(batch_id))["physicalQty"])


async def _pushed(site: MetrcSite, tag: str, quantity: str) -> None:
    await eventually(
        lambda: site.package_with(tag, Decimal(quantity)), seconds=60, what=f"{tag} at {quantity}"
    )


async def _stopped(site: MetrcSite, batch_id: str) -> Any:
    async def check() -> Any:
        subs = await site.submissions(batch_id)
        stopped = [s for s in subs if s.state in (SubmissionState.REJECTED, SubmissionState.FAILED)]
        return stopped or None

    return await eventually(check, seconds=60, what=f"a stopped write of {batch_id}")


async def _refuse(site: MetrcSite, path: str, *, status: int = 503, times: int = 1000) -> None:
    """Metrc answers ``status`` to every such write until the faults are cleared."""
    rule = {"method": "POST", "path": path, "kind": "status", "status": status, "times": times}
    (await site.sandbox.post("/_sandbox/faults", json=[rule])).raise_for_status()


async def _clear_faults(site: MetrcSite) -> None:
    (await site.sandbox.delete("/_sandbox/faults")).raise_for_status()


def _by_tag(findings: list[Any]) -> dict[str, Any]:
    return {tag: f for f in findings for tag in f["tags"]}


async def test_a_pull_refused_for_the_keys_is_one_finding_nothing_applies_and_it_settles(
    api: httpx.AsyncClient, officer: dict[str, str], site: MetrcSite
) -> None:
    rule = {"method": "GET", "path": "/packages/v2/active", "kind": "status", "status": 401}
    (await site.sandbox.post("/_sandbox/faults", json=[{**rule, "times": 50}])).raise_for_status()
    await _sync(api, officer, site)
    await _clear_faults(site)
    result = await _reconcile(api, officer)
    (finding,) = result["findings"]
    assert finding["findingClass"] == "KEY_OR_PERMISSION"
    assert finding["fix"]["kind"] == "REPLACE_KEYS"
    refused = await api.post(f"{R}/findings/{finding['id']}/approve", json={}, headers=officer)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "FIX_NOT_APPLICABLE"

    # The fix is a person's: Metrc's 401 marked the keys invalid; they are validated again
    # (the guide's green check), then synced.
    await site.validate_keys()
    await _sync(api, officer, site)
    again = await _reconcile(api, officer)
    assert again["findings"] == []
    # Settled by this run, or already by the worker's own reconciliation after the pull.
    settled = (await api.get(f"{R}/findings/{finding['id']}", headers=officer)).json()
    assert settled["state"] == "SETTLED"


async def test_every_kind_of_difference_is_found_and_each_approved_fix_leaves_both_sides_equal(
    api: httpx.AsyncClient, officer: dict[str, str], site: MetrcSite, admin_key: str
) -> None:
    # --- seeding ---------------------------------------------------------------------------
    equal, equal_tag = await site.intake_opening_balance("10")
    in_metrc, in_metrc_tag = await site.intake_opening_balance("10")
    kept, kept_tag = await site.intake_opening_balance("10")
    left, left_tag = await site.intake_opening_balance("10")
    right, right_tag = await site.intake_opening_balance("10")
    failed, failed_tag = await site.intake_opening_balance("10")
    differs, differs_tag = await site.intake_opening_balance("10")
    queued, queued_tag = await site.intake_opening_balance("10")
    other_body = site.intake_body(
        "10", tag=site.free_tags.pop(0), source={"kind": "OPENING_BALANCE"}
    )
    other_body["product"]["name"] = OTHER_ITEM
    mapped = (await site.gateway.post("/batches/intake", json=other_body)).json()["batch"]
    mapped_tag = other_body["package"]["tag"]
    for tag in (
        equal_tag,
        in_metrc_tag,
        kept_tag,
        left_tag,
        right_tag,
        failed_tag,
        differs_tag,
        queued_tag,
        mapped_tag,
    ):
        await _pushed(site, tag, "10")

    # Changed in Metrc only (one to fix, one to reject), and stock booked on the wrong lot there.
    await _metrc_adjust(site, in_metrc_tag, "-2", "spilled, counted in Metrc")
    await _metrc_adjust(site, kept_tag, "-1", "weighed in Metrc")
    await _metrc_adjust(site, left_tag, "-4", "moved to the wrong package")
    await _metrc_adjust(site, right_tag, "4", "moved to the wrong package")
    # Counts whose push Metrc refused: one left stopped, one dismissed by hand.
    await _refuse(site, "/packages/v2/adjust")
    await site.adjust(failed["id"], "-3")
    await site.adjust(differs["id"], "-3")
    await _stopped(site, failed["id"])
    (refused,) = await _stopped(site, differs["id"])
    await _clear_faults(site)
    dismissed = await api.post(f"{R}/submissions/{refused.id}/dismiss", json={}, headers=officer)
    assert dismissed.status_code == 200, dismissed.text
    # A package Metrc never got: its create refused, then dismissed.
    await _refuse(site, "/packages/v2/")
    missing, missing_tag = await site.intake_opening_balance("10")
    (create,) = await _stopped(site, missing["id"])
    await _clear_faults(site)
    await api.post(f"{R}/submissions/{create.id}/dismiss", json={}, headers=officer)
    # A package in Metrc no batch is tracked under, and the untracked batch that holds it.
    bulk = {"license_number": LICENSE, "count": 1, "item": ITEM, "quantity": "25",
            "unit_of_measure": "Grams", "location": LOCATIONS[0]}  # fmt: skip
    (await site.sandbox.post("/_sandbox/packages/bulk", json=bulk)).raise_for_status()
    untracked = await site.intake("25")
    known = {equal_tag, in_metrc_tag, kept_tag, left_tag, right_tag, failed_tag, differs_tag,
             queued_tag, mapped_tag, missing_tag}  # fmt: skip
    orphan_tag = next(
        p.label for p in await site.metrc.list_packages(LICENSE, "active") if p.label not in known
    )
    # The item mapped to another name than the one Metrc holds.
    await _map_item(site, mapped["productId"], ITEM)

    await _sync(api, officer, site)
    # A count whose push is on its way (Metrc is slow to answer it) when reconciliation runs.
    slow = {"method": "POST", "path": "/packages/v2/adjust", "kind": "slow", "delay_ms": 8000}
    (await site.sandbox.post("/_sandbox/faults", json=[slow])).raise_for_status()
    await site.adjust(queued["id"], "-1")

    # --- reconciliation ----------------------------------------------------------------------
    before = await _both_sides(site, [equal, in_metrc, kept, left, right, failed, differs])
    result = await _reconcile(api, officer)
    found = _by_tag(result["findings"])
    classes = {tag: f["findingClass"] for tag, f in found.items()}
    assert classes == {
        in_metrc_tag: "CHANGED_IN_METRC",
        kept_tag: "CHANGED_IN_METRC",
        left_tag: "EQUAL_AND_OPPOSITE",
        right_tag: "EQUAL_AND_OPPOSITE",
        failed_tag: "PUSH_FAILED",
        differs_tag: "QUANTITY_DIFFERS",
        queued_tag: "PENDING_PUSH",
        missing_tag: "MISSING_IN_METRC",
        mapped_tag: "UNIT_OR_ITEM_MISMATCH",
        orphan_tag: "MISSING_IN_CANOPY",
    }, classes
    assert equal_tag not in found
    change = found[in_metrc_tag]
    assert change["fix"]["kind"] == "LOCAL_MOVEMENT"
    assert [e["kind"] for e in change["evidence"]] == ["METRC_ADJUSTMENT"]
    assert "spilled, counted in Metrc" in change["evidence"][0]["summary"]
    assert found[left_tag]["fix"]["kind"] == "LOCAL_MOVEMENT"
    assert found[failed_tag]["fix"]["kind"] == "RETRY_PUSH"
    assert Decimal(found[differs_tag]["fix"]["actions"][0]["quantity"]) == Decimal(-3)
    assert found[queued_tag]["fix"]["applicable"] is False

    # Nothing changed by reconciling, and a rejected finding changes nothing either.
    rejected = await api.post(
        f"{R}/findings/{found[kept_tag]['id']}/reject",
        json={"note": "Metrc's weight is wrong; recount first"},
        headers=officer,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "REJECTED"
    assert await _both_sides(site, [equal, in_metrc, kept, left, right, failed, differs]) == before
    stocker = await _stocker(api, admin_key)
    denied = await api.post(f"{R}/findings/{change['id']}/approve", json={}, headers=stocker)
    assert denied.status_code == 403

    # --- approvals -----------------------------------------------------------------------------
    for tag in (in_metrc_tag, left_tag, failed_tag, differs_tag, missing_tag, mapped_tag):
        approved = await api.post(
            f"{R}/findings/{found[tag]['id']}/approve",
            json={"note": "checked"},
            headers={**officer, "Idempotency-Key": f"approve-{found[tag]['id']}"},
        )
        assert approved.status_code == 200, (tag, approved.text)
        assert approved.json()["state"] == "APPLIED"
        assert approved.json()["decidedBy"]
    no_batch = await api.post(
        f"{R}/findings/{found[orphan_tag]['id']}/approve", json={}, headers=officer
    )
    assert no_batch.status_code == 409
    linked = await api.post(
        f"{R}/findings/{found[orphan_tag]['id']}/approve",
        json={"batchId": untracked["id"]},
        headers=officer,
    )
    assert linked.status_code == 200, linked.text
    replay = await api.post(
        f"{R}/findings/{found[in_metrc_tag]['id']}/approve",
        json={"note": "checked"},
        headers={**officer, "Idempotency-Key": f"approve-{found[in_metrc_tag]['id']}"},
    )
    assert replay.status_code == 200  # the first answer, nothing applied twice

    # --- both sides equal ----------------------------------------------------------------------
    await _clear_faults(site)
    for batch, tag, quantity in (
        (in_metrc, in_metrc_tag, "8"),
        (left, left_tag, "6"),
        (right, right_tag, "14"),
        (failed, failed_tag, "7"),
        (differs, differs_tag, "7"),
        (missing, missing_tag, "10"),
        (queued, queued_tag, "9"),
        (untracked, orphan_tag, "25"),
        (mapped, mapped_tag, "10"),
    ):
        await _pushed(site, tag, quantity)

        async def canopy_at(batch_id: str = batch["id"], want: str = quantity) -> bool:
            return await _canopy_quantity(site, batch_id) == Decimal(want)

        await eventually(canopy_at, seconds=30, what=f"batch {batch['code']} at {quantity}")
    # The movements recorded in Canopy were not pushed back to Metrc.
    for batch in (in_metrc, left, right):
        kinds = [s.kind.value for s in await site.submissions(batch["id"])]
        assert "ADJUST_PACKAGE" not in kinds, kinds

    await _sync(api, officer, site)
    after = await _reconcile(api, officer)
    remaining = {tag: f["findingClass"] for tag, f in _by_tag(after["findings"]).items()}
    # Only the rejected difference is still there (its Metrc adjustment no longer counts as
    # evidence once decided, so Canopy's count is proposed for Metrc).
    assert remaining == {kept_tag: "QUANTITY_DIFFERS"}, remaining

    # --- the month-end report ------------------------------------------------------------------
    today = datetime.now(ZONE).date().isoformat()
    report = await api.get(
        f"{R}/licenses/{LICENSE}/reconciliation/report", params={"asOf": today}, headers=officer
    )
    assert report.status_code == 200, report.text
    rows = {r["findingId"]: r for r in report.json()["rows"]}
    assert rows[change["id"]]["state"] == "APPLIED"
    assert rows[change["id"]]["fixApplied"] == "yes"
    assert rows[change["id"]]["approvedBy"]
    assert rows[found[kept_tag]["id"]]["state"] == "REJECTED"
    assert rows[found[queued_tag]["id"]]["state"] == "SETTLED"
    exported = await api.get(
        f"{R}/licenses/{LICENSE}/reconciliation/report/export",
        params={"asOf": today},
        headers=officer,
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == len(rows)


async def _both_sides(site: MetrcSite, batches: list[dict[str, Any]]) -> list[Any]:
    sides = []
    for batch in batches:
        tag = (await site.submissions(batch["id"]))[0].tag
        sides.append(
            (
                await _canopy_quantity(site, batch["id"]),
                await _metrc_quantity(site, tag or ""),
                len(await site.submissions(batch["id"])),
            )
        )
    return sides


async def _stocker(api: httpx.AsyncClient, admin_key: str) -> dict[str, str]:
    created = await api.post(
        "/api/v1/api-keys",
        json={"name": "stocker", "roles": ["Inventory"], "sites": ["*"]},
        headers={"X-API-Key": admin_key},
    )
    register_secret(created.json()["key"])
    return {"X-API-Key": created.json()["key"]}


async def _map_item(site: MetrcSite, product_id: str, metrc_item: str) -> None:
    async with site.context.uow() as uow:
        rules = await uow.jurisdictions.get(UUID(site.site_id))
    assert rules is not None
    saved = JurisdictionRules(
        site_id=rules.site_id,
        state=rules.state,
        program=Program.CANNABIS,
        require_metrc_id=True,
        metrc_base_url=rules.metrc_base_url,
        license_number=rules.license_number,
        time_zone=rules.time_zone,
        reason_map=dict(REASONS),
        unit_map=dict(rules.unit_map),
        item_map={**rules.item_map, product_id: metrc_item},
        location_map=dict(rules.location_map),
        track_locations=rules.track_locations,
        allow_opening_balance=rules.allow_opening_balance,
    )
    await RulesService(site.context).save(SaveRules(rules=saved, actor="tests"))
