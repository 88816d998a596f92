"""The client against the Metrc sandbox over real HTTP.

The sandbox runs as a separate process (session-wide) and is reset with a seed before each test.
It was written independently from METRC.md, so agreement here means both read the facts alike.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestUnfinish,
    HarvestWaste,
    MetrcAuthError,
    MetrcClient,
    MetrcCredentials,
    MetrcNotFoundError,
    MetrcRateLimitedError,
    MetrcRateLimiter,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageIngredient,
    PackageLocationChange,
    PackageUnfinish,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
    RateLimits,
    RetryPolicy,
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
    TransferTemplateUpdate,
    TransferTransporter,
)
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from pydantic import SecretStr

LICENSE = "SF-SBX-CO-21-8002"
ITEM = "Blue Dream Flower"
DEFAULT_CONFIG = {
    "latency_ms": 0,
    "jitter_ms": 0,
    "get_rate_per_facility": 50,
    "get_rate_per_vendor": 150,
    "concurrency_per_facility": 10,
    "concurrency_per_vendor": 30,
    "max_page_size": 20,
    "max_write_objects": 10,
    "last_modified_max_hours": 24,
    "retry_after_seconds": 1,
    "rate_limits_enabled": True,
}
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.5)
# How long Metrc may still be working on a request after the client gave up on it. Reading back
# earlier can miss a write that lands a moment later, and then a resend applies it twice: an
# adjustment has no natural key to refuse the second one. It must exceed the longest time the state
# may take to apply an abandoned write (here the slowest injected fault, 800 ms, less the 400 ms
# client timeout; the compliance service waits minutes, not a second).
SETTLE = 1.0


def seed() -> dict[str, Any]:
    document = default_seed(LICENSE)
    document["locations"].append(
        {"license_number": LICENSE, "name": "Back Room", "location_type": "Default"}
    )
    return document


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    with SandboxProcess() as process:
        yield process


@pytest.fixture
async def sandbox(sandbox_process: SandboxProcess) -> SandboxProcess:
    await sandbox_process.clear_faults()
    await sandbox_process.configure(**DEFAULT_CONFIG)
    await sandbox_process.reset(seed())
    return sandbox_process


def client_for(
    sandbox: SandboxProcess,
    *,
    vendor_key: str = "vendor-key",
    user_key: str = "user-key",
    **kwargs: Any,
) -> MetrcClient:
    options: dict[str, Any] = {"retry": FAST_RETRY, "timeout": httpx.Timeout(5.0, connect=2.0)}
    options.update(kwargs)
    return MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(vendor_key), user_key=SecretStr(user_key)
        ),
        **options,
    )


@pytest.fixture
async def metrc(sandbox: SandboxProcess) -> AsyncIterator[MetrcClient]:
    async with client_for(sandbox) as client:
        yield client


async def today(metrc: MetrcClient) -> date:
    # Metrc's "today" is the sandbox's; the test machine's clock may be set anywhere.
    return (await metrc.list_packages(LICENSE))[0].packaged_date or datetime.now(UTC).date()


def start_of(day: date) -> datetime:
    """Where to read adjustment history from: Metrc files an adjustment under the facility-local
    date it was sent with, which is the UTC date before between UTC midnight and the facility's."""
    return datetime.combine(day, time.min, tzinfo=UTC)


async def tags(metrc: MetrcClient, count: int, kind: str = "package") -> list[str]:
    available = await metrc.list_available_tags(LICENSE, kind)  # type: ignore[arg-type]
    return [t.label for t in available[:count]]


def opening(tag: str, day: date, quantity: str = "10") -> PackageCreate:
    return PackageCreate(
        tag=tag,
        item=ITEM,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        actual_date=day,
        location="Vault",
    )


def adjustment(label: str, day: date, quantity: str, note: str) -> PackageAdjust:
    return PackageAdjust(
        label=label,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=day,
        reason_note=note,
    )


# --- every call ----------------------------------------------------------------------------------


async def test_lookups_return_what_the_seed_holds(metrc: MetrcClient) -> None:
    facilities = await metrc.list_facilities()
    assert [f.license_number for f in facilities] == [LICENSE]
    assert facilities[0].facility_type.can_create_opening_balance_packages

    assert {loc.name for loc in await metrc.list_locations(LICENSE)} == {"Vault", "Back Room"}
    assert [i.name for i in await metrc.list_items(LICENSE)] == [ITEM]
    assert "Buds" in {c.name for c in await metrc.list_item_categories(LICENSE)}
    assert [s.name for s in await metrc.list_strains(LICENSE)] == ["Blue Dream"]
    assert "Grams" in {u.name for u in await metrc.list_units_of_measure()}
    package_tags = await metrc.list_available_tags(LICENSE)
    plant_tags = await metrc.list_available_tags(LICENSE, "plant")
    assert len(package_tags) == 199  # one was used by the seeded package
    assert len(plant_tags) == 200
    assert all(len(t.label) == 24 for t in package_tags + plant_tags)
    assert "Drying" in {r.name for r in await metrc.list_package_adjust_reasons(LICENSE)}


async def test_package_lifecycle(metrc: MetrcClient, sandbox: SandboxProcess) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    first, second = await tags(metrc, 2)

    created = await metrc.create_packages(LICENSE, [opening(first, day, "12.5")])
    assert len(created.ids) == 1
    child = PackageCreate(
        tag=second,
        item=ITEM,
        quantity=Decimal("30.25"),
        unit_of_measure="Grams",
        actual_date=day,
        ingredients=[
            PackageIngredient(
                package=seeded.label, quantity=Decimal("30.25"), unit_of_measure="Grams"
            )
        ],
    )
    await metrc.create_packages(LICENSE, [child])

    by_id = await metrc.get_package(LICENSE, created.ids[0])
    assert by_id.label == first
    assert by_id.quantity == Decimal("12.5")
    assert (await metrc.get_package(LICENSE, seeded.label)).quantity == Decimal("69.75")
    assert (await metrc.get_package(LICENSE, second)).quantity == Decimal("30.25")

    await metrc.adjust_packages(LICENSE, [adjustment(first, day, "-2.5", "canopy:adj-1")])
    assert (await metrc.get_package(LICENSE, first)).quantity == Decimal("10.0")
    history = await metrc.list_package_adjustments(LICENSE)
    assert [(a.package_label, a.adjustment_quantity, a.adjustment_note) for a in history] == [
        (first, Decimal("-2.5"), "canopy:adj-1")
    ]

    await metrc.change_package_locations(
        LICENSE, [PackageLocationChange(label=first, location="Back Room", move_date=day)]
    )
    assert (await metrc.get_package(LICENSE, first)).location_name == "Back Room"

    await metrc.adjust_packages(LICENSE, [adjustment(first, day, "-10", "canopy:adj-2")])
    await metrc.finish_packages(LICENSE, [PackageFinish(label=first, actual_date=day)])
    assert first in {p.label for p in await metrc.list_packages(LICENSE, "inactive")}
    assert first not in {p.label for p in await metrc.list_packages(LICENSE, "active")}

    await metrc.unfinish_packages(LICENSE, [PackageUnfinish(label=first)])
    assert first in {p.label for p in await metrc.list_packages(LICENSE, "active")}

    await metrc.discontinue_package(LICENSE, by_id.id)
    assert first in {p.label for p in await metrc.list_packages(LICENSE, "inactive")}
    assert await metrc.list_packages(LICENSE, "onhold") == []
    assert await metrc.list_packages(LICENSE, "intransit") == []

    state = await sandbox.state()
    assert [p["Label"] for p in state["packages"]].count(first) == 1


async def test_cultivation_lifecycle(metrc: MetrcClient, sandbox: SandboxProcess) -> None:
    day = await today(metrc)
    plant_tags = await tags(metrc, 3, "plant")
    [package_tag] = await tags(metrc, 1)

    await metrc.create_plant_batch_plantings(
        LICENSE,
        [
            PlantBatchPlanting(
                name="BD-1",
                type="Clone",
                count=10,
                strain="Blue Dream",
                location="Vault",
                actual_date=day,
            )
        ],
    )
    batch = await metrc.find_plant_batch(LICENSE, "bd-1")
    assert batch is not None
    assert batch.untracked_count == 10
    assert [b.name for b in await metrc.list_plant_batches(LICENSE)] == ["BD-1"]

    moved = await metrc.change_plant_batch_growth_phase(
        LICENSE,
        [
            PlantBatchGrowthPhaseChange(
                name="BD-1",
                count=3,
                starting_tag=plant_tags[0],
                growth_phase="Vegetative",
                new_location="Vault",
                growth_date=day,
            )
        ],
    )
    assert len(moved.ids) == 3
    assert {p.label for p in await metrc.list_plants(LICENSE, "vegetative")} == set(plant_tags)
    assert (await metrc.get_plant(LICENSE, plant_tags[0])).growth_phase == "Vegetative"

    await metrc.change_plant_growth_phases(
        LICENSE,
        [
            PlantGrowthPhaseChange(
                label=plant_tags[0], growth_phase="Flowering", new_location="Vault", growth_date=day
            )
        ],
    )
    assert [p.label for p in await metrc.list_plants(LICENSE, "flowering")] == [plant_tags[0]]

    await metrc.harvest_plants(
        LICENSE,
        [
            PlantHarvest(
                plant=plant_tags[0],
                weight=Decimal("500.5"),
                unit_of_weight="Grams",
                drying_location="Vault",
                harvest_name="H-1",
                actual_date=day,
            )
        ],
    )
    [harvest] = await metrc.list_harvests(LICENSE)
    assert harvest.current_weight == Decimal("500.5")
    assert plant_tags[0] in {p.label for p in await metrc.list_plants(LICENSE, "inactive")}

    await metrc.record_harvest_waste(
        LICENSE,
        [
            HarvestWaste(
                id=harvest.id,
                waste_type="Plant Material",
                unit_of_weight="Grams",
                waste_weight=Decimal("0.5"),
                actual_date=day,
            )
        ],
    )
    await metrc.create_harvest_packages(
        LICENSE,
        [
            HarvestPackageCreate(
                tag=package_tag,
                item=ITEM,
                unit_of_weight="Grams",
                actual_date=day,
                location="Vault",
                ingredients=[
                    HarvestPackageIngredient(
                        harvest_id=harvest.id,
                        harvest_name="H-1",
                        weight=Decimal("500"),
                        unit_of_weight="Grams",
                    )
                ],
            )
        ],
    )
    assert (await metrc.get_package(LICENSE, package_tag)).quantity == Decimal("500")
    [emptied] = await metrc.list_harvests(LICENSE)
    assert emptied.current_weight == 0

    await metrc.finish_harvests(LICENSE, [HarvestFinish(id=harvest.id, actual_date=day)])
    assert [h.name for h in await metrc.list_harvests(LICENSE, "inactive")] == ["H-1"]
    await metrc.unfinish_harvests(LICENSE, [HarvestUnfinish(id=harvest.id)])
    assert [h.name for h in await metrc.list_harvests(LICENSE)] == ["H-1"]

    await metrc.destroy_plant_batches(
        LICENSE,
        [
            PlantBatchDestroy(
                plant_batch="BD-1",
                count=7,
                waste_method_name="Grinder",
                waste_material_mixed="Soil",
                waste_reason_name="Contamination",
                reason_note="mould",
                waste_weight=Decimal("1"),
                waste_unit_of_measure="Grams",
                actual_date=day,
            )
        ],
    )
    assert [b.name for b in await metrc.list_plant_batches(LICENSE, "inactive")] == ["BD-1"]
    assert (await sandbox.state())["harvest_waste"]


async def test_outgoing_transfer_templates(metrc: MetrcClient, sandbox: SandboxProcess) -> None:
    recipient = "SF-SBX-CO-22-8002"
    document = seed()
    document["facilities"].append(
        {**document["facilities"][0], "license_number": recipient, "name": "Lab"}
    )
    await sandbox.reset(document)
    [package] = await metrc.list_packages(LICENSE)
    departure = datetime.now(UTC) + timedelta(days=1)
    driver = {
        "driver_name": "Sam",
        "driver_occupational_license_number": "D-1",
        "driver_license_number": "DL-1",
        "vehicle_make": "Ford",
        "vehicle_model": "Transit",
        "vehicle_license_plate_number": "CANOPY1",
    }
    destination = TransferDestination(
        recipient_license_number=recipient,
        transfer_type_name="Transfer",
        planned_route="I-25 north",
        estimated_departure_date_time=departure,
        estimated_arrival_date_time=departure + timedelta(hours=2),
        transporters=[TransferTransporter(transporter_facility_license_number=LICENSE, **driver)],
        packages=[
            TransferTemplatePackage(package_label=package.label, wholesale_price=Decimal("100.00"))
        ],
    )
    template = TransferTemplateCreate(
        name="To the lab",
        destinations=[destination],
        transporter_facility_license_number=LICENSE,
        **driver,
    )

    assert {t.name for t in await metrc.list_transfer_types(LICENSE)} >= {"Transfer"}
    created = await metrc.create_outgoing_transfer_templates(LICENSE, [template])
    [listed] = await metrc.list_outgoing_transfer_templates(LICENSE)
    assert listed.id == created.ids[0]
    [delivery] = await metrc.list_transfer_template_deliveries(listed.id)
    assert delivery.recipient_facility_license_number == recipient
    [shipped] = await metrc.list_transfer_template_delivery_packages(delivery.id)
    assert shipped.package_label == package.label

    renamed = TransferTemplateUpdate(
        **template.model_dump(exclude={"destinations"}),
        destinations=[destination.model_copy(update={"transfer_destination_id": delivery.id})],
        transfer_template_id=listed.id,
    ).model_copy(update={"name": "To the lab, v2"})
    await metrc.update_outgoing_transfer_templates(LICENSE, [renamed])
    assert [t.name for t in await metrc.list_outgoing_transfer_templates(LICENSE)] == [
        "To the lab, v2"
    ]

    await metrc.delete_outgoing_transfer_template(LICENSE, listed.id)
    assert await metrc.list_outgoing_transfer_templates(LICENSE) == []

    # Manifests are registered in the Metrc UI, never through the API: nothing to read here.
    assert await metrc.list_transfers(LICENSE, "outgoing") == []
    assert await metrc.list_transfers(LICENSE, "incoming") == []
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_deliveries(1)
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_delivery_packages(1)


async def test_read_back_helpers(metrc: MetrcClient) -> None:
    day = await today(metrc)
    [tag] = await tags(metrc, 1)
    started = start_of(day)

    assert await metrc.find_package(LICENSE, tag) is None
    await metrc.create_packages(LICENSE, [opening(tag, day)])
    found = await metrc.find_package(LICENSE, tag)
    assert found is not None

    await metrc.adjust_packages(LICENSE, [adjustment(tag, day, "-1", "canopy:rb")])
    assert [
        a.adjustment_note for a in await metrc.package_adjustments_since(LICENSE, tag, started)
    ] == ["canopy:rb"]
    recent = await metrc.recent_packages(LICENSE, within=timedelta(hours=1))
    assert tag in {p.label for p in recent}


async def test_a_backfill_longer_than_24_hours_is_read_in_accepted_windows(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    until = datetime.now(UTC) + timedelta(minutes=5)
    packages = await metrc.list_packages(LICENSE, since=until - timedelta(hours=50), until=until)

    assert len(packages) == 1
    counters = (await sandbox.state())["requests"]["GET /packages/v2/active"]
    assert counters["statuses"] == {"200": 3}


# --- failures ------------------------------------------------------------------------------------


async def test_unknown_keys_are_an_auth_error(sandbox: SandboxProcess) -> None:
    async with client_for(sandbox, user_key="not-a-key") as client:
        with pytest.raises(MetrcAuthError) as caught:
            await client.list_facilities()
    assert caught.value.status_code == 401
    assert "not-a-key" not in str(caught.value)


async def test_a_facility_the_user_cannot_access_is_an_auth_error(metrc: MetrcClient) -> None:
    with pytest.raises(MetrcAuthError):
        await metrc.list_packages("SF-SBX-CO-1-8002")


async def test_a_missing_package_is_not_found(metrc: MetrcClient) -> None:
    with pytest.raises(MetrcNotFoundError):
        await metrc.get_package(LICENSE, "1A4FF0100000000000009999")


async def test_an_invalid_write_is_rejected_with_row_messages(metrc: MetrcClient) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    [fresh] = await tags(metrc, 1)

    with pytest.raises(MetrcRejectedError) as caught:
        await metrc.create_packages(
            LICENSE,
            [opening(fresh, day), opening(seeded.label, day).model_copy(update={"item": "Nope"})],
        )

    rows = caught.value.rows
    assert rows
    assert {row for row, _ in rows} == {1}
    assert any(seeded.label in message or "Nope" in message for _, message in rows)
    assert await metrc.find_package(LICENSE, fresh) is None  # all or nothing


async def test_too_many_objects_get_413_from_metrc(sandbox: SandboxProcess) -> None:
    async with client_for(sandbox, max_write_objects=None) as client:
        day = await today(client)
        labels = await tags(client, 11)
        with pytest.raises(MetrcRequestTooLargeError) as caught:
            await client.create_packages(LICENSE, [opening(t, day) for t in labels])
    assert caught.value.status_code == 413


async def test_429_with_retry_after_is_waited_out(sandbox: SandboxProcess) -> None:
    await sandbox.configure(get_rate_per_facility=5, retry_after_seconds=1)
    greedy = MetrcRateLimiter(RateLimits(facility_rate=1000, vendor_rate=1000))
    async with client_for(sandbox, limiter=greedy) as client:
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(*(client.list_locations(LICENSE) for _ in range(12)))
        elapsed = asyncio.get_running_loop().time() - started
    assert all(len(r) == 2 for r in results)
    assert elapsed >= 1.0  # at least one Retry-After was honoured

    await sandbox.add_faults(
        {"method": "GET", "path": "/locations/v2/active", "kind": "rate_limit", "times": 1}
    )
    async with client_for(sandbox, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(MetrcRateLimitedError) as caught:
            await client.list_locations(LICENSE)
    assert caught.value.retry_after == 1.0


async def test_the_client_limiter_keeps_under_metrc_limits(sandbox: SandboxProcess) -> None:
    await sandbox.configure(get_rate_per_facility=20, concurrency_per_facility=3, latency_ms=20)
    polite = MetrcRateLimiter(RateLimits(facility_rate=20, facility_concurrency=3, headroom=0.1))
    async with client_for(sandbox, limiter=polite, retry=RetryPolicy(max_attempts=1)) as client:
        await asyncio.gather(*(client.list_locations(LICENSE) for _ in range(30)))
    counters = (await sandbox.state())["requests"]["GET /locations/v2/active"]
    assert counters["statuses"] == {"200": 30}


async def test_5xx_on_a_get_is_retried(metrc: MetrcClient, sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "GET",
            "path": "/packages/v2/active",
            "kind": "status",
            "status": 503,
            "times": 2,
        }
    )
    assert len(await metrc.list_packages(LICENSE)) == 1


async def test_5xx_on_a_write_was_not_applied_and_is_retried_once_applied(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    await sandbox.add_faults(
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "status",
            "status": 503,
            "times": 1,
        },
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "status",
            "status": 500,
            "times": 1,
        },
    )

    await metrc.adjust_packages(LICENSE, [adjustment(seeded.label, day, "-1", "canopy:5xx")])

    state = await sandbox.state()
    assert [a["AdjustmentNote"] for a in state["adjustments"]] == ["canopy:5xx"]
    assert (await metrc.get_package(LICENSE, seeded.label)).quantity == Decimal("99.0")


async def test_a_lost_create_response_is_an_unknown_outcome_resolved_by_tag(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [tag] = await tags(metrc, 1)
    await sandbox.add_faults(
        {"method": "POST", "path": "/packages/v2/", "kind": "lost_response", "times": 1}
    )

    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.create_packages(LICENSE, [opening(tag, day)])

    assert await metrc.find_package(LICENSE, tag) is not None
    labels = [p["Label"] for p in (await sandbox.state())["packages"]]
    assert labels.count(tag) == 1


async def test_a_lost_adjust_response_is_resolved_from_the_history(
    metrc: MetrcClient, sandbox: SandboxProcess
) -> None:
    day = await today(metrc)
    [seeded] = await metrc.list_packages(LICENSE)
    started = start_of(day)
    await sandbox.add_faults(
        {"method": "POST", "path": "/packages/v2/adjust", "kind": "lost_response", "times": 1}
    )

    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.adjust_packages(LICENSE, [adjustment(seeded.label, day, "-4", "canopy:lost")])

    history = await metrc.package_adjustments_since(LICENSE, seeded.label, started)
    assert [a.adjustment_note for a in history] == ["canopy:lost"]
    assert (await metrc.get_package(LICENSE, seeded.label)).quantity == Decimal("96.0")


async def test_a_slow_get_times_out_and_is_retried(sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "GET",
            "path": "/packages/v2/active",
            "kind": "slow",
            "delay_ms": 1500,
            "times": 1,
        }
    )
    async with client_for(sandbox, timeout=httpx.Timeout(0.5)) as client:
        assert len(await client.list_packages(LICENSE)) == 1


async def test_a_slow_write_that_times_out_is_an_unknown_outcome(sandbox: SandboxProcess) -> None:
    await sandbox.add_faults(
        {
            "method": "POST",
            "path": "/packages/v2/adjust",
            "kind": "slow",
            "delay_ms": 1500,
            "times": 1,
        }
    )
    async with client_for(sandbox, timeout=httpx.Timeout(0.5)) as client:
        day = await today(client)
        [seeded] = await client.list_packages(LICENSE)
        with pytest.raises(MetrcUnknownOutcomeError):
            await client.adjust_packages(
                LICENSE, [adjustment(seeded.label, day, "-1", "canopy:slow")]
            )
    counters = (await sandbox.state())["requests"]["POST /packages/v2/adjust"]
    assert counters["requests"] == 1


# --- the key property ----------------------------------------------------------------------------


async def create_exactly_once(metrc: MetrcClient, package: PackageCreate) -> None:
    """The caller's rule: unknown outcome → read back before deciding; never resend blindly."""
    while True:
        try:
            await metrc.create_packages(LICENSE, [package])
            return
        except MetrcUnknownOutcomeError:
            await asyncio.sleep(SETTLE)
            if await metrc.find_package(LICENSE, package.tag) is not None:
                return
        except MetrcTransientError:
            continue


async def adjust_exactly_once(metrc: MetrcClient, adjust: PackageAdjust, since: datetime) -> None:
    while True:
        try:
            await metrc.adjust_packages(LICENSE, [adjust])
            return
        except MetrcUnknownOutcomeError:
            await asyncio.sleep(SETTLE)
            history = await metrc.package_adjustments_since(LICENSE, adjust.label, since)
            if any(a.adjustment_note == adjust.reason_note for a in history):
                return
        except MetrcTransientError:
            continue


FAULTS: list[dict[str, Any] | None] = [
    None,
    {"kind": "status", "status": 503},
    {"kind": "status", "status": 500},
    {"kind": "rate_limit"},
    {"kind": "lost_response"},
    {"kind": "slow", "delay_ms": 800},
]


@pytest.mark.slow
@pytest.mark.parametrize("seed_value", [1, 2, 3])
async def test_no_write_is_applied_twice_for_one_intent_under_any_fault_sequence(
    sandbox: SandboxProcess, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    async with client_for(sandbox, timeout=httpx.Timeout(0.4, connect=2.0)) as client:
        day = await today(client)
        labels = await tags(client, 6)
        since = start_of(day)
        expected: dict[str, Decimal] = {}
        notes: list[str] = []

        for index, tag in enumerate(labels):
            for path in ("/packages/v2/", "/packages/v2/adjust"):
                for _ in range(rng.randint(0, 2)):
                    fault = rng.choice(FAULTS)
                    if fault is not None:
                        await sandbox.add_faults(
                            {"method": "POST", "path": path, "times": 1, **fault}
                        )
            await create_exactly_once(client, opening(tag, day, "10"))
            note = f"canopy:{seed_value}:{index}"
            await adjust_exactly_once(client, adjustment(tag, day, "-1.5", note), since)
            expected[tag] = Decimal("8.5")
            notes.append(note)
            await sandbox.clear_faults()

        for tag, quantity in expected.items():
            assert (await client.get_package(LICENSE, tag)).quantity == quantity

    state = await sandbox.state()
    labels_in_state = [p["Label"] for p in state["packages"]]
    for tag in labels:
        assert labels_in_state.count(tag) == 1
    adjustment_notes = [a["AdjustmentNote"] for a in state["adjustments"]]
    for note in notes:
        assert adjustment_notes.count(note) == 1
    # The faults did fire: Metrc saw more write requests than there were intents.
    sent = sum(
        state["requests"][f"POST {p}"]["requests"] for p in ("/packages/v2/", "/packages/v2/adjust")
    )
    assert sent > 2 * len(labels)
