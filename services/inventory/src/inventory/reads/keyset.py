"""Keyset pages, the one way a list read pages: a cursor is the sort key of the last item shown,
in the exact text this API writes; a page fetches one item more than it shows, which says whether
another page follows without counting."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from inventory.domain import ValidationError

__all__ = [
    "Keyset",
    "cursor_id",
    "cursor_instant",
    "cursor_text",
    "cursor_uuid",
    "decode_cursor",
    "encode_cursor",
    "keyset_page",
]

T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)
Parse = Callable[[Any], Any]


def encode_cursor(data: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def decode_cursor(cursor: str, *fields: Parse) -> list[Any]:
    """The values of a cursor this API issued, one per parser in ``fields``.

    Only the exact text the API writes is accepted (it must encode back to itself), so a
    forged cursor, however well-formed (an instant in year 0 or 10000 in UTC, an id beyond
    bigint, a UUID in capitals), is a VALIDATION_ERROR and never reaches a statement.
    """
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if not isinstance(data, list) or len(data) != len(fields):
            raise ValueError("not a cursor")
        values = [parse(item) for parse, item in zip(fields, data, strict=True)]
        if encode_cursor(data) != cursor:
            raise ValueError("not in the form this API writes")
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise ValidationError.single("cursor", "is not a cursor this API returned") from None
    return values


def cursor_instant(value: Any) -> datetime:
    """An instant as the API writes it in a cursor: ISO 8601 in UTC (``+00:00``)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    if moment is None or moment.utcoffset() != timedelta(0) or moment.isoformat() != value:
        raise ValueError("not an instant in UTC")
    return moment


def cursor_uuid(value: Any) -> UUID:
    """A UUID as the API writes it in a cursor (lower case, hyphenated)."""
    if not isinstance(value, str) or str(identifier := UUID(value)) != value:
        raise ValueError("not a UUID")
    return identifier


def cursor_text(value: Any) -> str:
    """A sort key the API wrote in a cursor (a name, lower-cased)."""
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError("not a sort key")
    return value


def cursor_id(value: Any) -> int:
    """A ledger row id: a positive bigint (a JSON true is not one)."""
    if type(value) is not int or not 0 < value < 2**63:
        raise ValueError("not a row id")
    return value


@dataclass(frozen=True)
class Keyset(Generic[T]):
    """One page: its items, and the cursor of the next (None on the last)."""

    items: list[T]
    next_cursor: str | None
    has_more: bool

    def answer(self, model: type[P], show: Callable[[T], Any] | None = None, **more: Any) -> P:
        """The contract's page ``model`` of these items, each as ``show`` makes it (as they are
        without one); ``more``: the page's other fields."""
        return model(
            items=self.items if show is None else [show(item) for item in self.items],
            next_cursor=self.next_cursor,
            has_more=self.has_more,
            **more,
        )


async def keyset_page(
    cursor: str | None,
    limit: int,
    *,
    key: tuple[Parse, ...],
    fetch: Callable[[Any, int], Awaitable[Sequence[T]]],
    last: Callable[[T], list[Any]],
) -> Keyset[T]:
    """The page after ``cursor`` (None: the first page) of at most ``limit`` items.

    ``key`` parses the sort key's fields from a cursor; ``fetch(after, n)`` reads at most ``n``
    items after that key (None on the first page; a one-field key as its value, a longer one as
    a tuple, as the stores take them); ``last`` is an item's sort key as the next cursor says it.
    """
    after: Any = None
    if cursor is not None:
        values = decode_cursor(cursor, *key)
        after = values[0] if len(values) == 1 else tuple(values)
    found = await fetch(after, limit + 1)
    items, more = list(found[:limit]), len(found) > limit
    return Keyset(items, encode_cursor(last(items[-1])) if more else None, more)
