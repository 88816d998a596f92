"""Metrc's reads, the same on both backends (``FakeMetrc`` and the sandbox through
``MetrcClient``): the facility's reference data, available tags, whole lists however many pages
they take, last-modified windows, which facilities the user may read, the read-back helpers, and
the write-size limit.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    MetrcAuthError,
    MetrcRequestTooLargeError,
    PackageAdjust,
    PackageCreate,
    PullProgress,
)
from compliance.adapters.metrc.testing import GROWER, PARTNER, STORE, MetrcBackend
from compliance.adapters.metrc.testing.bodies import FLOWER, opening_package, planting


def opening(tag: str, backend: MetrcBackend) -> PackageCreate:
    return opening_package(tag, backend.world.today(GROWER), "1")


async def tags(backend: MetrcBackend, count: int) -> list[str]:
    return [t.label for t in (await backend.metrc.list_available_tags(GROWER))[:count]]


async def tick() -> datetime:
    """An instant strictly between what happened before and what happens after."""
    await asyncio.sleep(0.01)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.01)
    return moment


# --- reference data and tags ---------------------------------------------------------------------


async def test_the_user_sees_the_facilities_it_may_act_for(backend: MetrcBackend) -> None:
    facilities = {f.license_number: f for f in await backend.metrc.list_facilities()}

    assert set(facilities) == {GROWER, STORE}
    grower, store = facilities[GROWER], facilities[STORE]
    assert (grower.name, grower.license.license_type) == ("Grower", "Marijuana Cultivation")
    assert grower.facility_type.can_grow_plants is True
    assert grower.facility_type.can_create_opening_balance_packages is True
    assert store.facility_type.can_grow_plants is False
    assert store.facility_type.can_create_opening_balance_packages is False
    assert store.facility_type.is_retail is True


async def test_a_facility_lists_its_items_strains_and_locations(backend: MetrcBackend) -> None:
    metrc = backend.metrc

    items = {i.name: i for i in await metrc.list_items(GROWER)}
    assert set(items) == {FLOWER, "Gummies"}
    flower = items[FLOWER]
    assert (flower.product_category_name, flower.quantity_type, flower.unit_of_measure_name) == (
        "Buds",
        "WeightBased",
        "Grams",
    )
    assert (flower.strain_name, items["Gummies"].strain_name) == ("Blue Dream", None)
    assert flower.approval_status == "Approved"
    assert [s.name for s in await metrc.list_strains(GROWER)] == ["Blue Dream"]
    locations = {loc.name: loc for loc in await metrc.list_locations(GROWER)}
    assert set(locations) == {"Vault", "Back Room", "Grow Room", "Dry Room", "Packing Room"}
    assert (locations["Grow Room"].location_type_name, locations["Grow Room"].for_plants) == (
        "Planting",
        True,
    )
    assert (locations["Dry Room"].for_harvests, locations["Dry Room"].for_packages) == (True, False)
    assert [loc.name for loc in await metrc.list_locations(STORE)] == ["Sales Floor"]


async def test_the_states_catalogues(backend: MetrcBackend) -> None:
    metrc = backend.metrc

    units = {u.name: u for u in await metrc.list_units_of_measure()}
    assert (units["Grams"].abbreviation, units["Grams"].quantity_type) == ("g", "WeightBased")
    assert (units["Each"].quantity_type, units["Milliliters"].quantity_type) == (
        "CountBased",
        "VolumeBased",
    )
    assert "Tonns" not in units  # Metrc's retired unit
    categories = {c.name: c for c in await metrc.list_item_categories(GROWER)}
    assert (categories["Buds"].quantity_type, categories["Buds"].requires_strain) == (
        "WeightBased",
        True,
    )
    assert categories["Infused Edible"].quantity_type == "CountBased"
    reasons = {r.name: r.requires_note for r in await metrc.list_package_adjust_reasons(GROWER)}
    assert reasons == {
        "API Related Error": False,
        "Drying": False,
        "Entry Error": True,
        "Mandatory State Destruction": True,
        "Scale Variance": False,
        "Theft": True,
        "Typing/Entry Error": False,
        "Waste": False,
    }


async def test_available_tags_are_the_facilitys_unused_ones(backend: MetrcBackend) -> None:
    metrc = backend.metrc

    package_tags = await metrc.list_available_tags(GROWER)
    plant_tags = await metrc.list_available_tags(GROWER, "plant")

    assert len(package_tags) == 40 - 2  # the two seeded packages used theirs
    assert len(plant_tags) == 40
    assert len(await metrc.list_available_tags(STORE)) == 5
    assert await metrc.list_available_tags(STORE, "plant") == []
    for tag in package_tags + plant_tags:
        assert len(tag.label) == 24
        assert tag.label.isalnum()
        assert tag.label.isupper()
    assert {t.tag_type_name for t in package_tags} == {"CannabisPackage"}
    assert {t.tag_type_name for t in plant_tags} == {"CannabisPlant"}
    labels = [t.label for t in plant_tags]
    assert labels == sorted(labels), "sequential, so a StartingTag and a count name a run of them"


# --- lists ---------------------------------------------------------------------------------------


async def test_a_list_longer_than_a_page_comes_back_whole(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    labels = await tags(backend, 25)
    for start in range(0, 25, 10):
        await metrc.create_packages(
            GROWER, [opening(t, backend) for t in labels[start : start + 10]]
        )
    progress: list[PullProgress] = []

    packages = await metrc.list_packages(GROWER, on_progress=progress.append)

    assert len(packages) == 27
    assert {p.label for p in packages} >= set(labels)
    assert len({p.id for p in packages}) == 27
    last = progress[-1]
    assert (last.records, last.done, last.windows_done) == (27, last.total, last.windows_total)
    history = await metrc.list_package_adjustments(GROWER)
    assert history == []


async def test_a_last_modified_window_holds_what_changed_in_it(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    seeded = {p.label for p in await metrc.list_packages(GROWER)}
    [tag] = await tags(backend, 1)
    before = await tick()
    await metrc.create_packages(GROWER, [opening(tag, backend)])
    created = await tick()

    assert [p.label for p in await metrc.list_packages(GROWER, since=before, until=created)] == [
        tag
    ]
    earlier = await metrc.list_packages(GROWER, since=before - timedelta(hours=1), until=before)
    assert {p.label for p in earlier} == seeded
    assert await metrc.list_packages(GROWER, since=created) == []

    # Every change moves LastModified: an adjustment brings the package into a later window.
    await metrc.adjust_packages(
        GROWER,
        [
            PackageAdjust(
                label=tag,
                quantity=Decimal("-1"),
                unit_of_measure="Grams",
                adjustment_reason="Drying",
                adjustment_date=backend.world.today(GROWER),
            )
        ],
    )
    adjusted = await tick()
    [changed] = await metrc.list_packages(GROWER, since=created, until=adjusted)
    assert changed.label == tag
    assert changed.last_modified is not None
    assert created <= changed.last_modified <= adjusted
    # A window longer than Metrc's 24 hours is read in pieces; the answer is the same.
    long_ago = await metrc.list_packages(GROWER, since=adjusted - timedelta(hours=50))
    assert {p.label for p in long_ago} == seeded | {tag}


async def test_reference_data_and_plant_batches_have_last_modified_windows(
    backend: MetrcBackend,
) -> None:
    metrc = backend.metrc
    loaded = await tick()

    assert await metrc.list_items(GROWER, since=loaded) == []
    assert await metrc.list_locations(GROWER, since=loaded) == []
    assert await metrc.list_strains(GROWER, since=loaded) == []
    assert len(await metrc.list_items(GROWER, since=loaded - timedelta(hours=1))) == 2
    await metrc.create_plant_batch_plantings(
        GROWER,
        [planting("BD-1", backend.world.today(GROWER), 3, type="Seed")],
    )
    [batch] = await metrc.list_plant_batches(GROWER, since=loaded)
    assert await metrc.find_plant_batch(GROWER, "BD-1", modified_since=loaded) == batch
    assert await metrc.find_plant_batch(GROWER, "BD-1", modified_since=await tick()) is None


async def test_facilities_the_user_cannot_act_for_are_401(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    for license_number in (PARTNER, "SF-SBX-CO-99-8002"):
        with pytest.raises(MetrcAuthError):
            await metrc.list_packages(license_number)
        with pytest.raises(MetrcAuthError):
            await metrc.list_available_tags(license_number)
        with pytest.raises(MetrcAuthError):
            await metrc.create_packages(
                license_number, [opening("1A4FF0100000000000000001", backend)]
            )


# --- read-back after an unknown outcome ------------------------------------------------------------


async def test_recent_packages_are_those_modified_lately_in_any_status(
    backend: MetrcBackend,
) -> None:
    metrc = backend.metrc
    first, second = await tags(backend, 2)
    await metrc.create_packages(GROWER, [opening(first, backend), opening(second, backend)])
    await metrc.discontinue_package(GROWER, (await metrc.get_package(GROWER, second)).id)

    recent = await metrc.recent_packages(GROWER, within=timedelta(minutes=5))

    # The seeded ones too: they were loaded a moment ago.
    assert {first, second} <= {p.label for p in recent}
    assert len(recent) == len({p.id for p in recent})
    assert {p.label for p in await metrc.recent_packages(GROWER, statuses=("inactive",))} == {
        second
    }


# --- the write-size limit ------------------------------------------------------------------------


async def test_more_than_ten_objects_in_one_write_are_refused_whole(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    labels = await tags(backend, 11)

    with pytest.raises(MetrcRequestTooLargeError):
        await metrc.create_packages(GROWER, [opening(t, backend) for t in labels])
    with pytest.raises(ValueError, match="at least one"):
        await metrc.create_packages(GROWER, [])

    assert await metrc.find_package(GROWER, labels[0]) is None
