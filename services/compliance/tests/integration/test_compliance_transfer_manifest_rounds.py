"""Outgoing transfer manifests on PostgreSQL and the sandbox over HTTP: inventory's transfer
events recorded once, rounds that make the template exactly once (a lost answer included), follow
the manifest after it is sent, and stage ``compliance.transfer_manifest.settled`` with each
package's outcome when the receiver decided them all, settling each shipped package's sale with
no Metrc write; a transfer whose packages are not all LINKED waits, then is sent once (one
whose package's create FAILED raises ``TRANSFER_STALLED`` after the threshold, resolved when the
transfer is cancelled); a
cancelled transfer's template archived once (a lost answer read back, not archived again); a sent
manifest followed however long Metrc is away; a claimed row left to its round. The receiver's
side: its incoming delivery published as ``compliance.incoming_transfer.changed`` once per
change."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from compliance.adapters.metrc import MetrcClient, MetrcCredentials, RetryPolicy
from compliance.adapters.metrc import endpoints as ep
from compliance.adapters.metrc.testing import GROWER, STORE, SandboxProcess, contract_world
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.domain import (
    LinkState,
    NotificationKind,
    Problem,
    ProblemCode,
    ReceivedByTransfer,
    SubmissionKind,
    SubmissionState,
    SyncLogQuery,
)
from compliance.domain.mirror import Feed, mirror_record
from compliance.domain.transfer_manifests import STALL_AFTER, ManifestState, template_name
from compliance.service_layer.incoming_transfers import publish_incoming
from compliance.service_layer.record import record_batch_change
from compliance.service_layer.sale_settlement import SETTLE_OPERATION
from compliance.service_layer.transfer_manifest_rounds import (
    LEASE,
    MAX_ATTEMPTS,
    manifest_round,
    record_transfer_event,
    waiting_message,
)
from compliance.service_layer.transfer_stalls import stall_key
from compliance.testing import BatchScript, colorado_rules
from pydantic import SecretStr
from shared.database import Database
from shared.events import transfers as ev
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"
TEMPLATE_POST = "POST /transfers/v2/templates/outgoing"
TEMPLATE_DELETE = "DELETE /transfers/v2/templates/outgoing/{template_id}"
SITE_ID = UUID(ev.TransferCreatedV1.model_json_schema()["examples"][0]["transfer"]["site"]["id"])
"""The site of the contract's transfer example: the one reporting to Metrc here."""


@dataclass
class World:
    database: Database
    client: MetrcClient
    sandbox: SandboxProcess
    labels: list[str]
    batches: dict[str, BatchScript]
    """The batch of each sandbox package (by tag), created in compliance and LINKED."""
    staged_before: int = 0
    """The outbox's last id when the test began (the fixture's own events are not looked at)."""

    def uow(self) -> ComplianceUnitOfWork:
        return ComplianceUnitOfWork(self.database)

    async def record(self, event_type: str, transfer: dict[str, Any]) -> None:
        async with self.uow() as uow:
            await record_transfer_event(uow, event_type, transfer, datetime.now(UTC))
            await uow.commit()

    async def round(self, *, later: timedelta = timedelta(0)) -> int:
        """One round, ``later`` on the round's clock (a stall threshold passed without waiting)."""

        async def metrc_for(license_number: str) -> MetrcClient:
            assert license_number == GROWER
            return self.client

        return await manifest_round(self.uow, metrc_for, lambda: datetime.now(UTC) + later)

    async def row(self, transfer_id: UUID) -> Any:
        async with self.uow() as uow:
            return await uow.transfer_manifests.get(transfer_id)

    async def record_batch(self, change: Any) -> Any:
        async with self.uow() as uow:
            recorded = await record_batch_change(uow, change, now=datetime.now(UTC))
            await uow.commit()
        return recorded

    async def link(self, tag: str) -> None:
        """The batch's package found in Metrc: its link LINKED (the read-back's result)."""
        (package,) = [p for p in await self.client.list_packages(GROWER) if p.label == tag]
        async with self.uow() as uow:
            batch_id = self.batches[tag].batch_id
            await uow.links.lock([batch_id])
            found = await uow.links.get(batch_id)
            assert found is not None
            await uow.links.save(found.linked(datetime.now(UTC), metrc_package_id=package.id))
            await uow.commit()

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.database.connection() as conn:
            rows = await conn.fetch(
                "SELECT payload::text AS p FROM outbox WHERE id > $1 ORDER BY id",
                self.staged_before,
            )
        return [json.loads(r["p"]) for r in rows]


@pytest.fixture
async def world(sandbox_process: SandboxProcess, database_url: str) -> AsyncIterator[World]:
    sandbox = sandbox_process
    await sandbox.clear_faults()
    loaded = contract_world()
    await sandbox.load(loaded)
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    database = Database(database_url, name="compliance-transfer-test", min_size=1, max_size=4)
    async with ComplianceUnitOfWork(database) as uow:  # the transfers' site reports to Metrc
        await uow.jurisdictions.save(colorado_rules(SITE_ID, GROWER, sandbox.base_url))
        await uow.commit()
    async with MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(loaded.vendor_key), user_key=SecretStr(loaded.user_key)
        ),
        retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2),
        timeout=httpx.Timeout(5.0, connect=2.0),
    ) as client:
        labels = [p.label for p in await client.list_packages(GROWER)][:2]
        batches = {
            label: BatchScript(
                site_id=SITE_ID, code=label[-6:], tag=label, source=ReceivedByTransfer()
            )
            for label in labels
        }
        world = World(database, client, sandbox, labels, batches)
        # The shipped packages are in Metrc, as a template needs (a test that needs one on
        # its way makes its own).
        for label, script in batches.items():
            await world.record_batch(script.created("10"))
            await world.link(label)
        async with database.connection() as conn:
            world.staged_before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        yield world
    await database.close()


def transfer(world: World) -> dict[str, Any]:
    """An ``inventory.transfer.created`` snapshot (the contract's example) of two packages."""
    example = ev.TransferCreatedV1.model_json_schema()["examples"][0]
    snapshot = dict(example["transfer"])
    line = snapshot["lines"][0]
    snapshot.update(
        transfer_id=str(uuid4()),
        site={**snapshot["site"], "license_number": GROWER},
        destination_license_number=STORE,
        transfer_type="Transfer",
        transporter_license_number=GROWER,
        estimated_departure="2030-01-02T15:00:00Z",
        estimated_arrival="2030-01-02T17:00:00Z",
        lines=[
            {**line, "batch_id": str(world.batches[label].batch_id), "package_tag": label}
            for label in world.labels
        ],
    )
    checked: dict[str, Any] = ev.TransferCreatedV1.model_validate(
        {**example, "transfer": snapshot}
    ).model_dump(mode="json")["transfer"]
    return checked


async def recorded(world: World) -> tuple[dict[str, Any], UUID]:
    """A ``transfer`` recorded as ``inventory.transfer.created``: its snapshot and its id."""
    planned = transfer(world)
    await world.record("inventory.transfer.created", planned)
    return planned, UUID(planned["transfer_id"])


async def templated(world: World) -> tuple[dict[str, Any], UUID]:
    """A ``recorded`` transfer after a round made its template: its snapshot and its id."""
    planned, transfer_id = await recorded(world)
    await world.round()
    return planned, transfer_id


async def test_a_transfer_becomes_one_template_and_its_settled_manifest_an_event(
    world: World,
) -> None:
    planned, transfer_id = await recorded(world)
    await world.record("inventory.transfer.created", planned)  # a redelivery adds nothing
    assert (await world.row(transfer_id)).state is ManifestState.PENDING

    await world.round()
    row = await world.row(transfer_id)
    assert (row.state, row.last_error) == (ManifestState.CREATED, None)
    named = await world.client.find_transfer_templates(GROWER, template_name(transfer_id))
    assert [t.id for t in named] == [row.metrc_template_id]
    assert await world.round() == 0  # nothing to do until it is sent

    await world.record("inventory.transfer.sent", planned)
    await world.round()
    assert (await world.row(transfer_id)).manifest_number is None  # not registered in Metrc yet

    sent = await world.sandbox.send_transfer_template(row.metrc_template_id)
    await world.round()
    followed = await world.row(transfer_id)
    assert (followed.state, followed.manifest_number, followed.metrc_transfer_id) == (
        ManifestState.CREATED, sent.manifest_number, sent.transfer_id,
    )  # fmt: skip

    accepted, rejected = world.labels
    shipped = {
        p.package_label: p.shipped_quantity
        for p in await world.client.list_transfer_delivery_packages(sent.delivery_ids[0])
    }
    await world.sandbox.receive_delivery_packages(
        sent.delivery_ids[0], {accepted: shipped[accepted], rejected: None}
    )
    await world.round()
    assert (await world.row(transfer_id)).state is ManifestState.SETTLED
    [settled] = [
        e for e in await world.outbox() if e["event_type"].startswith("compliance.transfer")
    ]
    assert settled["event_type"] == "compliance.transfer_manifest.settled"
    assert settled["aggregate_id"] == str(transfer_id)
    outcomes = {p["package_tag"]: p for p in settled["payload"]["packages"]}
    assert outcomes[accepted]["accepted"] is True
    assert outcomes[accepted]["received_quantity"] is not None
    assert outcomes[rejected] == {
        "package_tag": rejected,
        "accepted": False,
        "received_quantity": None,
    }
    await world.round()
    assert len(await world.outbox()) == 1  # settled once


async def on_its_way(world: World) -> tuple[dict[str, Any], str]:
    """A transfer of the two packages, one of which compliance has not seen reach Metrc yet
    (its batch's link PENDING, as while its create or link waits); that package's tag."""
    tag = world.labels[1]
    async with world.uow() as uow:
        batch_id = world.batches[tag].batch_id
        await uow.links.lock([batch_id])
        found = await uow.links.get(batch_id)
        assert found is not None
        await uow.links.save(replace(found, state=LinkState.PENDING, metrc_package_id=None))
        await uow.commit()
    return transfer(world), tag


async def test_a_transfer_waits_for_its_packages_to_reach_metrc_then_is_sent_once(
    world: World,
) -> None:
    planned, tag = await on_its_way(world)
    transfer_id = UUID(planned["transfer_id"])
    await world.record("inventory.transfer.created", planned)
    for _ in range(MAX_ATTEMPTS + 1):  # waiting is never given up on
        await world.round()
    waiting = await world.row(transfer_id)
    assert (waiting.state, waiting.attempts) == (ManifestState.PENDING, 0)
    assert waiting.last_error == waiting_message([tag])
    assert TEMPLATE_POST not in (await world.sandbox.state())["requests"]

    await world.link(tag)
    await world.round()
    sent = await world.row(transfer_id)
    assert (sent.state, sent.attempts, sent.last_error) == (ManifestState.CREATED, 1, None)
    named = await world.client.find_transfer_templates(GROWER, template_name(transfer_id))
    assert [t.id for t in named] == [sent.metrc_template_id]
    stats = (await world.sandbox.state())["requests"][TEMPLATE_POST]
    assert (stats["requests"], stats["applied"]) == (1, 1)


async def test_a_cancelled_transfer_waiting_for_its_packages_is_cancelled(world: World) -> None:
    planned, _ = await on_its_way(world)
    transfer_id = UUID(planned["transfer_id"])
    await world.record("inventory.transfer.created", planned)
    await world.round()
    await world.record("inventory.transfer.cancelled", planned)
    await world.round()
    assert (await world.row(transfer_id)).state is ManifestState.CANCELLED
    assert TEMPLATE_POST not in (await world.sandbox.state())["requests"]


async def test_a_transfer_whose_package_create_failed_is_told_after_the_threshold_and_resolved_when_cancelled(
    world: World,
) -> None:
    planned, tag = await on_its_way(world)
    transfer_id = UUID(planned["transfer_id"])
    async with world.uow() as uow:  # the batch's package write failed for good, as after N sends
        (create,) = await uow.submissions.for_batch(world.batches[tag].batch_id)
        failure = Problem(
            code=ProblemCode.METRC_UNAVAILABLE, message="Metrc did not answer 8 sends", guidance=""
        )
        await uow.submissions.save(create.fail(datetime.now(UTC), failure))
        await uow.commit()
    await world.record("inventory.transfer.created", planned)

    async def told() -> list[Any]:
        async with world.uow() as uow:
            notes = await uow.notifications.recent(license_number=GROWER)
        return [n for n in notes if n.dedup_key == stall_key(transfer_id)]

    await world.round()
    await world.round(later=STALL_AFTER - timedelta(minutes=1))
    assert await told() == []
    await world.round(later=STALL_AFTER + timedelta(seconds=1))
    await world.round(later=STALL_AFTER + timedelta(minutes=1))
    (note,) = await told()
    assert (note.kind, note.resolved_at) == (NotificationKind.TRANSFER_STALLED, None)
    assert f"{tag}: its package's {create.kind.value} is FAILED" in note.message
    assert "Metrc did not answer 8 sends" in note.message

    await world.record("inventory.transfer.cancelled", planned)
    await world.round(later=STALL_AFTER + timedelta(minutes=2))
    assert (await world.row(transfer_id)).state is ManifestState.CANCELLED
    (note,) = await told()
    assert note.resolved_at is not None
    assert TEMPLATE_POST not in (await world.sandbox.state())["requests"]


async def test_a_lost_answer_is_read_back_and_the_template_is_made_once(world: World) -> None:
    _, transfer_id = await recorded(world)
    await world.sandbox.add_faults(
        {"method": "POST", "path": "/transfers/v2/templates/outgoing", "kind": "lost_response"}
    )
    await world.round()
    lost = await world.row(transfer_id)
    assert (lost.state, lost.attempts) == (ManifestState.PENDING, 1)
    assert lost.last_error
    await world.round()
    made = await world.row(transfer_id)
    assert made.state is ManifestState.CREATED
    named = await world.client.find_transfer_templates(GROWER, template_name(transfer_id))
    assert [t.id for t in named] == [made.metrc_template_id]
    stats = (await world.sandbox.state())["requests"][TEMPLATE_POST]
    assert (stats["requests"], stats["applied"]) == (1, 1)


async def test_a_cancelled_transfers_template_is_archived(world: World) -> None:
    planned, transfer_id = await templated(world)
    await world.record("inventory.transfer.cancelled", planned)
    await world.round()
    assert (await world.row(transfer_id)).state is ManifestState.CANCELLED
    assert await world.client.find_transfer_templates(GROWER, template_name(transfer_id)) == []


async def test_an_archive_whose_answer_was_lost_is_read_back_and_not_sent_again(
    world: World,
) -> None:
    planned, transfer_id = await templated(world)
    template_id = (await world.row(transfer_id)).metrc_template_id
    await world.record("inventory.transfer.cancelled", planned)
    archive = f"/transfers/v2/templates/outgoing/{template_id}"
    await world.sandbox.add_faults({"method": "DELETE", "path": archive, "kind": "lost_response"})
    await world.round()  # Metrc archived it; the answer never came
    lost = await world.row(transfer_id)
    assert (lost.state, lost.attempts) == (ManifestState.CREATED, 2)
    assert lost.last_error
    await world.round()
    assert (await world.row(transfer_id)).state is ManifestState.CANCELLED
    stats = (await world.sandbox.state())["requests"][TEMPLATE_DELETE]
    assert (stats["requests"], stats["applied"]) == (1, 1)


async def test_a_sent_manifest_is_followed_however_long_metrc_is_away(world: World) -> None:
    planned, transfer_id = await templated(world)
    await world.record("inventory.transfer.sent", planned)
    away = {"method": "GET", "path": "/transfers/v2/outgoing", "kind": "status", "times": 10**6}
    await world.sandbox.add_faults(away)
    for _ in range(MAX_ATTEMPTS + 1):
        await world.round()
    waiting = await world.row(transfer_id)
    assert (waiting.state, waiting.attempts) == (ManifestState.CREATED, MAX_ATTEMPTS + 2)
    assert waiting.last_error
    await world.sandbox.clear_faults()
    sent = await world.sandbox.send_transfer_template(waiting.metrc_template_id)
    await world.round()
    followed = await world.row(transfer_id)
    assert (followed.state, followed.manifest_number) == (
        ManifestState.CREATED, sent.manifest_number,
    )  # fmt: skip


async def test_a_plan_that_cannot_become_a_template_fails_alone(world: World) -> None:
    unreadable = transfer(world)
    del unreadable["lines"]  # a snapshot this version cannot read
    good = transfer(world)
    await world.record("inventory.transfer.created", unreadable)
    await world.record("inventory.transfer.created", good)
    await world.round()
    failed = await world.row(UUID(unreadable["transfer_id"]))
    assert failed.state is ManifestState.FAILED
    assert "cannot be sent as a Metrc template" in failed.last_error
    assert (await world.row(UUID(good["transfer_id"]))).state is ManifestState.CREATED


async def test_a_site_that_does_not_report_to_metrc_has_no_manifest(world: World) -> None:
    elsewhere = transfer(world)
    elsewhere["site"] = {**elsewhere["site"], "id": str(uuid4())}
    await world.record("inventory.transfer.created", elsewhere)
    await world.record("inventory.transfer.sent", elsewhere)
    assert await world.row(UUID(elsewhere["transfer_id"])) is None


async def test_a_row_another_round_holds_is_left_until_its_claim_runs_out(world: World) -> None:
    _, transfer_id = await recorded(world)
    now = datetime.now(UTC)
    async with world.uow() as uow:  # another worker's round, talking to Metrc
        assert len(await uow.transfer_manifests.claim_open(GROWER, now, until=now + LEASE)) == 1
        await uow.commit()
    assert await world.round() == 0
    assert (await world.row(transfer_id)).state is ManifestState.PENDING
    async with world.database.connection() as conn:  # that worker died: its claim ran out
        await conn.execute(
            "UPDATE transfer_manifest SET claimed_until = $1", now - timedelta(seconds=1)
        )
    assert await world.round() == 1
    assert (await world.row(transfer_id)).state is ManifestState.CREATED


async def test_a_round_that_outlived_its_claim_writes_nothing_over_the_round_holding_it(
    world: World,
) -> None:
    _, transfer_id = await recorded(world)
    first = datetime.now(UTC)
    async with world.uow() as uow:  # a slow round's claim
        (row,) = await uow.transfer_manifests.claim_open(GROWER, first, until=first + LEASE)
        await uow.commit()
    async with world.database.connection() as conn:  # it ran out; another round took the row
        await conn.execute(
            "UPDATE transfer_manifest SET claimed_until = $1", first - timedelta(seconds=1)
        )
    again = datetime.now(UTC)
    async with world.uow() as uow:
        assert len(await uow.transfer_manifests.claim_open(GROWER, again, until=again + LEASE)) == 1
        await uow.commit()
    outbox = await world.outbox()
    late = replace(row, state=ManifestState.SETTLED, metrc_template_id=99, updated_at=again)
    async with world.uow() as uow:
        assert not await uow.transfer_manifests.save(late, claimed_until=first + LEASE)
        assert not await uow.transfer_manifests.settled(
            late, [], again, claimed_until=first + LEASE
        )
        await uow.commit()
    kept = await world.row(transfer_id)
    assert (kept.state, kept.metrc_template_id) == (ManifestState.PENDING, None)
    assert await world.outbox() == outbox  # no settled event staged by the late round


async def test_the_receivers_incoming_delivery_is_published_once_per_change(
    world: World,
) -> None:
    planned, transfer_id = await templated(world)
    await world.record("inventory.transfer.sent", planned)
    sent = await world.sandbox.send_transfer_template(
        (await world.row(transfer_id)).metrc_template_id
    )

    async def publish() -> dict[str, int]:
        raw, _ = await world.client.fetch_page(ep.INCOMING_TRANSFERS, STORE, 1, validate=False)
        records = [mirror_record(Feed.TRANSFERS_INCOMING, r) for r in raw.data]
        return await publish_incoming(
            world.uow, world.client, records, STORE, lambda: datetime.now(UTC)
        )

    assert await publish() == {"read": 1, "published": 1, "failed": 0}
    assert await publish() == {"read": 0, "published": 0, "failed": 0}  # nothing changed
    accepted, rejected = world.labels
    await world.sandbox.receive_delivery_packages(
        sent.delivery_ids[0], {accepted: Decimal("99.5"), rejected: None}
    )
    assert await publish() == {"read": 1, "published": 1, "failed": 0}
    assert (await publish())["published"] == 0
    changes = [
        e for e in await world.outbox() if e["event_type"] == "compliance.incoming_transfer.changed"
    ]
    assert [e["aggregate_id"] for e in changes] == [f"{STORE}:{sent.delivery_ids[0]}"] * 2
    first, last = (e["payload"] for e in changes)
    assert (last["manifest_number"], last["shipper_license_number"], last["metrc_transfer_id"]) == (
        sent.manifest_number, GROWER, sent.transfer_id,
    )  # fmt: skip
    assert {p["package_tag"]: p["shipment_state"] for p in first["packages"]} == {
        accepted: "Shipped", rejected: "Shipped",
    }  # fmt: skip
    packages = {p["package_tag"]: p for p in last["packages"]}
    assert (packages[accepted]["shipment_state"], packages[accepted]["received_quantity"]) == (
        "Accepted", "99.5",
    )  # fmt: skip
    assert packages[rejected]["shipment_state"] == "Rejected"
    assert packages[accepted]["item_name"] == "Blue Dream Flower"
    assert first["fingerprint"] != last["fingerprint"]


async def test_the_settled_manifest_settles_each_shipped_sale_with_no_metrc_write(
    world: World,
) -> None:
    planned = transfer(world)
    transfer_id = UUID(planned["transfer_id"])
    accepted, rejected = world.labels
    batches = world.batches  # each created (10) and LINKED by the fixture
    # The accepted package's SALE is consumed before the manifest settles, the rejected one's
    # only after (its event late): both end settled.
    await world.record_batch(batches[accepted].ship("10", transfer_id))
    await world.record("inventory.transfer.created", planned)
    await world.round()
    await world.record("inventory.transfer.sent", planned)
    sent = await world.sandbox.send_transfer_template(
        (await world.row(transfer_id)).metrc_template_id
    )
    await world.sandbox.receive_delivery_packages(
        sent.delivery_ids[0], {accepted: Decimal("9.5"), rejected: None}
    )
    await world.round()
    assert (await world.row(transfer_id)).state is ManifestState.SETTLED
    late = await world.record_batch(batches[rejected].ship("10", transfer_id))
    assert [s.state for s in late.submissions] == [SubmissionState.SETTLED]
    # Inventory returns the rejected package: no adjustment (Metrc's package never left).
    back = await world.record_batch(batches[rejected].rejected_back("10", transfer_id))
    assert back.submissions == ()
    await world.round()  # a later round changes nothing

    async with world.uow() as uow:
        sales = [
            s
            for script in batches.values()
            for s in await uow.submissions.for_batch(script.batch_id)
            if s.kind is SubmissionKind.TRANSFER_OUT
        ]
        open_kinds = {s.kind for s in await uow.submissions.open_for_license(GROWER)}
        logged = await uow.sync_log.query(SyncLogQuery(operation=SETTLE_OPERATION))
    assert [s.state for s in sales] == [SubmissionState.SETTLED] * 2
    outcomes = {s.batch_id: s.settled_by for s in sales}
    taken = outcomes[batches[accepted].batch_id]
    refused = outcomes[batches[rejected].batch_id]
    assert taken is not None
    assert refused is not None
    assert (taken.accepted, taken.received_quantity, taken.manifest_number) == (
        True, Decimal("9.5"), sent.manifest_number,
    )  # fmt: skip
    assert (refused.accepted, refused.manifest_number) == (False, sent.manifest_number)
    assert SubmissionKind.TRANSFER_OUT not in open_kinds  # only the links, never pushed here
    # Each settled sale is published done (reporting counted it pending until then).
    done = [
        e["payload"]["submission_id"]
        for e in await world.outbox()
        if e["event_type"] == "compliance.push_accepted" and e["payload"]["state"] == "SETTLED"
    ]
    assert sorted(done) == sorted(str(s.id) for s in sales)
    # The late one was settled before it was stored: published once, done (a "planned" at the
    # same instant would carry its version, and reporting would keep that one).
    (late_sale,) = late.submissions
    assert [
        e["event_type"]
        for e in await world.outbox()
        if e["payload"].get("submission_id") == str(late_sale.id)
    ] == ["compliance.push_accepted"]
    assert sorted((e.accepted, e.rejected) for e in logged) == [(0, 1), (1, 0)]
    requests = (await world.sandbox.state())["requests"]
    assert [r for r in requests if " /packages/" in r and not r.startswith("GET")] == []
