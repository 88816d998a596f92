"""Inventory changes reach Metrc through the whole platform: an intake through the gateway, the
inventory service and its outbox, Kafka, compliance's consumer and push worker, to the Metrc
sandbox over HTTP (every process a real one, started by its command line); and Metrc's answers
come back to inventory through ``compliance.events`` and ``python -m inventory worker`` (a
transfer accepted by a second facility, pulled by it as incoming and received as batches)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from compliance.domain import LinkState, Submission, SubmissionKind, SubmissionState
from compliance.sandbox_world import (
    BULK_ITEM,
    ITEM,
    LICENSE,
    RECEIVER,
    RECEIVER_USER_KEY,
    VENDOR_KEY,
    MetrcSite,
    eventually,
    receiver_metrc,
)
from compliance.testing import REASONS
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform

FAST_COMPLIANCE = {
    # A read-back after 2 x (2 tries x 4 s + 1 s) + 1 s = 19 s instead of minutes.
    "COMPLIANCE_METRC_CONNECT_TIMEOUT_SECONDS": "1",
    "COMPLIANCE_METRC_READ_TIMEOUT_SECONDS": "3",
    "COMPLIANCE_METRC_CALL_ATTEMPTS": "2",
    "COMPLIANCE_METRC_MAX_RETRY_AFTER_SECONDS": "1",
    "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "1",
    "COMPLIANCE_METRC_LAG_SECONDS": "1",
    "COMPLIANCE_PUSH_FIRST_RETRY_SECONDS": "0.5",
    "COMPLIANCE_PUSH_MAX_RETRY_SECONDS": "2",
    "COMPLIANCE_RECOVERY_INTERVAL_SECONDS": "1",
    "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
    "COMPLIANCE_TRANSFER_POLL_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
async def platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    logs: Path = tmp_path_factory.mktemp("compliance-e2e")
    running = await start_platform(
        postgres_server, kafka_server, identity_keys, logs, compliance=FAST_COMPLIANCE
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
async def site(platform: RunningPlatform) -> AsyncIterator[MetrcSite]:
    assert platform.compliance is not None
    world = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=platform.admin_key(),
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
        waiting_packages=1,
        plant_tags=2,
    )
    yield world
    await world.close()


class TestAnIntakeBecomesOnePackage:
    async def test_an_intake_in_a_metrc_site_creates_one_package_with_its_tag_item_quantity_and_unit(
        self, site: MetrcSite
    ) -> None:
        before = await site.package_count()
        batch, tag = await site.intake_opening_balance("100.5")
        package = await eventually(lambda: site.package(tag), what="the package")
        assert package.quantity == Decimal("100.5")
        assert package.unit_of_measure_name == "Grams"
        assert package.item is not None
        assert package.item.name == ITEM
        assert package.location_name == "Vault"
        subs = await eventually(lambda: site.settled(batch["id"]), what="the push")
        assert [(s.kind, s.state) for s in subs] == [
            (SubmissionKind.CREATE_PACKAGE, SubmissionState.ACCEPTED)
        ]
        assert await site.package_count() == before + 1

    async def test_a_batch_received_by_transfer_is_linked_to_the_arrived_package_not_created_again(
        self, site: MetrcSite
    ) -> None:
        [arrived] = [p for p in await site.metrc.list_packages(LICENSE) if p.quantity == 25][:1]
        before = await site.package_count()
        batch = await site.intake(
            "25", tag=arrived.label, source={"kind": "TRANSFER", "manifestNumber": "0000012345"}
        )
        subs = await eventually(lambda: site.settled(batch["id"]), what="the link")
        assert [(s.kind, s.state) for s in subs] == [
            (SubmissionKind.LINK_PACKAGE, SubmissionState.ACCEPTED)
        ]
        async with site.context.uow() as uow:
            link = await uow.links.get(subs[0].batch_id)
        assert link is not None
        assert link.state is LinkState.LINKED
        assert link.metrc_package_id == arrived.id
        assert await site.package_count() == before

    async def test_an_intake_in_a_site_without_metrc_pushes_nothing_and_says_why(
        self, site: MetrcSite
    ) -> None:
        plain = await site.gateway.post(
            "/sites", json={"name": "Oregon store", "licenseNumber": "OR-1", "state": "OR"}
        )
        location = await site.gateway.post(
            f"/sites/{plain.json()['id']}/locations", json={"zone": "Shelf"}
        )
        body = site.intake_body("10", tag=site.free_tags.pop(0), source={"kind": "OPENING_BALANCE"})
        body["siteId"] = plain.json()["id"]
        body["location"] = {"id": location.json()["id"]}
        before = await site.package_count()
        batch = (await site.gateway.post("/batches/intake", json=body)).json()["batch"]

        async def link_recorded() -> LinkState | None:
            async with site.context.uow() as uow:
                link = await uow.links.get(UUID(batch["id"]))
            return None if link is None else link.state

        assert await eventually(link_recorded, what="the link") is LinkState.NOT_TRACKED
        assert await site.submissions(batch["id"]) == []
        assert await site.package_count() == before


class TestChangesAreMirrored:
    async def test_adjustments_moves_finish_and_unfinish_reach_the_package_in_order(
        self, site: MetrcSite
    ) -> None:
        batch, tag = await site.intake_opening_balance("40")
        await eventually(lambda: site.package_with(tag, Decimal(40)), what="the create")
        await site.adjust(batch["id"], "-2.5000", reason="DAMAGED")
        await site.adjust(batch["id"], "1.2500")
        await eventually(lambda: site.package_with(tag, Decimal("38.75")), what="the adjustments")
        await site.move(batch["id"], "30.0000", "Vault", "Back Room")
        await eventually(
            lambda: site.package_with(tag, Decimal("38.75"), location="Back Room"),
            what="the move",
        )
        await site.adjust(batch["id"], "-8.7500", at="Vault")
        await site.adjust(batch["id"], "-30.0000", at="Back Room")
        await eventually(
            lambda: site.package_with(tag, Decimal(0), finished=True), what="the finish"
        )
        await site.adjust(batch["id"], "5.0000")  # back at the batch's primary location
        await eventually(
            lambda: site.package_with(tag, Decimal(5), location="Vault"), what="the unfinish"
        )
        subs = await eventually(lambda: site.settled(batch["id"]), what="every push")
        assert [s.kind for s in subs] == [
            SubmissionKind.CREATE_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.CHANGE_LOCATION,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.FINISH_PACKAGE,
            SubmissionKind.UNFINISH_PACKAGE,
            SubmissionKind.ADJUST_PACKAGE,
            SubmissionKind.CHANGE_LOCATION,
        ]
        assert {s.state for s in subs} == {SubmissionState.ACCEPTED}
        history = await site.metrc.package_adjustments_since(LICENSE, tag, subs[0].created_at)
        assert sorted(a.adjustment_quantity for a in history) == sorted(
            Decimal(x) for x in ("-2.5", "1.25", "-8.75", "-30", "5")
        )


class TestABatchMadeFromOtherBatches:
    async def test_one_package_is_created_from_the_sources_packages_and_they_hold_inventorys_quantities(
        self, site: MetrcSite
    ) -> None:
        first, first_tag = await site.intake_opening_balance("100")
        second, second_tag = await site.intake_opening_balance("50")
        await eventually(lambda: site.package_with(first_tag, Decimal(100)), what="the first")
        await eventually(lambda: site.package_with(second_tag, Decimal(50)), what="the second")
        for batch in (first, second):
            await site.make_live(batch["id"])
        before = await site.package_count()

        made, tag = await site.intake_from_batches(
            "42.5", {first["id"]: "30.0000", second["id"]: "12.5000"}
        )

        package = await eventually(lambda: site.package(tag), what="the new package")
        assert (package.quantity, package.unit_of_measure_name) == (Decimal("42.5"), "Grams")
        labels = (package.source_package_labels or "").split(",")
        assert sorted(label.strip() for label in labels) == sorted([first_tag, second_tag])
        # Metrc drew the ingredients when it created the package: each source package holds
        # what inventory holds after the CONSUMPTION (100 - 30, 50 - 12.5).
        await eventually(lambda: site.package_with(first_tag, Decimal(70)), what="the first drawn")
        await eventually(
            lambda: site.package_with(second_tag, Decimal("37.5")), what="the second drawn"
        )
        for batch, source_tag in ((first, first_tag), (second, second_tag)):
            source = await site.package(source_tag)
            assert source is not None
            assert source.quantity == Decimal((await site.batch(batch["id"]))["physicalQty"])
        assert await site.package_count() == before + 1

        made_subs = await eventually(_settled(site, made["id"]), what="the create")
        assert [(s.kind, s.state) for s in made_subs] == [
            (SubmissionKind.CREATE_PACKAGE, SubmissionState.ACCEPTED)
        ]
        for batch in (first, second):
            subs = await eventually(_settled(site, batch["id"]), what="the draws")
            # The draw is Metrc's doing when it creates the new package: never an adjustment.
            assert [(s.kind, s.state) for s in subs] == [
                (SubmissionKind.CREATE_PACKAGE, SubmissionState.ACCEPTED),
                (SubmissionKind.INGREDIENT_DRAW, SubmissionState.ACCEPTED),
            ]
        dump = (await site.sandbox.get("/_sandbox/state")).json()
        drawn_from = (first_tag, second_tag)
        assert not [a for a in dump["adjustments"] if a.get("PackageLabel") in drawn_from]


class TestATransferToASecondFacility:
    async def test_a_transfer_accepted_in_metrc_is_pulled_by_the_receiver_and_received_as_linked_batches(
        self, site: MetrcSite, platform: RunningPlatform
    ) -> None:
        gateway = site.gateway
        batch, tag = await site.intake_opening_balance("25.5")
        await eventually(lambda: site.package_with(tag, Decimal("25.5")), what="the package")
        await site.make_live(batch["id"])
        # Facility B: a site of its own, with its license's keys and rules.
        store, dock = await _receiving_site(gateway, platform)

        # A ships the package to B; B accepts part of it in Metrc (its UI: the sandbox's call).
        shipped, sent = await _shipped_and_accepted(
            site,
            batch["id"],
            tag,
            price="255.00",
            received="25.25",
            plate="CAN-1",
            day="2030-01-02",
        )
        assert shipped["lines"][0]["receivedQuantity"] == "25.2500"

        async def sale_settled() -> dict[str, Any] | None:
            # The sale is settled by the manifest, with no Metrc write: nothing of the shipped
            # batch waits (no finish either: the package left with the manifest).
            link = await _json(gateway.get(f"/batches/{batch['id']}/metrc-link"))
            last = link["lastPush"]
            done = last["kind"] == "TRANSFER_OUT" and last["state"] == "SETTLED"
            return link if done and link["openWrites"] == 0 else None

        shipper_link = await eventually(sale_settled, what="the shipped batch's sale settled")
        assert sent["manifest_number"] in shipper_link["lastPush"]["settledBy"]
        assert "accepted by the receiver" in shipper_link["lastPush"]["settledBy"]

        # B pulls its incoming transfers and receives the one that arrived.
        pull = {"siteId": store["id"], "syncTypes": ["transfers"]}
        await _json(gateway.post("/compliance/sync", json=pull))

        async def arrived() -> dict[str, Any] | None:
            # As accepted: a scheduled pull between the send and the acceptance records the
            # delivery as shipped first, and the requested pull brings the receiver's decision.
            page = await _json(gateway.get("/incoming-transfers", params={"siteId": store["id"]}))
            mine = [t for t in page["items"] if t["manifestNumber"] == sent["manifest_number"]]
            decided = mine and [
                (p["metrcState"], p["metrcReceivedQuantity"]) for p in mine[0]["packages"]
            ] == [("Accepted", "25.2500")]
            return mine[0] if decided else None

        incoming = await eventually(arrived, what="the incoming transfer in inventory, accepted")
        (package,) = incoming["packages"]
        assert (incoming["manifestNumber"], incoming["shipperLicenseNumber"]) == (
            sent["manifest_number"], LICENSE,
        )  # fmt: skip
        assert (package["packageTag"], package["itemName"], package["unit"]) == (tag, ITEM, "Grams")
        assert (package["metrcState"], package["metrcReceivedQuantity"]) == ("Accepted", "25.2500")
        assert package["wholesalePrice"] == "255.0000"
        packages_before = await site.package_count()
        received = await _json(gateway.post(
            f"/incoming-transfers/{incoming['id']}/receive", json={"locationId": dock}
        ))  # fmt: skip
        (made,) = received["batches"]
        assert (made["siteId"], made["packageTag"], made["onHandQty"]) == (
            store["id"], tag, "25.2500",
        )  # fmt: skip
        assert (made["vendorName"], made["unitCogs"]) == ("Canopy Grower", "10.0000")

        link = await eventually(
            lambda: _linked(gateway, made["id"]), what="the link to the arrived package"
        )
        assert platform.compliance is not None
        async with receiver_metrc(platform.compliance.metrc_url) as b:
            in_metrc = await b.find_package(RECEIVER, tag)
            assert in_metrc is not None
            assert [p.label for p in await b.list_packages(RECEIVER)].count(tag) == 1
        # Linked to the package that arrived, with B's quantity: no second package was made.
        assert (link["metrcPackageId"], in_metrc.quantity) == (in_metrc.id, Decimal("25.25"))
        subs = await eventually(lambda: site.settled(made["id"]), what="the link push")
        assert [(s.kind, s.state) for s in subs] == [
            (SubmissionKind.LINK_PACKAGE, SubmissionState.ACCEPTED)
        ]
        assert tag not in [p.label for p in await site.metrc.list_packages(LICENSE)]  # left A
        assert await site.package_count() == packages_before


class TestFromPlantBatchToTheSecondFacility:
    async def test_a_harvest_package_is_shipped_accepted_and_received_by_the_second_facility_with_exact_weights_and_its_origin(
        self, site: MetrcSite, platform: RunningPlatform
    ) -> None:
        gateway, day = site.gateway, (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        # Plant batch -> two plants flowering -> harvested (800 g wet) in both systems.
        planted = (await _json(gateway.post("/plant-batches", json={
            "siteId": site.site_id, "name": "E2E-CHAIN-PB", "type": "Seed", "count": 2,
            "strain": "Blue Dream", "locationId": site.location_ids["Vault"], "plantedDate": day,
        })))["plantBatch"]  # fmt: skip
        plants = site.free_plant_tags[:2]
        await _json(gateway.post(f"/plant-batches/{planted['id']}/growth-phase", json={
            "count": 2, "startingTag": plants[0], "growthPhase": "Flowering", "actualDate": day,
            "version": planted["version"],
        }))  # fmt: skip
        harvest = (await _json(gateway.post("/harvests", json={
            "siteId": site.site_id, "name": "E2E-CHAIN-H",
            "dryingLocationId": site.location_ids["Back Room"], "unitOfWeight": "Grams",
            "harvestDate": day, "plants": [{"tag": plants[0], "weight": "410.1234"},
                                           {"tag": plants[1], "weight": "389.8766"}],
        })))["harvest"]  # fmt: skip
        # One package of bulk flower from the harvest: a batch here, a package made from the
        # harvest in Metrc (POST /harvests/v2/packages).
        brand = await _json(gateway.post("/brands", json={"name": "E2E chain"}))
        product = await _json(gateway.post("/products", json={
            "name": BULK_ITEM, "category": "Flower", "strain": "Blue Dream",
            "brandId": brand["id"], "unitOfMeasure": "Grams",
        }))  # fmt: skip
        weight, tag = Decimal("300.3750"), site.free_tags.pop()
        packaged = await _json(gateway.post(f"/harvests/{harvest['id']}/packages", json={
            "packages": [{"productId": product["id"], "weight": str(weight), "packageTag": tag,
                          "locationId": site.location_ids["Vault"]}],
            "actualDate": day, "version": harvest["version"],
        }))  # fmt: skip
        (batch,) = packaged["batches"]
        assert (batch["packageSource"]["kind"], batch["packageSource"]["harvestId"]) == (
            "HARVEST", harvest["id"],
        )  # fmt: skip
        (create,) = await eventually(lambda: site.settled(batch["id"]), what="the harvest package")
        assert (create.kind, create.state) == (
            SubmissionKind.CREATE_HARVEST_PACKAGE, SubmissionState.ACCEPTED,
        )  # fmt: skip
        package = await site.package(tag)
        assert package is not None
        assert (package.quantity, package.item_name, package.source_harvest_names) == (
            weight, BULK_ITEM, "E2E-CHAIN-H",
        )  # fmt: skip
        in_metrc = await site.metrc.find_harvest(LICENSE, "E2E-CHAIN-H")
        here = (await _json(gateway.get(f"/harvests/{harvest['id']}")))["harvest"]
        assert in_metrc is not None
        assert (
            in_metrc.total_wet_weight, in_metrc.total_packaged_weight, in_metrc.current_weight,
        ) == (
            Decimal(here["wetWeight"]), Decimal(here["packagedWeight"]),
            Decimal(here["currentWeight"]),
        ) == (Decimal(800), weight, Decimal(800) - weight)  # fmt: skip

        # The package shipped to the second facility, which accepts all of it in Metrc.
        await site.make_live(batch["id"])
        store, dock = await _receiving_site(gateway, platform)
        price = Decimal("1000.00")
        shipped, sent = await _shipped_and_accepted(
            site,
            batch["id"],
            tag,
            price=str(price),
            received=str(weight),
            plate="CAN-2",
            day="2030-01-03",
        )
        assert Decimal(shipped["lines"][0]["receivedQuantity"]) == weight

        # The second facility pulls the delivery and receives the package as a batch.
        await _json(gateway.post(
            "/compliance/sync", json={"siteId": store["id"], "syncTypes": ["transfers"]}
        ))  # fmt: skip

        async def arrived() -> dict[str, Any] | None:
            page = await _json(gateway.get("/incoming-transfers", params={"siteId": store["id"]}))
            mine = [t for t in page["items"] if t["manifestNumber"] == sent["manifest_number"]]
            return mine[0] if mine and mine[0]["packages"][0]["metrcState"] == "Accepted" else None

        incoming = await eventually(arrived, what="the incoming transfer in inventory")
        (offered,) = incoming["packages"]
        assert (offered["packageTag"], offered["itemName"], offered["unit"]) == (
            tag, BULK_ITEM, "Grams",
        )  # fmt: skip
        assert Decimal(offered["shippedQuantity"]) == weight
        assert Decimal(offered["metrcReceivedQuantity"]) == weight
        assert Decimal(offered["wholesalePrice"]) == price
        received = await _json(gateway.post(
            f"/incoming-transfers/{incoming['id']}/receive", json={"locationId": dock}
        ))  # fmt: skip
        (made,) = received["batches"]
        assert (made["siteId"], made["packageTag"], made["vendorName"]) == (
            store["id"], tag, "Canopy Grower",
        )  # fmt: skip
        assert Decimal(made["onHandQty"]) == weight
        # It cost the shipper's price exactly; per gram to four places.
        assert (Decimal(made["cogsTotal"]), made["unitCogs"]) == (price, "3.3292")

        link = await eventually(
            lambda: _linked(gateway, made["id"]), what="the link to the arrived package"
        )
        assert platform.compliance is not None
        async with receiver_metrc(platform.compliance.metrc_url) as b:
            at_b = await b.find_package(RECEIVER, tag)
            assert at_b is not None
            assert [p.label for p in await b.list_packages(RECEIVER)].count(tag) == 1
        # One package end to end: the harvest's, now B's, with the whole weight and its origin.
        assert (link["metrcPackageId"], at_b.id) == (package.id, package.id)
        assert (at_b.quantity, at_b.source_harvest_names) == (weight, "E2E-CHAIN-H")
        assert tag not in [p.label for p in await site.metrc.list_packages(LICENSE)]


async def _linked(gateway: httpx.AsyncClient, batch_id: str) -> dict[str, Any] | None:
    """The batch's Metrc link once LINKED (404 until compliance has consumed its event)."""
    answer = await gateway.get(f"/batches/{batch_id}/metrc-link")
    link: dict[str, Any] = answer.json()
    return link if answer.status_code == 200 and link["state"] == "LINKED" else None


async def _receiving_site(
    gateway: httpx.AsyncClient, platform: RunningPlatform
) -> tuple[dict[str, Any], str]:
    """The second facility's site and its dock: made here unless an earlier test of the module
    made it (a license is one site's)."""
    sites = await _json(gateway.get("/sites"))
    store = next((s for s in sites if s["licenseNumber"] == RECEIVER), None)
    if store is None:
        store = await _json(gateway.post(
            "/sites", json={"name": "Boulder store", "licenseNumber": RECEIVER, "state": "CO"}
        ))  # fmt: skip
    locations = await _json(gateway.get(f"/sites/{store['id']}/locations"))
    dock = next((loc["id"] for loc in locations if loc["zone"] == "Dock"), None)
    if dock is None:
        dock = (await _json(
            gateway.post(f"/sites/{store['id']}/locations", json={"zone": "Dock"})
        ))["id"]  # fmt: skip
    keys = {"state": "CO", "vendorKey": VENDOR_KEY, "userKey": RECEIVER_USER_KEY}
    await _json(gateway.put(f"/compliance/credentials/{RECEIVER}", json=keys))
    assert platform.compliance is not None
    rules = {"state": "CO", "program": "CANNABIS", "requireMetrcId": True,
             "metrcBaseUrl": platform.compliance.metrc_url, "licenseNumber": RECEIVER,
             "timeZone": "America/Denver", "reasonMap": dict(REASONS)}  # fmt: skip
    await _json(gateway.put(f"/compliance/rules/{store['id']}", json=rules))
    await _json(gateway.post(f"/compliance/credentials/{RECEIVER}/validate"))
    return store, dock


async def _shipped_and_accepted(
    site: MetrcSite, batch_id: str, tag: str, *, price: str, received: str, plate: str, day: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One batch's package shipped to the receiver through the gateway, the manifest sent and
    the package accepted in Metrc (the receiver's UI: the sandbox's calls): the shipper's
    transfer once it shows ACCEPTED, and Metrc's answer to the send (its manifest number)."""
    gateway = site.gateway
    planned = await _json(gateway.post("/outgoing-transfers", json={
        "siteId": site.site_id, "destinationLicenseNumber": RECEIVER,
        "destinationName": "Canopy Store", "transferType": "Wholesale",
        "plannedRoute": "US-36", "transporterLicenseNumber": LICENSE, "driverName": "Sam",
        "driverOccupationalLicenseNumber": "OL-1", "driverLicenseNumber": "DL-1",
        "vehicleMake": "Ford", "vehicleModel": "Transit", "vehicleLicensePlate": plate,
        "estimatedDeparture": f"{day}T15:00:00Z", "estimatedArrival": f"{day}T17:00:00Z",
        "lines": [{"batchId": batch_id, "wholesalePrice": price}],
    }))  # fmt: skip
    transfer_id = planned["transfer"]["id"]

    async def synced() -> dict[str, Any] | None:
        answer = await gateway.get(f"/compliance/transfers/{transfer_id}")
        return answer.json() if answer.status_code == 200 and answer.json()["synced"] else None

    manifest = await eventually(synced, what="the Metrc template")
    await _json(gateway.post(f"/outgoing-transfers/{transfer_id}/send", json={}))
    sent = await _json(site.sandbox.post(f"/_sandbox/transfers/{manifest['metrcTemplateId']}/send"))
    (delivery,) = sent["delivery_ids"]
    await _json(site.sandbox.post(
        f"/_sandbox/transfers/deliveries/{delivery}/receive",
        json={"packages": [{"label": tag, "accepted": True, "received_quantity": received}]},
    ))  # fmt: skip

    async def accepted() -> dict[str, Any] | None:
        shipped = await _json(gateway.get(f"/outgoing-transfers/{transfer_id}"))
        return shipped if shipped["status"] == "ACCEPTED" else None

    return await eventually(accepted, what="the shipper's transfer accepted"), sent


async def _json(request: Awaitable[httpx.Response]) -> Any:
    response = await request
    assert response.status_code < 300, response.text
    return response.json()


def _settled(site: MetrcSite, batch_id: str) -> Callable[[], Awaitable[list[Submission] | None]]:
    return lambda: site.settled(batch_id)
