"""FakeMetrc keeps Metrc's rules, so service tests that pass on it mean something."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcAuthError,
    MetrcNotFoundError,
    MetrcPort,
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
    PlantBatchPlanting,
)

LICENSE = "SF-SBX-CO-21-8002"
TAGS = [f"1A4FF01000000220000000{i:02d}" for i in range(1, 21)]
TODAY = date(2026, 2, 8)
NOW = datetime(2026, 2, 8, 12, tzinfo=UTC)


@pytest.fixture
def metrc() -> FakeMetrc:
    fake = FakeMetrc(now=lambda: NOW)
    fake.add_facility(
        LICENSE,
        items=[("Blue Dream Flower", "Grams")],
        locations=["Vault", "Back Room"],
        strains=["Blue Dream"],
        package_tags=TAGS,
    )
    return fake


def opening(tag: str, quantity: str = "100") -> PackageCreate:
    return PackageCreate(
        tag=tag,
        item="Blue Dream Flower",
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        actual_date=TODAY,
        location="Vault",
    )


def adjust(tag: str, quantity: str, note: str | None = None) -> PackageAdjust:
    return PackageAdjust(
        label=tag,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=TODAY,
        reason_note=note,
    )


def test_the_fake_is_a_port(metrc: FakeMetrc) -> None:
    port: MetrcPort = metrc
    assert port is metrc


async def test_a_tag_is_used_once(metrc: FakeMetrc) -> None:
    result = await metrc.create_packages(LICENSE, [opening(TAGS[0])])
    assert len(result.ids) == 1

    with pytest.raises(MetrcRejectedError) as caught:
        await metrc.create_packages(LICENSE, [opening(TAGS[0])])

    assert caught.value.rows == [(0, f"Tag {TAGS[0]} is not valid.")]
    assert TAGS[0] not in [t.label for t in await metrc.list_available_tags(LICENSE)]


async def test_a_write_is_all_or_nothing(metrc: FakeMetrc) -> None:
    bad = opening(TAGS[1]).model_copy(update={"item": "Unknown"})
    with pytest.raises(MetrcRejectedError) as caught:
        await metrc.create_packages(LICENSE, [opening(TAGS[0]), bad])

    assert [row for row, _ in caught.value.rows] == [1]
    assert await metrc.list_packages(LICENSE) == []
    assert len(await metrc.list_available_tags(LICENSE)) == len(TAGS)


async def test_ingredients_are_deducted_from_their_sources(metrc: FakeMetrc) -> None:
    await metrc.create_packages(LICENSE, [opening(TAGS[0], "100")])
    child = PackageCreate(
        tag=TAGS[1],
        item="Blue Dream Flower",
        quantity=Decimal("30.5"),
        unit_of_measure="Grams",
        actual_date=TODAY,
        ingredients=[
            PackageIngredient(package=TAGS[0], quantity=Decimal("30.5"), unit_of_measure="Grams")
        ],
    )
    await metrc.create_packages(LICENSE, [child])

    assert (await metrc.get_package(LICENSE, TAGS[0])).quantity == Decimal("69.5")
    assert (await metrc.get_package(LICENSE, TAGS[1])).quantity == Decimal("30.5")

    greedy = child.model_copy(
        update={
            "tag": TAGS[2],
            "ingredients": [
                PackageIngredient(package=TAGS[0], quantity=Decimal("70"), unit_of_measure="Grams")
            ],
        }
    )
    with pytest.raises(MetrcRejectedError, match="insufficient"):
        await metrc.create_packages(LICENSE, [greedy])


async def test_opening_balances_need_the_facility_capability(metrc: FakeMetrc) -> None:
    metrc.facilities[LICENSE].can_create_opening_balance_packages = False
    with pytest.raises(MetrcRejectedError, match="without ingredients"):
        await metrc.create_packages(LICENSE, [opening(TAGS[0])])


async def test_adjustments_change_quantity_and_are_recorded(metrc: FakeMetrc) -> None:
    await metrc.create_packages(LICENSE, [opening(TAGS[0], "10")])

    await metrc.adjust_packages(LICENSE, [adjust(TAGS[0], "-2.25", "canopy:1")])

    assert (await metrc.get_package(LICENSE, TAGS[0])).quantity == Decimal("7.75")
    history = await metrc.package_adjustments_since(LICENSE, TAGS[0], NOW - timedelta(hours=1))
    assert [(a.adjustment_quantity, a.adjustment_note) for a in history] == [
        (Decimal("-2.25"), "canopy:1")
    ]
    with pytest.raises(MetrcRejectedError, match="negative"):
        await metrc.adjust_packages(LICENSE, [adjust(TAGS[0], "-8")])


async def test_finish_needs_zero_and_moves_the_package_to_inactive(metrc: FakeMetrc) -> None:
    await metrc.create_packages(LICENSE, [opening(TAGS[0], "1")])
    with pytest.raises(MetrcRejectedError, match="non-zero"):
        await metrc.finish_packages(LICENSE, [PackageFinish(label=TAGS[0], actual_date=TODAY)])

    await metrc.adjust_packages(LICENSE, [adjust(TAGS[0], "-1")])
    await metrc.finish_packages(LICENSE, [PackageFinish(label=TAGS[0], actual_date=TODAY)])
    assert await metrc.list_packages(LICENSE, "active") == []
    assert [p.label for p in await metrc.list_packages(LICENSE, "inactive")] == [TAGS[0]]

    await metrc.unfinish_packages(LICENSE, [PackageUnfinish(label=TAGS[0])])
    assert [p.label for p in await metrc.list_packages(LICENSE, "active")] == [TAGS[0]]


async def test_moves_and_discontinue(metrc: FakeMetrc) -> None:
    result = await metrc.create_packages(LICENSE, [opening(TAGS[0])])
    await metrc.change_package_locations(
        LICENSE, [PackageLocationChange(label=TAGS[0], location="back room", move_date=TODAY)]
    )
    assert (await metrc.get_package(LICENSE, TAGS[0])).location_name == "back room"

    await metrc.discontinue_package(LICENSE, result.ids[0])
    assert await metrc.list_packages(LICENSE) == []
    with pytest.raises(MetrcNotFoundError):
        await metrc.discontinue_package(LICENSE, result.ids[0])


async def test_limits_and_unknown_facilities(metrc: FakeMetrc) -> None:
    with pytest.raises(MetrcRequestTooLargeError):
        await metrc.create_packages(LICENSE, [opening(t) for t in TAGS[:11]])
    with pytest.raises(MetrcAuthError):
        await metrc.list_packages("SOMEONE-ELSE")


async def test_injected_failures_apply_or_not_as_documented(metrc: FakeMetrc) -> None:
    metrc.fail_next("create_packages", MetrcTransientError("maintenance", status_code=503))
    with pytest.raises(MetrcTransientError):
        await metrc.create_packages(LICENSE, [opening(TAGS[0])])
    assert await metrc.find_package(LICENSE, TAGS[0]) is None

    metrc.lose_next_response("create_packages")
    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.create_packages(LICENSE, [opening(TAGS[0])])
    # Read back instead of resending: the package is there, so the intent is done.
    found = await metrc.find_package(LICENSE, TAGS[0])
    assert found is not None
    assert [p.label for p in await metrc.recent_packages(LICENSE)] == [TAGS[0]]
    assert [op for op, _, _ in metrc.writes] == ["create_packages"]


async def test_plant_batches_are_unique_by_name_and_findable(metrc: FakeMetrc) -> None:
    planting = PlantBatchPlanting(
        name="BD-001",
        type="Clone",
        count=12,
        strain="Blue Dream",
        location="Vault",
        actual_date=TODAY,
    )
    await metrc.create_plant_batch_plantings(LICENSE, [planting])
    with pytest.raises(MetrcRejectedError, match="already exists"):
        await metrc.create_plant_batch_plantings(
            LICENSE, [planting.model_copy(update={"name": "bd-001"})]
        )
    batch = await metrc.find_plant_batch(LICENSE, "bd-001")
    assert batch is not None
    assert batch.untracked_count == 12
    assert [b.name for b in await metrc.list_plant_batches(LICENSE)] == ["BD-001"]


async def test_lookups(metrc: FakeMetrc) -> None:
    assert [f.license_number for f in await metrc.list_facilities()] == [LICENSE]
    assert [i.name for i in await metrc.list_items(LICENSE)] == ["Blue Dream Flower"]
    assert [s.name for s in await metrc.list_strains(LICENSE)] == ["Blue Dream"]
    assert "Grams" in [u.name for u in await metrc.list_units_of_measure()]
    assert "Drying" in [r.name for r in await metrc.list_package_adjust_reasons(LICENSE)]
    assert len(await metrc.list_locations(LICENSE)) == 2
    assert await metrc.list_package_adjustments(LICENSE) == []


async def test_read_back_finds_an_adjustment_dated_the_facility_day_before_the_utc_day(
    metrc: FakeMetrc,
) -> None:
    # 02:00 UTC on the 9th is still the 8th in a facility west of UTC: its adjustment carries
    # the 8th, and a read-back asked for "since 01:59 UTC on the 9th" must still see it.
    await metrc.create_packages(LICENSE, [opening(TAGS[0], "10")])
    await metrc.adjust_packages(LICENSE, [adjust(TAGS[0], "-1", "canopy:west")])

    since = datetime(2026, 2, 9, 1, 59, tzinfo=UTC)
    history = await metrc.package_adjustments_since(LICENSE, TAGS[0], since)

    assert [a.adjustment_note for a in history] == ["canopy:west"]
