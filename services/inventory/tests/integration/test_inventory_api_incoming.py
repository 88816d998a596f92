"""Incoming transfers on PostgreSQL: compliance's ``compliance.incoming_transfer.changed`` recorded
once per change by the worker's handler, read through the HTTP API, and received: one batch per
accepted package (intake with the tag, source TRANSFER, vendor the shipper, cost the price per
unit), nothing for a rejected one, refusals writing nothing."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from inventory.adapters.unit_of_work import InventoryUnitOfWork
from inventory.entrypoints.worker import on_compliance_event
from shared.database import Database, in_transaction
from shared.events import EventEnvelope
from shared.events.compliance import IncomingTransferChangedV1

SHIPPED_A = "1A4FF0300000022000000901"
SHIPPED_B = "1A4FF0300000022000000902"


def incoming(license_number: str, *, states: tuple[str, str] = ("Shipped", "Shipped")) -> Any:
    example = IncomingTransferChangedV1.model_json_schema()["examples"][0]
    package = example["packages"][0]
    return IncomingTransferChangedV1.model_validate(
        {
            **example,
            "license_number": license_number,
            "packages": [
                {**package, "package_tag": SHIPPED_A, "metrc_package_id": 1, "item_name": "OG bulk",
                 "item_category": "Buds", "shipped_quantity": "453.5924",
                 "wholesale_price": "1000.00", "shipment_state": states[0]},
                {**package, "package_tag": SHIPPED_B, "metrc_package_id": 2, "item_name": "OG bulk",
                 "item_category": "Buds", "shipped_quantity": "10", "wholesale_price": None,
                 "shipment_state": states[1]},
            ],
            "fingerprint": f"sha256:{states}",
        }
    )  # fmt: skip


async def deliver(inventory_db: str, event_type: str, payload: Any, times: int = 1) -> None:
    envelope = EventEnvelope(
        event_type=event_type,
        event_version=1,
        producer="compliance",
        aggregate_id="x",
        payload=payload.model_dump(mode="json"),
    )
    database = Database(inventory_db, name="test-incoming")
    try:
        for _ in range(times):
            await in_transaction(
                lambda: InventoryUnitOfWork(database),
                lambda uow: on_compliance_event(uow, envelope),
            )
    finally:
        await database.close()


async def recorded(world: Any) -> dict[str, Any]:
    page = await world.admin.ok("GET", "/v1/incoming-transfers", params={"siteId": world.site_id})
    [transfer] = page["items"]
    return dict(transfer)


class TestRecording:
    async def test_each_change_of_a_delivery_is_recorded_once_for_the_site_of_its_license(
        self, world: Any, inventory_db: str
    ) -> None:
        await deliver(
            inventory_db, "compliance.incoming_transfer.changed", incoming("OR-123456"), 2
        )
        await deliver(inventory_db, "compliance.incoming_transfer.changed", incoming("XX-1"))
        transfer = await recorded(world)
        assert (transfer["status"], transfer["version"], transfer["manifestNumber"]) == (
            "PENDING", 1, "0000000042",
        )  # fmt: skip
        assert [(p["packageTag"], p["metrcState"], p["state"]) for p in transfer["packages"]] == [
            (SHIPPED_A, "Shipped", "PENDING"), (SHIPPED_B, "Shipped", "PENDING"),
        ]  # fmt: skip
        changed = incoming("OR-123456", states=("Accepted", "Rejected"))
        await deliver(inventory_db, "compliance.incoming_transfer.changed", changed, 2)
        again = await recorded(world)
        assert again["version"] == 2
        assert [p["metrcState"] for p in again["packages"]] == ["Accepted", "Rejected"]
        assert await world.admin.ok("GET", f"/v1/incoming-transfers/{transfer['id']}") == again

    async def test_a_delivery_for_a_license_no_site_holds_is_kept_logged_and_received_by_the_site_made_with_it(
        self, world: Any, inventory_db: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="inventory.service_layer.incoming_transfers"):
            await deliver(inventory_db, "compliance.incoming_transfer.changed", incoming("OR-7"))
        lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        assert [line for line in lines if "license OR-7 recorded without a site" in line]
        mine = await world.admin.ok(
            "GET", "/v1/incoming-transfers", params={"siteId": world.site_id}
        )
        assert mine["items"] == []
        # Compliance does not publish it again: the site made with the license sees it as kept.
        site = await world.admin.ok(
            "POST", "/v1/sites", 201, json={"name": "Salem store", "licenseNumber": "OR-7",
                                           "state": "OR"},
        )  # fmt: skip
        dock = await world.admin.ok(
            "POST", f"/v1/sites/{site['id']}/locations", 201, json={"zone": "Dock"}
        )
        later = replace(world, site_id=site["id"], location_a=dock["id"])
        transfer = await recorded(later)
        assert (transfer["siteId"], transfer["licenseNumber"], transfer["version"]) == (
            site["id"], "OR-7", 1,
        )  # fmt: skip
        changed = incoming("OR-7", states=("Accepted", "Rejected"))
        await deliver(inventory_db, "compliance.incoming_transfer.changed", changed)
        assert (await recorded(later))["version"] == 2
        answer = await world.admin.ok(
            "POST", f"/v1/incoming-transfers/{transfer['id']}/receive",
            json={"locationId": dock["id"]},
        )  # fmt: skip
        [batch] = answer["batches"]
        assert (batch["siteId"], batch["packageTag"]) == (site["id"], SHIPPED_A)
        # Received whole: it cost the shipper's 1000.00 exactly, not 453.5924 x 2.2046.
        got = await world.batch(batch["id"])
        assert (got["unitCogs"], got["cogsTotal"]) == ("2.2046", "1000.0000")
        assert (await recorded(later))["status"] == "RECEIVED"


class TestReceiving:
    async def test_accepted_packages_become_batches_linked_by_tag_and_rejected_ones_nothing(
        self, world: Any, db: asyncpg.Connection, inventory_db: str
    ) -> None:
        await deliver(inventory_db, "compliance.incoming_transfer.changed", incoming("OR-123456"))
        transfer = await recorded(world)
        answer = await world.admin.ok(
            "POST",
            f"/v1/incoming-transfers/{transfer['id']}/receive",
            json={
                "locationId": world.location_a,
                "version": 1,
                "packages": [
                    {"packageTag": SHIPPED_A, "receivedQuantity": "453.5900"},
                    {"packageTag": SHIPPED_B, "accepted": False},
                ],
            },
            headers={"Idempotency-Key": "r-1"},
        )
        received = answer["transfer"]
        assert received["status"] == "RECEIVED"
        [batch] = answer["batches"]
        assert [(p["state"], p["receivedQuantity"], p["batchId"]) for p in received["packages"]] == [
            ("ACCEPTED", "453.5900", batch["id"]), ("REJECTED", None, None),
        ]  # fmt: skip
        got = await world.batch(batch["id"])
        assert (got["onHandQty"], got["packageTag"], got["productName"]) == (
            "453.5900", SHIPPED_A, "OG bulk",
        )  # fmt: skip
        source = got["packageSource"]
        assert (source["kind"], source["manifestNumber"]) == ("TRANSFER", "0000000042")
        assert got["vendorName"] == "North Farm"
        # 1000.00 for 453.5924 shipped: 2.2046 per unit (four places); 453.59 of it received
        # cost its share of the price.
        assert (got["unitCogs"], got["cogsTotal"]) == ("2.2046", "999.9947")
        row = await db.fetchrow(
            "SELECT movement_type, reference_type, reference_id, quantity_change FROM movement"
            " WHERE batch_id = $1",
            UUID(batch["id"]),
        )
        assert (row[0], row[1], row[2], row[3]) == (
            "INTAKE", "INCOMING_TRANSFER", transfer["id"], Decimal("453.59"),
        )  # fmt: skip
        kinds = [
            json.loads(r["p"])["event_type"]
            for r in await db.fetch("SELECT payload::text AS p FROM outbox ORDER BY id")
        ]
        assert kinds.count("inventory.batch.created") == 1
        replay = await world.admin.call(
            "POST",
            f"/v1/incoming-transfers/{transfer['id']}/receive",
            json={"locationId": world.location_a, "version": 1, "packages": [
                {"packageTag": SHIPPED_A, "receivedQuantity": "453.5900"},
                {"packageTag": SHIPPED_B, "accepted": False},
            ]},
            headers={"Idempotency-Key": "r-1"},
        )  # fmt: skip
        assert replay.headers.get("Idempotent-Replayed") == "true"
        twice = await world.admin.call(
            "POST",
            f"/v1/incoming-transfers/{transfer['id']}/receive",
            json={"locationId": world.location_a},
        )
        assert twice.json()["error"]["code"] == "INVALID_STATUS_TRANSITION"

    async def test_refusals_name_the_package_and_write_nothing(
        self, world: Any, other_world: Any, make_user: Any, db: asyncpg.Connection,
        inventory_db: str,
    ) -> None:  # fmt: skip
        rejected_in_metrc = incoming("OR-123456", states=("Shipped", "Rejected"))
        await deliver(inventory_db, "compliance.incoming_transfer.changed", rejected_in_metrc)
        transfer = await recorded(world)
        path = f"/v1/incoming-transfers/{transfer['id']}/receive"
        # A product measured in another unit than the package's (Grams).
        counted = await world.intake(
            product={"name": "OG prerolls", "category": "Pre-Rolls", "unitOfMeasure": "Each"}
        )
        before = await db.fetchval("SELECT count(*) FROM batch")
        for packages, field in (
            ([{"packageTag": SHIPPED_A, "productId": counted["productId"]}],
             "packages.0.productId"),
            ([{"packageTag": "1A4FF0300000022000000999"}], "packages.0.packageTag"),
            ([{"packageTag": SHIPPED_A, "receivedQuantity": "0"}], "packages.0.receivedQuantity"),
            ([{"packageTag": SHIPPED_A, "accepted": False, "receivedQuantity": "1"}],
             "packages.0.receivedQuantity"),
            ([{"packageTag": SHIPPED_B}], "packages.0.accepted"),  # Metrc shows it rejected
        ):  # fmt: skip
            response = await world.admin.call(
                "POST", path, json={"locationId": world.location_a, "packages": packages}
            )
            assert response.status_code == 422, response.text
            fields = [f["field"] for f in response.json()["error"]["details"]["problems"]]
            assert field in fields, response.text
        stale = await world.admin.call(
            "POST", path, json={"locationId": world.location_a, "version": 7}
        )
        assert stale.status_code == 409
        stranger = await make_user("eve", sites=(other_world.site_id,))
        assert (
            await stranger.call("GET", f"/v1/incoming-transfers/{transfer['id']}")
        ).status_code == 404
        assert (
            await stranger.call("POST", path, json={"locationId": world.location_a})
        ).status_code == 404
        assert await db.fetchval("SELECT count(*) FROM batch") == before
        assert (await recorded(world))["status"] == "PENDING"
