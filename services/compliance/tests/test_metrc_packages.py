"""Metrc's package rules, the same on both backends: ``FakeMetrc`` in memory and the sandbox over
real HTTP through ``MetrcClient`` (the ``backend`` fixture runs every test on each).

Creating (as an opening balance or from ingredients), adjusting, moving, finishing, unfinishing,
discontinuing and holding packages; single-use tags; every rejection with Metrc's row messages and
nothing applied.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from compliance.adapters.metrc import (
    MetrcAuthError,
    MetrcNotFoundError,
    MetrcRejectedError,
    Package,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageIngredient,
    PackageLocationChange,
    PackageUnfinish,
)
from compliance.adapters.metrc.testing import GROWER, STORE, MetrcBackend
from compliance.adapters.metrc.testing.bodies import FLOWER, opening_package


def from_source(
    tag: str, source: str, day: date, quantity: str, unit: str = "Grams"
) -> PackageCreate:
    return PackageCreate(
        tag=tag,
        item=FLOWER,
        quantity=Decimal(quantity),
        unit_of_measure=unit,
        actual_date=day,
        ingredients=[
            PackageIngredient(package=source, quantity=Decimal(quantity), unit_of_measure=unit)
        ],
    )


def adjust(label: str, day: date, quantity: str, **changes: object) -> PackageAdjust:
    adjustment = PackageAdjust(
        label=label,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=day,
        reason_note="canopy:intent-1",
    )
    return adjustment.model_copy(update=changes)


async def tags(backend: MetrcBackend, count: int, license_number: str = GROWER) -> list[str]:
    available = await backend.metrc.list_available_tags(license_number)
    return [tag.label for tag in available[:count]]


async def seeded(backend: MetrcBackend, item: str = FLOWER) -> Package:
    """The grower's seeded package of ``item`` (100 g of flower, or 12 gummies)."""
    packages = await backend.metrc.list_packages(GROWER)
    return next(p for p in packages if p.item_name == item)


async def rejected(call: object) -> list[tuple[int | None, str]]:
    with pytest.raises(MetrcRejectedError) as caught:
        await call  # type: ignore[misc]
    return caught.value.rows


# --- creating packages ---------------------------------------------------------------------------


async def test_an_opening_balance_package_consumes_its_tag(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [tag] = await tags(backend, 1)

    result = await metrc.create_packages(GROWER, [opening_package(tag, day, "12.5", note="first")])

    [package_id] = result.ids
    package = await metrc.get_package(GROWER, package_id)
    assert (package.label, package.quantity, package.original_package_quantity) == (
        tag,
        Decimal("12.5"),
        Decimal("12.5"),
    )
    assert (package.unit_of_measure_name, package.unit_of_measure_abbreviation) == ("Grams", "g")
    assert (package.item_name, package.location_name, package.location_type_name) == (
        FLOWER,
        "Vault",
        "Default",
    )
    assert (package.packaged_date, package.note, package.package_type) == (day, "first", "Product")
    assert (package.source_package_count, package.source_package_labels) == (0, None)
    assert await metrc.get_package(GROWER, tag) == package
    assert tag not in [t.label for t in await metrc.list_available_tags(GROWER)]


async def test_ingredients_are_taken_from_their_sources(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    source = await seeded(backend)
    first, second = await tags(backend, 2)

    await metrc.create_packages(GROWER, [from_source(first, source.label, day, "30.25")])
    # An ingredient may use another unit of the same kind: it is converted into the source's unit
    # (six decimals where the conversion divides).
    await metrc.create_packages(GROWER, [from_source(second, source.label, day, "1", "Ounces")])

    assert (await metrc.get_package(GROWER, source.label)).quantity == Decimal("41.400477")
    child = await metrc.get_package(GROWER, first)
    assert (child.quantity, child.source_package_labels, child.source_package_count) == (
        Decimal("30.25"),
        source.label,
        1,
    )
    assert (await metrc.get_package(GROWER, second)).unit_of_measure_name == "Ounces"


async def test_use_same_item_takes_the_item_of_the_first_ingredient(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    gummies = await seeded(backend, "Gummies")
    [tag] = await tags(backend, 1)
    child = PackageCreate(
        tag=tag,
        quantity=Decimal("2"),
        unit_of_measure="Each",
        actual_date=day,
        use_same_item=True,
        ingredients=[PackageIngredient(package=gummies.label, quantity=2, unit_of_measure="Each")],
    )

    await metrc.create_packages(GROWER, [child])

    assert (await metrc.get_package(GROWER, tag)).item_name == "Gummies"
    assert (await metrc.get_package(GROWER, gummies.label)).quantity == Decimal("10")


async def test_rows_of_one_write_see_each_others_effects(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    source = await seeded(backend)
    first, second = await tags(backend, 2)

    # Row 1 draws on the package row 0 creates, in the same request.
    await metrc.create_packages(
        GROWER, [from_source(first, source.label, day, "40"), from_source(second, first, day, "15")]
    )

    assert [(await metrc.get_package(GROWER, label)).quantity for label in (first, second)] == [
        Decimal("25"),
        Decimal("15"),
    ]


async def test_a_used_tag_is_refused_even_within_one_write(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    first, second = await tags(backend, 2)
    await metrc.create_packages(GROWER, [opening_package(first, day)])

    assert await rejected(metrc.create_packages(GROWER, [opening_package(first, day)])) == [
        (0, f"Tag {first} has already been used.")
    ]
    assert await rejected(
        metrc.create_packages(GROWER, [opening_package(second, day), opening_package(second, day)])
    ) == [(1, f"Tag {second} has already been used.")]


async def test_a_tag_of_another_facility_or_kind_is_not_valid(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [store_tag] = await tags(backend, 1, STORE)
    [plant_tag] = [t.label for t in (await metrc.list_available_tags(GROWER, "plant"))[:1]]
    made_up = "1A4FF0100000000000000000"

    rows = await rejected(
        metrc.create_packages(
            GROWER,
            [
                opening_package(store_tag, day),
                opening_package(plant_tag, day),
                opening_package(made_up, day),
            ],
        )
    )

    assert rows == [
        (0, f"Tag {store_tag} is not valid."),
        (1, f"Tag {plant_tag} is not valid."),
        (2, f"Tag {made_up} is not valid."),
    ]


async def test_one_bad_row_rejects_the_write_and_every_bad_row_is_named(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    good, bad_item, bad_place, bad_room = await tags(backend, 4)

    rows = await rejected(
        metrc.create_packages(
            GROWER,
            [
                opening_package(good, day),
                opening_package(bad_item, day, item="Nope"),
                opening_package(bad_place, day, location="Nowhere"),
                opening_package(bad_room, day, location="grow room"),
            ],
        )
    )

    assert rows == [
        (1, "Item Nope does not exist in the current Facility."),
        (2, "Location Nowhere does not exist in the current Facility."),
        (3, "Location Grow Room cannot hold packages."),
    ]
    assert await metrc.find_package(GROWER, good) is None
    assert good in [t.label for t in await metrc.list_available_tags(GROWER)]


async def test_quantities_dates_and_units_are_checked(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    labels = await tags(backend, 4)
    tomorrow = day + timedelta(days=1)

    rows = await rejected(
        metrc.create_packages(
            GROWER,
            [
                opening_package(labels[0], day, "0"),
                opening_package(labels[1], day, "-1"),
                opening_package(labels[2], tomorrow),
                opening_package(labels[3], day, unit_of_measure="Each"),
            ],
        )
    )

    assert rows == [
        (0, "Quantity must be greater than 0."),
        (1, "Quantity cannot be negative (-1)."),
        (2, f"ActualDate {tomorrow.isoformat()} cannot be a future date."),
        (3, f"Unit of Measure Each is not valid for Item {FLOWER} (WeightBased)."),
    ]


async def test_an_ingredient_cannot_take_more_than_its_source_holds_or_another_kind_of_unit(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    source = await seeded(backend)
    first, second, third = await tags(backend, 3)

    rows = await rejected(
        metrc.create_packages(
            GROWER,
            [
                from_source(first, source.label, day, "60"),
                from_source(second, source.label, day, "50"),
                from_source(third, source.label, day, "1", "Each"),
            ],
        )
    )

    assert rows == [
        (1, f"Package {source.label} has only 40 Grams available; 50 Grams was requested."),
        (
            2,
            f"Unit of Measure Each cannot be used with Package {source.label}, which is measured "
            "in Grams (WeightBased).",
        ),
        (2, f"Unit of Measure Each is not valid for Item {FLOWER} (WeightBased)."),
    ]
    assert (await metrc.get_package(GROWER, source.label)).quantity == Decimal("100")


async def test_an_opening_balance_needs_the_facility_capability(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(STORE)
    [tag] = await tags(backend, 1, STORE)

    rows = await rejected(
        metrc.create_packages(STORE, [opening_package(tag, day, location="Sales Floor")])
    )

    assert rows == [
        (
            0,
            f"Ingredients were not specified. Facility {STORE} cannot create opening balance "
            "packages.",
        )
    ]


# --- adjusting ------------------------------------------------------------------------------------


async def test_an_adjustment_is_a_signed_delta_recorded_in_the_history(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    result = await metrc.adjust_packages(
        GROWER,
        [
            adjust(package.label, day, "-2.5", reason_note="canopy:a"),
            adjust(
                package.label, day, "-0.01", unit_of_measure="Kilograms", reason_note="canopy:b"
            ),
        ],
    )

    assert result.ids == [package.id, package.id]
    assert (await metrc.get_package(GROWER, package.label)).quantity == Decimal("87.5")
    history = await metrc.list_package_adjustments(GROWER)
    assert [
        (
            a.adjustment_quantity,
            a.adjustment_unit_of_measure_name,
            a.adjustment_unit_of_measure_abbreviation,
            a.adjustment_note,
        )
        for a in history
    ] == [
        (Decimal("-2.5"), "Grams", "g", "canopy:a"),
        (Decimal("-0.01"), "Kilograms", "kg", "canopy:b"),
    ]
    for line in history:
        assert (line.package_id, line.package_label, line.item_name, line.item_category_name) == (
            package.id,
            package.label,
            FLOWER,
            "Buds",
        )
        assert line.adjustment_reason_name == "Drying"
        assert line.adjustment_date is not None
        assert line.adjustment_date.date() == day
        assert line.packaged_date is not None
        assert line.packaged_date.date() == package.packaged_date
        assert line.adjusted_by_user_name


async def test_adjustment_reasons_and_their_notes_are_checked(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    rows = await rejected(
        metrc.adjust_packages(
            GROWER,
            [
                adjust(package.label, day, "-1", adjustment_reason="Nope"),
                adjust(package.label, day, "-1", adjustment_reason="Entry Error", reason_note=None),
                adjust(package.label, day, "0"),
            ],
        )
    )

    assert rows == [
        (0, "Adjustment Reason Nope is not valid."),
        (1, "ReasonNote is required for the Adjustment Reason Entry Error."),
        (2, "Quantity cannot be 0."),
    ]
    reasons = {r.name: r.requires_note for r in await metrc.list_package_adjust_reasons(GROWER)}
    assert reasons["Entry Error"] is True
    assert reasons["Drying"] is False


async def test_no_package_goes_below_zero(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    rows = await rejected(
        metrc.adjust_packages(
            GROWER, [adjust(package.label, day, "-60"), adjust(package.label, day, "-40.5")]
        )
    )

    assert rows == [
        (
            1,
            f"Package {package.label} cannot be adjusted below zero: it holds 40 Grams and the "
            "adjustment is -40.5 Grams.",
        )
    ]
    assert (await metrc.get_package(GROWER, package.label)).quantity == Decimal("100")
    assert await metrc.list_package_adjustments(GROWER) == []


async def test_an_adjustment_in_a_unit_of_another_kind_or_of_an_unknown_package_is_refused(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)
    unknown = "1A4FF0100000000000009999"

    rows = await rejected(
        metrc.adjust_packages(
            GROWER,
            [
                adjust(package.label, day, "-1", unit_of_measure="Each"),
                adjust(unknown, day, "-1"),
                adjust(package.label, day, "-1", adjustment_date=day + timedelta(days=1)),
            ],
        )
    )

    assert rows == [
        (
            0,
            f"Unit of Measure Each cannot be used with Package {package.label}, which is measured "
            "in Grams (WeightBased).",
        ),
        (1, f"Package {unknown} does not exist in the current Facility."),
        (2, f"AdjustmentDate {(day + timedelta(days=1)).isoformat()} cannot be a future date."),
    ]


async def test_the_adjustment_read_back_finds_an_adjustment_by_its_day(
    backend: MetrcBackend,
) -> None:
    """``package_adjustments_since`` compares Metrc's AdjustmentDate, the facility's local date,
    with the instant the caller started: in a US evening that instant is already tomorrow in UTC,
    and the adjustment must still be found."""
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)
    started = datetime_at_end_of_local_day(backend)

    await metrc.adjust_packages(GROWER, [adjust(package.label, day, "-1", reason_note="canopy:rb")])

    found = await metrc.package_adjustments_since(GROWER, package.label, started)
    assert [a.adjustment_note for a in found] == ["canopy:rb"]
    assert await metrc.package_adjustments_since(GROWER, "1A4FF0100000000000009999", started) == []


def datetime_at_end_of_local_day(backend: MetrcBackend) -> datetime:
    """23:59 today at the grower, as an aware UTC instant (the next UTC day in Colorado)."""
    zone = ZoneInfo(backend.world.facility(GROWER).time_zone)
    local = datetime.combine(backend.world.today(GROWER), time(23, 59), zone)
    return local.astimezone(UTC)


# --- moving, finishing, discontinuing, holding -----------------------------------------------------


async def test_a_package_moves_to_a_location_that_holds_packages(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    result = await metrc.change_package_locations(
        GROWER, [PackageLocationChange(label=package.label, location="back room", move_date=day)]
    )

    assert result.ids == []
    moved = await metrc.get_package(GROWER, package.label)
    assert (moved.location_name, moved.location_id is not None) == ("Back Room", True)
    assert await rejected(
        metrc.change_package_locations(
            GROWER,
            [
                PackageLocationChange(label=package.label, location="Dry Room", move_date=day),
                PackageLocationChange(label=package.label, location="Attic", move_date=day),
            ],
        )
    ) == [
        (0, "Location Dry Room cannot hold packages."),
        (1, "Location Attic does not exist in the current Facility."),
    ]


async def test_a_package_is_finished_at_zero_and_can_be_unfinished(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)
    finish = PackageFinish(label=package.label, actual_date=day)

    assert await rejected(metrc.finish_packages(GROWER, [finish])) == [
        (
            0,
            f"Package {package.label} cannot be finished while it holds 100 Grams; its quantity "
            "must be 0.",
        )
    ]
    await metrc.adjust_packages(GROWER, [adjust(package.label, day, "-100")])
    assert (await metrc.finish_packages(GROWER, [finish])).ids == []

    finished = await metrc.get_package(GROWER, package.label)
    assert (finished.is_finished, finished.finished_date, finished.quantity) == (True, day, 0)
    assert package.label in {p.label for p in await metrc.list_packages(GROWER, "inactive")}
    assert package.label not in {p.label for p in await metrc.list_packages(GROWER, "active")}
    assert await rejected(metrc.adjust_packages(GROWER, [adjust(package.label, day, "1")])) == [
        (0, f"Package {package.label} is finished.")
    ]

    await metrc.unfinish_packages(GROWER, [PackageUnfinish(label=package.label)])
    unfinished = await metrc.get_package(GROWER, package.label)
    assert (unfinished.is_finished, unfinished.finished_date) == (False, None)
    assert package.label in {p.label for p in await metrc.list_packages(GROWER, "active")}
    assert await rejected(
        metrc.unfinish_packages(GROWER, [PackageUnfinish(label=package.label)])
    ) == [(0, f"Package {package.label} is not finished.")]


async def test_a_discontinued_package_is_inactive_for_good(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    assert (await metrc.discontinue_package(GROWER, package.id)).ids == []

    gone = await metrc.get_package(GROWER, package.id)
    assert (gone.archived_date, gone.is_finished) == (day, False)
    assert package.label in {p.label for p in await metrc.list_packages(GROWER, "inactive")}
    assert await rejected(metrc.discontinue_package(GROWER, package.id)) == [
        (0, f"Package {package.label} has been discontinued.")
    ]
    assert await rejected(
        metrc.unfinish_packages(GROWER, [PackageUnfinish(label=package.label)])
    ) == [(0, f"Package {package.label} has been discontinued.")]
    with pytest.raises(MetrcNotFoundError):
        await metrc.discontinue_package(GROWER, 99_999_999)
    with pytest.raises(MetrcAuthError):
        await metrc.discontinue_package(STORE, package.id)


async def test_a_package_on_hold_is_listed_apart_and_cannot_be_adjusted_but_can_move(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    package = await seeded(backend)

    await backend.control.hold_package(package.label)

    assert [p.label for p in await metrc.list_packages(GROWER, "onhold")] == [package.label]
    assert (await metrc.get_package(GROWER, package.label)).is_on_hold is True
    assert await rejected(metrc.adjust_packages(GROWER, [adjust(package.label, day, "-1")])) == [
        (0, f"Package {package.label} is on hold.")
    ]
    await metrc.change_package_locations(
        GROWER, [PackageLocationChange(label=package.label, location="Back Room", move_date=day)]
    )

    await backend.control.release_package(package.label)
    assert await metrc.list_packages(GROWER, "onhold") == []
    assert (await metrc.get_package(GROWER, package.label)).location_name == "Back Room"


# --- finding packages ---------------------------------------------------------------------------


async def test_a_package_is_found_by_id_or_label_only_in_its_own_facility(
    backend: MetrcBackend,
) -> None:
    metrc = backend.metrc
    package = await seeded(backend)

    assert await metrc.get_package(GROWER, package.id) == await metrc.get_package(
        GROWER, package.label
    )
    with pytest.raises(MetrcNotFoundError):
        await metrc.get_package(GROWER, "1A4FF0100000000000009999")
    assert await metrc.find_package(GROWER, "1A4FF0100000000000009999") is None
    # Another facility's package is 401, not 404 (METRC.md 1.3).
    with pytest.raises(MetrcAuthError):
        await metrc.get_package(STORE, package.label)
    with pytest.raises(MetrcAuthError):
        await metrc.find_package(STORE, package.label)
