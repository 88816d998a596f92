"""A stored row as a record (``shared.database.from_row``): columns named like the fields are
copied, the rest are given, and nothing is filled in silently."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from shared.database import from_row


@dataclass(frozen=True, kw_only=True)
class Reading:
    id: int
    label: str
    note: str | None = None
    seen: int = field(default=0, init=False)


def test_the_fields_named_like_columns_are_copied_and_the_given_ones_win() -> None:
    row = {"id": 7, "label": "raw", "note": "n", "other": "ignored"}
    assert from_row(Reading, row, label="given") == Reading(id=7, label="given", note="n")


def test_a_field_with_no_column_and_nothing_given_is_refused_even_with_a_default() -> None:
    with pytest.raises(KeyError, match="note"):
        from_row(Reading, {"id": 7, "label": "raw"})


def test_a_field_the_record_does_not_take_at_construction_is_not_read() -> None:
    assert from_row(Reading, {"id": 1, "label": "a", "note": None}).seen == 0


@dataclass(frozen=True, kw_only=True)
class Named:
    kind: str
    row: int


def test_fields_named_like_the_helpers_parameters_are_given_like_any_other() -> None:
    assert from_row(Named, {"row": 3}, kind="given") == Named(kind="given", row=3)
