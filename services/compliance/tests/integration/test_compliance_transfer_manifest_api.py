"""The compliance worker's manifest rounds with stored keys and rules (``ServiceContext.metrc_for``,
as the worker runs them) and the API's view of a transfer's manifest: ``synced`` only once Metrc
has the template, the printable manifest (HTML, PDF) from Metrc once it is registered, 409 before,
404 for a transfer of a site the caller may not see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from compliance.adapters.metrc.testing import GROWER, STORE, SandboxProcess, contract_world
from compliance.bootstrap import build
from compliance.config import ComplianceSettings
from compliance.domain import (
    Problem,
    ReceivedByTransfer,
)
from compliance.entrypoints.api import create_app
from compliance.entrypoints.container import Container
from compliance.service_layer import SaveCredentials
from compliance.service_layer.record import record_batch_change
from compliance.service_layer.transfer_manifest_rounds import manifest_round, record_transfer_event
from compliance.testing import BatchScript, colorado_rules
from pydantic import SecretStr
from shared.events import transfers as ev
from shared.identity import IDENTITY_HEADER, Identity, generate_keypair, issue_identity_token
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"
SITE = uuid4()


@pytest.fixture
async def stack(
    sandbox_process: SandboxProcess, database_url: str
) -> AsyncIterator[tuple[Container, httpx.AsyncClient, str, dict[str, UUID]]]:
    sandbox = sandbox_process
    await sandbox.clear_faults()
    loaded = contract_world()
    await sandbox.load(loaded)
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    private, public = generate_keypair()
    container = build(
        ComplianceSettings(
            COMPLIANCE_DATABASE_URL=database_url,
            CANOPY_IDENTITY_PUBLIC_KEY=public,
            KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
        )
    )
    rules = colorado_rules(SITE, GROWER, sandbox.base_url)
    async with container.uow() as uow:
        await uow.jurisdictions.save(rules)
        await uow.commit()
    await container.handlers.credentials.save(
        SaveCredentials(
            license_number=GROWER,
            state="CO",
            vendor_key=SecretStr(loaded.vendor_key),
            user_key=SecretStr(loaded.user_key),
            actor="admin",
        )
    )
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(container)), base_url="http://compliance"
    )
    metrc = await container.context.metrc_for(GROWER)
    assert not isinstance(metrc, Problem), metrc
    batches: dict[str, UUID] = {}
    # The shipped packages' batches LINKED: a transfer is sent only once Metrc has them.
    for package in (await metrc.list_packages(GROWER))[:2]:
        script = BatchScript(
            site_id=SITE, code=package.label[-6:], tag=package.label, source=ReceivedByTransfer()
        )
        async with container.uow() as uow:
            await record_batch_change(uow, script.created("10"), now=datetime.now(UTC))
            link = await uow.links.get(script.batch_id)
            assert link is not None
            await uow.links.save(link.linked(datetime.now(UTC), metrc_package_id=package.id))
            await uow.commit()
        batches[package.label] = script.batch_id
    yield container, client, private, batches
    await client.aclose()
    await container.close()


def headers(private: str, sites: tuple[str, ...] = ("*",)) -> dict[str, str]:
    identity = Identity(subject="officer", permissions=("compliance:sync",), sites=sites)
    return {IDENTITY_HEADER: issue_identity_token(identity, private)}


def planned(batches: dict[str, UUID]) -> dict[str, Any]:
    example = ev.TransferCreatedV1.model_json_schema()["examples"][0]
    snapshot = dict(example["transfer"])
    line = snapshot["lines"][0]
    snapshot.update(
        transfer_id=str(uuid4()),
        site={**snapshot["site"], "id": str(SITE), "license_number": GROWER},
        destination_license_number=STORE,
        transfer_type="Transfer",
        transporter_license_number=GROWER,
        estimated_departure="2030-01-02T15:00:00Z",
        estimated_arrival="2030-01-02T17:00:00Z",
        lines=[
            {**line, "batch_id": str(batch_id), "package_tag": label}
            for label, batch_id in batches.items()
        ],
    )
    checked: dict[str, Any] = ev.TransferCreatedV1.model_validate(
        {**example, "transfer": snapshot}
    ).model_dump(mode="json")["transfer"]
    return checked


async def test_a_manifest_is_synced_only_once_metrc_has_it_and_prints_once_registered(
    stack: tuple[Container, httpx.AsyncClient, str, dict[str, UUID]],
    sandbox_process: SandboxProcess,
) -> None:
    container, client, private, batches = stack
    transfer = planned(batches)
    transfer_id = UUID(transfer["transfer_id"])
    async with container.uow() as uow:
        await record_transfer_event(uow, "inventory.transfer.created", transfer, datetime.now(UTC))
        await record_transfer_event(uow, "inventory.transfer.sent", transfer, datetime.now(UTC))
        await uow.commit()
    path = f"/v1/compliance/transfers/{transfer_id}"
    before = (await client.get(path, headers=headers(private))).json()
    assert (before["state"], before["synced"], before["metrcTemplateId"]) == (
        "PENDING",
        False,
        None,
    )
    early = await client.get(f"{path}/manifest.html", headers=headers(private))
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "MANIFEST_NOT_REGISTERED"

    now = lambda: datetime.now(UTC)  # noqa: E731
    await manifest_round(container.uow, container.context.metrc_for, now)
    synced = (await client.get(path, headers=headers(private))).json()
    assert (synced["state"], synced["synced"]) == ("CREATED", True)

    sent = await sandbox_process.send_transfer_template(synced["metrcTemplateId"])
    await manifest_round(container.uow, container.context.metrc_for, now)
    registered = (await client.get(path, headers=headers(private))).json()
    assert registered["manifestNumber"] == sent.manifest_number
    html = await client.get(f"{path}/manifest.html", headers=headers(private))
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    # Metrc's document is not ours: it runs sandboxed on the gateway's origin.
    assert html.headers["content-security-policy"] == "sandbox"
    assert html.headers["x-content-type-options"] == "nosniff"
    assert sent.manifest_number in html.text
    pdf = await client.get(f"{path}/manifest.pdf", headers=headers(private))
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")

    stranger = headers(private, sites=(str(uuid4()),))
    for suffix in ("", "/manifest.html", "/manifest.pdf"):
        hidden = await client.get(f"{path}{suffix}", headers=stranger)
        assert hidden.status_code == 404
        assert hidden.json()["error"]["code"] == "TRANSFER_NOT_TRACKED"
