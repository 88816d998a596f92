"""The domain's value sets are the inventory contract's, value for value."""

from __future__ import annotations

from enum import StrEnum

import pytest
from reporting import domain
from shared.contracts import inventory as contract


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(domain.BatchStatus, contract.BatchStatus), (domain.Bucket, contract.Bucket),
     (domain.CogsMode, contract.CogsMode), (domain.AgingBracket, contract.AgingBracket)],
)  # fmt: skip
def test_the_domain_enumerations_equal_the_contracts(
    ours: type[StrEnum], theirs: type[StrEnum]
) -> None:
    assert [m.value for m in ours] == [m.value for m in theirs]


def test_sellable_statuses_are_those_inventory_sells_from() -> None:
    assert {s.value for s in domain.SELLABLE_STATUSES} == {"LIVE", "PHOTOGRAPHY_COMPLETE"}


def test_default_aging_brackets_are_the_contracts_documented_ones() -> None:
    # "FRESH 0-14 days since intake, MODERATE 15-30, AGING 31-60, CRITICAL 61+."
    assert contract.AgingBracket.__doc__ is not None
    assert "FRESH 0-14" in contract.AgingBracket.__doc__
    assert "MODERATE 15-30, AGING 31-60, CRITICAL 61+" in contract.AgingBracket.__doc__
    thresholds = domain.AgingThresholds()
    assert (thresholds.fresh_max_days, thresholds.moderate_max_days, thresholds.aging_max_days) == (
        14, 30, 60
    )  # fmt: skip
