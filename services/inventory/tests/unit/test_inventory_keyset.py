"""Keyset pages (``reads/keyset.py``), the one way every cursor list pages: over a sorted list
of rows, a page after another's cursor continues it without a gap or a repeat, the last page has
no cursor, and a cursor the API did not write changes nothing and is a VALIDATION_ERROR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from inventory.domain import ValidationError
from inventory.reads.keyset import (
    Keyset,
    cursor_instant,
    cursor_text,
    cursor_uuid,
    encode_cursor,
    keyset_page,
)
from pydantic import BaseModel

START = datetime(2026, 3, 1, tzinfo=UTC)
# Newest first, as the transfer and harvest lists sort: (created, id) descending.
ROWS = sorted(
    ((START + timedelta(minutes=i // 2), uuid4()) for i in range(7)),
    reverse=True,
)


class Store:
    """The rows after a (created, id) key, newest first, and what was asked of it."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, int]] = []

    async def page(self, after: Any, n: int) -> Sequence[tuple[datetime, UUID]]:
        self.asked.append((after, n))
        rows = ROWS if after is None else [r for r in ROWS if r < after]
        return rows[:n]


async def _page(store: Store, cursor: str | None, limit: int) -> Keyset[tuple[datetime, UUID]]:
    return await keyset_page(
        cursor,
        limit,
        key=(cursor_instant, cursor_uuid),
        fetch=store.page,
        last=lambda r: [r[0].isoformat(), str(r[1])],
    )


async def test_pages_follow_each_others_cursors_to_the_end_without_a_gap_or_a_repeat() -> None:
    store, seen, cursor = Store(), [], None
    while True:
        page = await _page(store, cursor, 3)
        seen += page.items
        if not page.has_more:
            break
        assert page.next_cursor is not None
        cursor = page.next_cursor
    assert seen == ROWS
    assert page.next_cursor is None
    assert [n for _, n in store.asked] == [4, 4, 4]  # one more than a page, to know what follows
    assert store.asked[1][0] == ROWS[2]  # the key is handed over parsed, as the stores take it


async def test_a_page_that_holds_the_rest_exactly_is_the_last() -> None:
    page = await _page(Store(), None, len(ROWS))
    assert (page.items, page.next_cursor, page.has_more) == (ROWS, None, False)


async def test_a_one_field_key_is_handed_over_as_its_value() -> None:
    asked: list[Any] = []

    async def fetch(after: Any, n: int) -> list[str]:
        asked.append(after)
        return [t for t in ["a", "b", "c"] if after is None or t > after][:n]

    first = await keyset_page(None, 2, key=(cursor_text,), fetch=fetch, last=lambda t: [t])
    rest = await keyset_page(
        first.next_cursor, 2, key=(cursor_text,), fetch=fetch, last=lambda t: [t]
    )
    assert (first.items, rest.items, rest.next_cursor) == (["a", "b"], ["c"], None)
    assert asked == [None, "b"]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64!",
        encode_cursor(["2026-03-01T00:00:00+00:00"]),  # a field short
        encode_cursor(["2026-03-01T00:00:00+01:00", str(uuid4())]),  # not UTC
        encode_cursor(["2026-03-01T00:00:00+00:00", str(uuid4()).upper()]),  # not as written
        encode_cursor(["2026-03-01T00:00:00+00:00", str(uuid4())]) + "=",  # not the exact text
    ],
)
async def test_a_cursor_the_api_did_not_write_is_refused_before_any_read(cursor: str) -> None:
    store = Store()
    with pytest.raises(ValidationError):
        await _page(store, cursor, 3)
    assert store.asked == []


class Page(BaseModel):
    items: list[str]
    next_cursor: str | None
    has_more: bool
    total: int | None = None


def test_the_answer_is_the_contracts_page_of_the_items_shown() -> None:
    page = Keyset(["a", "b"], "c1", True)
    assert page.answer(Page, str.upper, total=9) == Page(
        items=["A", "B"], next_cursor="c1", has_more=True, total=9
    )
    assert page.answer(Page).items == ["a", "b"]
