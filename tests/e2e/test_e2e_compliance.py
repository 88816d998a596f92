"""Inventory changes reach Metrc through the whole platform: an intake through the gateway, the
inventory service and its outbox, Kafka, compliance's consumer and push worker, to the Metrc
sandbox over HTTP (every process a real one, started by its command line)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from compliance.domain import LinkState, Submission, SubmissionKind, SubmissionState
from compliance.sandbox_world import ITEM, LICENSE, MetrcSite, eventually
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


def _settled(site: MetrcSite, batch_id: str) -> Callable[[], Awaitable[list[Submission] | None]]:
    return lambda: site.settled(batch_id)
