"""Outgoing transfers and plantings from a package through the HTTP API on PostgreSQL: each
change writes the transfer, its batches' ledger rows (referencing ``TRANSFER <id>``) and the
events together; a refused one writes nothing; settlement (what Metrc says the receiver did)
returns a rejected package's quantity."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from inventory.adapters.unit_of_work import InventoryUnitOfWork
from inventory.entrypoints.worker import on_compliance_event
from inventory.service_layer import transfer_commands as c
from inventory.service_layer import transfers
from inventory.service_layer.caller import Caller
from shared.contracts import inventory as api
from shared.database import Database, in_transaction
from shared.events import EventEnvelope
from shared.events.compliance import TransferManifestSettledV1
from shared.identity import ALL_SITES, Identity

TAG_A = "1A4FF0100000022000000301"
TAG_B = "1A4FF0100000022000000302"
DAY = "2026-01-15"


def shipment(world: Any, *lines: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "siteId": world.site_id,
        "destinationLicenseNumber": "OR-777777",
        "destinationName": "Peak Processing",
        "transferType": "Wholesale",
        "plannedRoute": "I-5 north",
        "transporterLicenseNumber": "OR-123456",
        "driverName": "Sam Driver",
        "driverOccupationalLicenseNumber": "OL-1",
        "driverLicenseNumber": "DL-1",
        "vehicleMake": "Ford",
        "vehicleModel": "Transit",
        "vehicleLicensePlate": "ABC-123",
        "estimatedDeparture": "2026-01-16T15:00:00Z",
        "estimatedArrival": "2026-01-16T18:00:00Z",
        "lines": list(lines),
        **overrides,
    }


async def packages(world: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    a = await world.live(package={"tag": TAG_A, "source": {"kind": "OPENING_BALANCE"}})
    b = await world.live(package={"tag": TAG_B, "source": {"kind": "OPENING_BALANCE"}})
    return a, b


async def planned(world: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    a, b = await packages(world)
    answer = await world.admin.ok(
        "POST",
        "/v1/outgoing-transfers",
        201,
        json=shipment(world, {"batchId": a["id"], "wholesalePrice": "1200"}, {"batchId": b["id"]}),
    )
    transfer: dict[str, Any] = api.OutgoingTransferWriteResult.model_validate(answer).model_dump(
        by_alias=True, mode="json"
    )["transfer"]
    return transfer, a, b


async def movements(db: asyncpg.Connection, batch_id: str) -> list[tuple[str, str, Decimal]]:
    rows = await db.fetch(
        "SELECT bucket, movement_type AS type, quantity_change AS change FROM movement"
        " WHERE batch_id = $1 AND reference_type ="
        " 'TRANSFER' ORDER BY id",
        UUID(batch_id),
    )
    return [(r["bucket"], r["type"], r["change"]) for r in rows]


async def event_types(db: asyncpg.Connection, topic: str) -> list[str]:
    rows = await db.fetch(
        "SELECT payload::text AS p FROM outbox WHERE topic = $1 ORDER BY id", topic
    )
    return [json.loads(r["p"])["event_type"] for r in rows]


class TestOutgoingTransfers:
    async def test_planning_reserves_each_whole_package_and_sending_ships_it_out(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        transfer, a, _ = await planned(world)
        assert transfer["status"] == "CREATED"
        assert [(x["packageTag"], x["quantity"], x["state"]) for x in transfer["lines"]] == [
            (TAG_A, "100.0000", "RESERVED"), (TAG_B, "100.0000", "RESERVED"),
        ]  # fmt: skip
        assert transfer["lines"][0]["wholesalePrice"] == "1200.0000"
        got = await world.batch(a["id"])
        assert (got["reservedQty"], got["availableQty"]) == ("100.0000", "0.0000")
        sent = await world.admin.ok(
            "POST", f"/v1/outgoing-transfers/{transfer['id']}/send", json={"version": 1}
        )
        assert sent["transfer"]["status"] == "SENT"
        assert {x["state"] for x in sent["transfer"]["lines"]} == {"SHIPPED"}
        got = await world.batch(a["id"])
        assert (got["onHandQty"], got["reservedQty"]) == ("0.0000", "0.0000")
        assert await movements(db, a["id"]) == [
            ("RESERVED", "RESERVE", Decimal("100")),
            ("RESERVED", "SALE", Decimal("-100")),
            ("ON_HAND", "SALE", Decimal("-100")),
        ]
        assert await event_types(db, "inventory.transfer.events") == [
            "inventory.transfer.created", "inventory.transfer.sent",
        ]  # fmt: skip
        read = await world.admin.ok("GET", f"/v1/outgoing-transfers/{transfer['id']}")
        assert read == sent["transfer"]
        page = await world.admin.ok(
            "GET", "/v1/outgoing-transfers", params={"siteId": world.site_id}
        )
        assert [t["id"] for t in page["items"]] == [transfer["id"]]

    async def test_cancelling_releases_every_reservation(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        transfer, a, _ = await planned(world)
        answer = await world.admin.ok(
            "POST", f"/v1/outgoing-transfers/{transfer['id']}/cancel", json={"reason": "no truck"}
        )
        assert answer["transfer"]["status"] == "CANCELLED"
        got = await world.batch(a["id"])
        assert (got["onHandQty"], got["reservedQty"], got["availableQty"]) == (
            "100.0000", "0.0000", "100.0000",
        )  # fmt: skip
        again = await world.admin.call(
            "POST", f"/v1/outgoing-transfers/{transfer['id']}/send", json={}
        )
        assert again.status_code == 422
        assert again.json()["error"]["code"] == "INVALID_STATUS_TRANSITION"
        for status, listed in (("CANCELLED", [transfer["id"]]), ("CREATED", [])):
            page = await world.admin.ok(
                "GET", "/v1/outgoing-transfers", params={"siteId": world.site_id, "status": status}
            )
            assert [t["id"] for t in page["items"]] == listed, status

    async def test_refusals_answer_422_and_write_nothing(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        a, _ = await packages(world)
        untagged = await world.live()
        before = await db.fetchval("SELECT count(*) FROM movement")
        for body in (
            shipment(world, {"batchId": a["id"], "quantity": "40"}),  # not the whole package
            shipment(world, {"batchId": untagged["id"]}),  # no Metrc tag
            shipment(world, {"batchId": a["id"]}, {"batchId": a["id"]}),
            shipment(world, {"batchId": a["id"]}, destinationLicenseNumber="OR-123456"),
            shipment(world, {"batchId": a["id"]}, estimatedArrival="2026-01-16T14:00:00Z"),
            shipment(world),
        ):
            response = await world.admin.call("POST", "/v1/outgoing-transfers", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["error"]["code"] == "VALIDATION_ERROR", response.text
        assert await db.fetchval("SELECT count(*) FROM outgoing_transfer") == 0
        assert await db.fetchval("SELECT count(*) FROM movement") == before

    async def test_a_package_reserved_elsewhere_is_refused_naming_the_line(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        a, _ = await packages(world)
        await world.reserve(a, "10", "O-1")
        response = await world.admin.call(
            "POST", "/v1/outgoing-transfers", json=shipment(world, {"batchId": a["id"]})
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["code"], error["details"]["field"]) == ("INSUFFICIENT_AVAILABLE", "lines.0")
        assert await db.fetchval("SELECT count(*) FROM outgoing_transfer") == 0

    async def test_a_transfer_of_a_site_the_caller_may_not_see_is_not_found(
        self, world: Any, other_world: Any, make_user: Any
    ) -> None:
        transfer, _, _ = await planned(world)
        stranger = await make_user("eve", sites=(other_world.site_id,))
        for method, path, body in (
            ("GET", f"/v1/outgoing-transfers/{transfer['id']}", None),
            ("POST", f"/v1/outgoing-transfers/{transfer['id']}/send", {}),
            ("POST", f"/v1/outgoing-transfers/{transfer['id']}/cancel", {}),
        ):
            response = await stranger.call(method, path, json=body)
            assert response.status_code == 404, response.text
        listed = await stranger.call(
            "GET", "/v1/outgoing-transfers", params={"siteId": world.site_id}
        )
        assert listed.status_code == 404
        assert (await world.admin.ok("GET", f"/v1/outgoing-transfers/{transfer['id']}"))[
            "status"
        ] == "CREATED"

    async def test_a_replay_with_the_same_idempotency_key_plans_once(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        a, _ = await packages(world)
        body = shipment(world, {"batchId": a["id"]})
        first = await world.admin.call(
            "POST", "/v1/outgoing-transfers", json=body, headers={"Idempotency-Key": "t-1"}
        )
        second = await world.admin.call(
            "POST", "/v1/outgoing-transfers", json=body, headers={"Idempotency-Key": "t-1"}
        )
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json() == second.json()
        assert await db.fetchval("SELECT count(*) FROM outgoing_transfer") == 1


class TestSettlement:
    async def settle(self, inventory_db: str, world: Any, transfer_id: str, outcomes: Any) -> Any:
        caller = Caller(Identity(subject="compliance", kind="system", sites=(ALL_SITES,)))
        database = Database(inventory_db, name="test-settle")
        try:
            return await in_transaction(
                lambda: InventoryUnitOfWork(database),
                lambda uow: transfers.settle_transfer(
                    uow,
                    caller,
                    c.SettleTransfer(
                        transfer_id=UUID(transfer_id),
                        packages=tuple(c.PackageOutcome(*o) for o in outcomes),
                    ),
                ),
            )
        finally:
            await database.close()

    async def test_partial_acceptance_returns_the_rejected_package(
        self, world: Any, db: asyncpg.Connection, inventory_db: str
    ) -> None:
        transfer, a, b = await planned(world)
        await world.admin.ok("POST", f"/v1/outgoing-transfers/{transfer['id']}/send", json={})
        outcome = await self.settle(
            inventory_db,
            world,
            transfer["id"],
            [(TAG_A, True, Decimal("99.5")), (TAG_B, False, None)],
        )
        assert outcome.state.status.value == "PARTIALLY_ACCEPTED"
        read = await world.admin.ok("GET", f"/v1/outgoing-transfers/{transfer['id']}")
        assert [(x["state"], x["receivedQuantity"]) for x in read["lines"]] == [
            ("ACCEPTED", "99.5000"), ("REJECTED", None),
        ]  # fmt: skip
        assert (await world.batch(a["id"]))["onHandQty"] == "0.0000"
        assert (await world.batch(b["id"]))["onHandQty"] == "100.0000"
        assert (await movements(db, b["id"]))[-1] == ("ON_HAND", "RETURN", Decimal("100"))
        # Metrc's receipt is final: a repeated report changes nothing.
        again = await self.settle(inventory_db, world, transfer["id"], [(TAG_A, True, None)])
        assert again.state.version == outcome.state.version
        assert (await event_types(db, "inventory.transfer.events"))[-1] == (
            "inventory.transfer.settled"
        )


def settled_event(world: Any, transfer_id: str, packages: list[dict[str, Any]]) -> EventEnvelope:
    """Compliance's ``compliance.transfer_manifest.settled`` of the transfer, with the outcome
    of each package as given."""
    example = TransferManifestSettledV1.model_json_schema()["examples"][0]
    payload = TransferManifestSettledV1.model_validate(
        {**example, "transfer_id": transfer_id, "site_id": world.site_id, "packages": packages}
    ).model_dump(mode="json")
    return EventEnvelope(
        event_type="compliance.transfer_manifest.settled",
        event_version=1,
        producer="compliance",
        aggregate_id=transfer_id,
        payload=payload,
    )


async def consumed(inventory_db: str, envelope: EventEnvelope) -> None:
    """``envelope`` consumed by inventory's worker handler, in a transaction of its own."""
    database = Database(inventory_db, name="test-worker")
    try:
        await in_transaction(
            lambda: InventoryUnitOfWork(database),
            lambda uow: on_compliance_event(uow, envelope),
        )
    finally:
        await database.close()


class TestComplianceReports:
    async def test_the_settled_manifest_event_settles_the_transfer_once(
        self, world: Any, db: asyncpg.Connection, inventory_db: str
    ) -> None:
        transfer, a, b = await planned(world)
        await world.admin.ok("POST", f"/v1/outgoing-transfers/{transfer['id']}/send", json={})
        envelope = settled_event(
            world,
            transfer["id"],
            [
                {"package_tag": TAG_A, "accepted": False, "received_quantity": None},
                {"package_tag": TAG_B, "accepted": False, "received_quantity": None},
            ],
        )
        for _ in range(2):  # the same event delivered twice
            await consumed(inventory_db, envelope)
        read = await world.admin.ok("GET", f"/v1/outgoing-transfers/{transfer['id']}")
        assert read["status"] == "REJECTED"
        for batch in (a, b):
            assert (await world.batch(batch["id"]))["onHandQty"] == "100.0000"
            assert [m[1] for m in await movements(db, batch["id"])].count("RETURN") == 1

    async def test_a_settlement_inventory_refuses_is_kept_on_the_transfer_not_lost(
        self, world: Any, inventory_db: str
    ) -> None:
        transfer, _, _ = await planned(world)
        await world.admin.ok("POST", f"/v1/outgoing-transfers/{transfer['id']}/send", json={})
        envelope = settled_event(
            world,
            transfer["id"],
            [  # TAG_B is missing: inventory cannot settle from this
                {"package_tag": TAG_A, "accepted": True, "received_quantity": "100"}
            ],
        )
        await consumed(inventory_db, envelope)
        read = await world.admin.ok("GET", f"/v1/outgoing-transfers/{transfer['id']}")
        assert read["status"] == "SENT"
        assert TAG_B in read["settlementProblem"]
        assert {line["state"] for line in read["lines"]} == {"SHIPPED"}


class TestPlantingFromAPackage:
    async def test_a_planting_draws_its_quantity_out_of_the_package(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        clones, _ = await packages(world)
        answer = await world.admin.ok(
            "POST",
            "/v1/plant-batches",
            201,
            json={"siteId": world.site_id, "name": "From pkg", "type": "Clone", "count": 30,
                  "strain": "Blue Dream", "locationId": world.location_a, "plantedDate": DAY,
                  "source": "PACKAGE", "sourceBatchId": clones["id"], "sourceQuantity": "30"},
        )  # fmt: skip
        plant_batch = answer["plantBatch"]
        assert plant_batch["source"] == "PACKAGE"
        assert (await world.batch(clones["id"]))["onHandQty"] == "70.0000"
        row = await db.fetchrow(
            "SELECT quantity_change AS change, reference_type, reference_id FROM movement"
            " WHERE batch_id = $1 AND movement_type = 'CONSUMPTION'",
            UUID(clones["id"]),
        )
        assert (row["change"], row["reference_type"], row["reference_id"]) == (
            Decimal("-30"), "PLANT_BATCH", plant_batch["id"],
        )  # fmt: skip
        rows = await db.fetch(
            "SELECT payload::text AS p FROM outbox WHERE topic = 'inventory.cultivation.events'"
        )
        planted = json.loads(rows[-1]["p"])["payload"]
        assert planted["source_package"]["package_tag"] == TAG_A
        assert Decimal(planted["source_package"]["quantity"]) == Decimal("30")

    async def test_a_package_planting_without_its_batch_or_beyond_its_stock_writes_nothing(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        clones, _ = await packages(world)
        base = {"siteId": world.site_id, "name": "P", "type": "Clone", "count": 3,
                "strain": "S", "locationId": world.location_a, "plantedDate": DAY}  # fmt: skip
        for extra, code in (
            ({"source": "PACKAGE"}, "VALIDATION_ERROR"),
            ({"source": "PACKAGE", "sourceBatchId": clones["id"], "sourceQuantity": "101"},
             "INSUFFICIENT_AVAILABLE"),
            ({"sourceBatchId": clones["id"]}, "VALIDATION_ERROR"),
        ):  # fmt: skip
            response = await world.admin.call("POST", "/v1/plant-batches", json={**base, **extra})
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == code
        assert await db.fetchval("SELECT count(*) FROM plant_batch") == 0
        assert (await world.batch(clones["id"]))["onHandQty"] == "100.0000"
