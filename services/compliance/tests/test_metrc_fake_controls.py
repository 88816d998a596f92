"""What only ``FakeMetrc`` has: injected failures, a clock a test sets, seeding, and the log of
writes. (Metrc's rules themselves are the contract suite's, run against the fake and the sandbox.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    FakeMetrc,
    MetrcControl,
    MetrcPort,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnknownOutcomeError,
    PackageAdjust,
)
from compliance.adapters.metrc.testing import GROWER, contract_world
from compliance.adapters.metrc.testing.bodies import opening_package

# 23:30 in Colorado on 7 February is 06:30 on the 8th in UTC: Metrc's "today" is the 7th.
NOW = datetime(2026, 2, 8, 6, 30, tzinfo=UTC)
TODAY = date(2026, 2, 7)


@pytest.fixture
def metrc() -> FakeMetrc:
    return FakeMetrc.from_world(contract_world(), now=lambda: NOW)


async def first_tag(metrc: FakeMetrc) -> str:
    return (await metrc.list_available_tags(GROWER))[0].label


def test_the_fake_is_a_port_and_a_control(metrc: FakeMetrc) -> None:
    port: MetrcPort = metrc
    control: MetrcControl = metrc
    assert port is control


async def test_a_failure_injected_before_a_write_applies_nothing(metrc: FakeMetrc) -> None:
    tag = await first_tag(metrc)
    metrc.fail_next("create_packages", MetrcTransientError("maintenance", status_code=503))

    with pytest.raises(MetrcTransientError):
        await metrc.create_packages(GROWER, [opening_package(tag, TODAY)])

    assert await metrc.find_package(GROWER, tag) is None
    await metrc.create_packages(GROWER, [opening_package(tag, TODAY)])  # only the next call fails
    assert await metrc.find_package(GROWER, tag) is not None


async def test_a_lost_response_is_applied_and_found_by_reading_back(metrc: FakeMetrc) -> None:
    tag = await first_tag(metrc)
    metrc.lose_next_response("create_packages")

    with pytest.raises(MetrcUnknownOutcomeError):
        await metrc.create_packages(GROWER, [opening_package(tag, TODAY)])

    # Read back instead of resending: the package is there, so the intent is done.
    assert await metrc.find_package(GROWER, tag) is not None
    assert tag in {p.label for p in await metrc.recent_packages(GROWER)}
    assert [operation for operation, _, _ in metrc.writes] == ["create_packages"]


async def test_the_facilitys_today_follows_the_clock_and_its_time_zone(metrc: FakeMetrc) -> None:
    tag = await first_tag(metrc)

    with pytest.raises(MetrcRejectedError) as caught:
        await metrc.create_packages(GROWER, [opening_package(tag, NOW.date())])
    assert caught.value.rows == [(0, "ActualDate 2026-02-08 cannot be a future date.")]

    await metrc.create_packages(GROWER, [opening_package(tag, TODAY)])
    package = await metrc.get_package(GROWER, tag)
    assert package.packaged_date == TODAY
    assert package.last_modified is not None
    assert NOW <= package.last_modified < NOW + timedelta(seconds=1)
    adjust = PackageAdjust(
        label=tag,
        quantity=Decimal("-1"),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=TODAY,
        reason_note="canopy:1",
    )
    await metrc.adjust_packages(GROWER, [adjust])
    # Every change moves LastModified, even with a clock that stands still.
    adjusted = (await metrc.get_package(GROWER, tag)).last_modified
    assert adjusted is not None
    assert adjusted > package.last_modified
    found = await metrc.package_adjustments_since(GROWER, tag, NOW)
    assert [a.adjustment_note for a in found] == ["canopy:1"]


async def test_the_write_size_limit_can_be_changed(metrc: FakeMetrc) -> None:
    small = FakeMetrc.from_world(contract_world())
    small.max_write_objects = 1
    labels = [t.label for t in (await small.list_available_tags(GROWER))[:2]]
    with pytest.raises(MetrcRequestTooLargeError):
        await small.create_packages(GROWER, [opening_package(label, TODAY) for label in labels])
    assert small.writes == []


def test_seeding_something_unknown_is_refused_at_once(metrc: FakeMetrc) -> None:
    with pytest.raises(ValueError, match="unknown item category: Flowers"):
        metrc.add_item(GROWER, "Buds", "Flowers", "Grams")
    with pytest.raises(ValueError, match="Each does not measure Buds"):
        metrc.add_item(GROWER, "Buds", "Buds", "Each")
    with pytest.raises(ValueError, match="unknown location: Attic"):
        metrc.add_package(GROWER, "Blue Dream Flower", Decimal("1"), "Grams", "Attic")
