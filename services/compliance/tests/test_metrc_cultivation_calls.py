"""The cultivation calls of ``CultivationPort`` and their read-back helpers: plant batches from
a package, split, adjusted, moved; plants moved, destroyed, manicured; writes of any size sent 10
objects at a time. Metrc's rules run on both backends (``FakeMetrc`` and the sandbox over real
HTTP through ``MetrcClient``); request counts, faults and a manifest partially accepted at the
second facility run against the sandbox only.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcClient,
    MetrcControl,
    MetrcCredentials,
    MetrcPort,
    MetrcRejectedError,
    MetrcUnknownOutcomeError,
    PlantBatchAdjust,
    PlantBatchFromPackage,
    PlantBatchGrowthPhaseChange,
    PlantBatchLocationChange,
    PlantBatchSplit,
    PlantDestroy,
    PlantGrowthPhaseChange,
    PlantLocationChange,
    PlantManicure,
    RetryPolicy,
    TransferTemplateCreate,
)
from compliance.adapters.metrc.testing import (
    GROWER,
    STORE,
    MetrcWorld,
    SandboxProcess,
    WorldItem,
    WorldPackage,
    contract_world,
)
from compliance.adapters.metrc.testing.bodies import (
    planting,
    transfer_destination,
    transfer_template,
)
from pydantic import SecretStr

SEEDS = "Blue Dream Seeds"
FLOWER = "Blue Dream Flower"
# Metrc's documented limits, as the conftest's ``sandbox`` fixture sets them (conftest is not
# importable under --import-mode=importlib).
SANDBOX_LIMITS = {"latency_ms": 0, "jitter_ms": 0, "max_page_size": 20, "max_write_objects": 10,
                  "rate_limits_enabled": True, "retry_after_seconds": 1}  # fmt: skip


def world() -> MetrcWorld:
    base = contract_world()
    return dataclasses.replace(
        base,
        items=(*base.items, WorldItem(GROWER, SEEDS, "Seeds", "Each", "Blue Dream")),
        packages=(*base.packages, WorldPackage(GROWER, SEEDS, Decimal("50"), "Each", "Vault")),
    )


@contextlib.asynccontextmanager
async def sandbox_client(sandbox: SandboxProcess) -> AsyncIterator[MetrcClient]:
    loaded = world()
    await sandbox.load(loaded)
    async with MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(loaded.vendor_key), user_key=SecretStr(loaded.user_key)
        ),
        retry=RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=0.2),
        timeout=httpx.Timeout(5.0, connect=2.0),
    ) as client:
        yield client


@pytest.fixture(params=["fake", "sandbox"])
async def metrc(request: pytest.FixtureRequest) -> AsyncIterator[MetrcPort]:
    """Either backend, loaded with ``world()`` (the sandbox with no faults, Metrc's limits)."""
    if request.param == "fake":
        yield FakeMetrc.from_world(world())
        return
    sandbox: SandboxProcess = request.getfixturevalue("sandbox_process")
    await sandbox.clear_faults()
    await sandbox.configure(**SANDBOX_LIMITS)
    async with sandbox_client(sandbox) as client:
        yield client


@pytest.fixture
async def client(sandbox: SandboxProcess) -> AsyncIterator[MetrcClient]:
    """The client over real HTTP to the sandbox, loaded with ``world()``."""
    async with sandbox_client(sandbox) as client:
        yield client


def today() -> date:
    return world().today(GROWER)


async def seeds_label(metrc: MetrcPort) -> str:
    return next(p.label for p in await metrc.list_packages(GROWER) if p.item_name == SEEDS)


async def planted(metrc: MetrcPort, name: str = "B1", count: int = 30) -> None:
    row = planting(name, today(), count, type="Seed")
    await metrc.create_plant_batch_plantings(GROWER, [row])


async def flowering_plants(metrc: MetrcPort, count: int) -> list[str]:
    await planted(metrc, count=count)
    start = (await metrc.list_available_tags(GROWER, "plant"))[0].label
    grow = PlantBatchGrowthPhaseChange(
        name="B1",
        count=count,
        starting_tag=start,
        growth_phase="Vegetative",
        new_location="Grow Room",
        growth_date=today(),
    )
    await metrc.change_plant_batch_growth_phase(GROWER, [grow])
    plants = await metrc.list_plants(GROWER, "vegetative")
    flower = [
        PlantGrowthPhaseChange(
            label=p.label, growth_phase="Flowering", new_location="Grow Room", growth_date=today()
        )
        for p in plants
    ]
    await metrc.change_plant_growth_phases(GROWER, flower)
    return [p.label for p in plants]


def adjustment(quantity: int, reason: str = "Drying") -> PlantBatchAdjust:
    return PlantBatchAdjust(
        plant_batch_name="B1",
        quantity=quantity,
        adjustment_reason=reason,
        adjustment_date=today(),
        reason_note="[canopy:test]",
    )


async def counters(sandbox: SandboxProcess, key: str) -> dict[str, object]:
    found: dict[str, object] = (await sandbox.state())["requests"][key]
    return found


class TestPlantBatches:
    async def test_a_batch_planted_from_a_package_takes_the_exact_amount(
        self, metrc: MetrcPort
    ) -> None:
        label = await seeds_label(metrc)
        row = PlantBatchFromPackage(
            package_label=label,
            package_adjustment_amount=Decimal("12"),
            package_adjustment_unit_of_measure_name="Each",
            plant_batch_name="From seeds",
            plant_batch_type="Seed",
            plant_count=12,
            location_name="Grow Room",
            strain_name="Blue Dream",
            planted_date=today(),
            unpackaged_date=today(),
        )
        result = await metrc.create_plant_batches_from_packages(GROWER, [row])
        batch = await metrc.find_plant_batch(GROWER, "from SEEDS")
        assert batch is not None
        assert result.ids == [batch.id]
        assert (batch.untracked_count, batch.source_package_label) == (12, label)
        assert (await metrc.get_package(GROWER, label)).quantity == Decimal("38")

    async def test_split_adjust_and_move(self, metrc: MetrcPort) -> None:
        await planted(metrc)
        split = PlantBatchSplit(
            plant_batch="B1",
            group_name="B1-clones",
            count=5,
            location="Grow Room",
            strain="Blue Dream",
            actual_date=today(),
        )
        [new_id] = (await metrc.split_plant_batches(GROWER, [split])).ids
        await metrc.adjust_plant_batches(GROWER, [adjustment(-2)])
        moved = await metrc.change_plant_batch_locations(
            GROWER, [PlantBatchLocationChange(name="B1", location="Vault", move_date=today())]
        )
        assert moved.ids == []
        b1 = await metrc.find_plant_batch(GROWER, "B1")
        clones = await metrc.find_plant_batch(GROWER, "B1-clones")
        assert b1 is not None
        assert clones is not None
        assert (b1.untracked_count, b1.location_name) == (23, "Vault")
        assert (clones.id, clones.untracked_count) == (new_id, 5)

    async def test_a_rejected_adjustment_carries_metrcs_row_message(self, metrc: MetrcPort) -> None:
        await planted(metrc, count=3)
        with pytest.raises(MetrcRejectedError) as caught:
            await metrc.adjust_plant_batches(GROWER, [adjustment(-4)])
        assert caught.value.rows == [
            (0, "Plant Batch B1 has 3 untracked plants and cannot be adjusted by -4.")
        ]
        assert caught.value.applied_before == 0

    async def test_waste_reasons_and_methods(self, metrc: MetrcPort) -> None:
        reasons = await metrc.list_plant_waste_reasons(GROWER)
        assert "Male Plants" in {r.name for r in reasons}
        assert {r.name for r in await metrc.list_plant_batch_waste_reasons(GROWER)} == {
            r.name for r in reasons
        }
        assert {m.name for m in await metrc.list_plant_waste_methods()} == {"Grinder", "Compost"}


class TestBatching:
    async def test_any_number_of_objects_goes_out_ten_at_a_time_in_order(
        self, client: MetrcClient, sandbox: SandboxProcess
    ) -> None:
        await planted(client)
        result = await client.adjust_plant_batches(GROWER, [adjustment(-1) for _ in range(23)])
        batch = await client.find_plant_batch(GROWER, "B1")
        assert batch is not None
        assert result.ids == [batch.id] * 23
        assert batch.untracked_count == 7
        stats = await counters(sandbox, "POST /plantbatches/v2/adjust")
        assert stats["statuses"] == {"200": 3}

    async def test_a_request_that_fails_says_how_many_objects_earlier_requests_applied(
        self, metrc: MetrcPort
    ) -> None:
        await planted(metrc)
        rows = [adjustment(-1) for _ in range(15)]
        rows[12] = adjustment(-1, reason="Moonlight")
        with pytest.raises(MetrcRejectedError) as caught:
            await metrc.adjust_plant_batches(GROWER, rows)
        assert caught.value.applied_before == 10
        assert len(caught.value.applied_ids) == 10
        assert [row for row, _ in caught.value.rows] == [2]  # row 12 of the call, 2 of request 2
        batch = await metrc.find_plant_batch(GROWER, "B1")
        assert batch is not None
        assert batch.untracked_count == 20  # the first ten applied, none of the second request


class TestPlants:
    async def test_move_manicure_and_destroy(self, metrc: MetrcPort) -> None:
        labels = await flowering_plants(metrc, 3)
        await metrc.change_plant_locations(
            GROWER,
            [
                PlantLocationChange(label=label, location="Vault", actual_date=today())
                for label in labels
            ],
        )
        assert {p.location_name for p in await metrc.list_plants(GROWER, "flowering")} == {"Vault"}
        cut = [
            PlantManicure(
                plant=label,
                weight=Decimal("10.25"),
                unit_of_weight="Grams",
                drying_location="Dry Room",
                harvest_name="Trim 1",
                actual_date=today(),
            )
            for label in labels
        ]
        result = await metrc.manicure_plants(GROWER, cut)
        harvest = await metrc.find_harvest(GROWER, "trim 1")
        assert harvest is not None
        assert result.ids == [harvest.id] * 3
        assert harvest.current_weight == Decimal("30.75")
        destroy = PlantDestroy(
            label=labels[0],
            waste_method_name="Compost",
            waste_reason_name="Male Plants",
            waste_weight=Decimal("150"),
            waste_unit_of_measure_name="Grams",
            actual_date=today(),
        )
        await metrc.destroy_plants(GROWER, [destroy])
        found = await metrc.find_plants(GROWER, [*labels, "1A4FF0000000000000000000"])
        assert set(found) == set(labels)
        assert found[labels[0]].state == "Destroyed"
        assert {found[label].state for label in labels[1:]} == {"Tracked"}


class TestFaults:
    async def test_a_lost_split_is_found_by_reading_back_and_never_resent(
        self, client: MetrcClient, sandbox: SandboxProcess
    ) -> None:
        await planted(client)
        await sandbox.add_faults(
            {"method": "POST", "path": "/plantbatches/v2/split", "kind": "lost_response"}
        )
        split = PlantBatchSplit(
            plant_batch="B1",
            group_name="B1-b",
            count=4,
            location="Grow Room",
            strain="Blue Dream",
            actual_date=today(),
        )
        with pytest.raises(MetrcUnknownOutcomeError):
            await client.split_plant_batches(GROWER, [split])
        assert await client.find_plant_batch(GROWER, "B1-b") is not None
        stats = await counters(sandbox, "POST /plantbatches/v2/split")
        assert (stats["requests"], stats["applied"]) == (1, 1)

    async def test_429_and_5xx_on_a_write_are_retried_and_applied_once(
        self, client: MetrcClient, sandbox: SandboxProcess
    ) -> None:
        await planted(client)
        await sandbox.configure(retry_after_seconds=0)
        await sandbox.add_faults(
            {"method": "POST", "path": "/plantbatches/v2/adjust", "kind": "rate_limit"},
            {"method": "POST", "path": "/plantbatches/v2/adjust", "kind": "status", "status": 503},
        )
        await client.adjust_plant_batches(GROWER, [adjustment(-1)])
        stats = await counters(sandbox, "POST /plantbatches/v2/adjust")
        assert stats["statuses"] == {"429": 1, "503": 1, "200": 1}
        batch = await client.find_plant_batch(GROWER, "B1")
        assert batch is not None
        assert batch.untracked_count == 29


def manifest(name: str, *labels: str) -> TransferTemplateCreate:
    departure = datetime.now(UTC) + timedelta(days=1)
    destination = transfer_destination(
        STORE,
        *labels,
        price="99.95",
        transfer_type_name="Wholesale",
        estimated_departure_date_time=departure,
        estimated_arrival_date_time=departure + timedelta(hours=2),
    )
    return transfer_template(name, destination)


class TestTransfers:
    async def test_a_manifest_partially_accepted_at_the_second_facility(
        self, metrc: MetrcPort, request: pytest.FixtureRequest
    ) -> None:
        control: MetrcControl = (
            metrc if isinstance(metrc, FakeMetrc) else request.getfixturevalue("sandbox_process")
        )
        packages = await metrc.list_packages(GROWER)
        flower = next(p for p in packages if p.item_name == FLOWER)
        seeds = next(p for p in packages if p.item_name == SEEDS)
        await metrc.create_outgoing_transfer_templates(
            GROWER, [manifest("canopy:t-1", flower.label, seeds.label)]
        )
        [template] = await metrc.find_transfer_templates(GROWER, "canopy:t-1")
        sent = await control.send_transfer_template(template.id)
        assert {p.label for p in await metrc.list_packages(GROWER, "intransit")} == {
            flower.label,
            seeds.label,
        }
        [row] = await metrc.find_outgoing_transfer(GROWER, sent.manifest_number)
        assert row.delivery_id == sent.delivery_ids[0]
        html = await metrc.get_manifest_html(GROWER, sent.transfer_id)
        assert flower.label in html
        assert sent.manifest_number in html
        pdf = await metrc.get_manifest_pdf(STORE, sent.transfer_id)
        assert pdf.content.startswith(b"%PDF")
        [driver] = await metrc.list_delivery_transporter_details(row.delivery_id or 0)
        assert driver.vehicle_license_plate_number == "CANOPY1"
        [carrier] = await metrc.list_delivery_transporters(row.delivery_id or 0)
        assert carrier.transporter_facility_license_number == GROWER

        await control.receive_delivery_packages(
            sent.delivery_ids[0], {flower.label: Decimal("99.5"), seeds.label: None}
        )
        [incoming] = await metrc.list_transfers(STORE, "incoming")
        assert incoming.manifest_number == sent.manifest_number
        assert (await metrc.get_package(STORE, flower.label)).quantity == Decimal("99.5")
        assert (await metrc.get_package(GROWER, seeds.label)).quantity == Decimal("50")
        shipped = await metrc.list_transferred_packages(GROWER)
        assert [(p.package_label, p.received_quantity) for p in shipped] == [
            (flower.label, Decimal("99.5"))
        ]
        assert shipped[0].shipped_quantity == flower.quantity
        [rejected] = await metrc.list_rejected_transfers(GROWER)
        assert rejected.manifest_number == sent.manifest_number
        prices = await metrc.list_delivery_wholesale_prices(sent.delivery_ids[0])
        assert {p.package_label: p.shipper_wholesale_price for p in prices} == {
            flower.label: Decimal("99.95"),
            seeds.label: Decimal("99.95"),
        }
        received = await metrc.list_transfer_delivery_packages(sent.delivery_ids[0])
        assert {p.package_label: p.received_quantity for p in received} == {
            flower.label: Decimal("99.5"),
            seeds.label: None,
        }
