"""Metrc's list endpoints, their pages, and last-modified windows.

v2 list endpoints answer either with a bare JSON array or with the paging envelope
``{Data, Total, TotalRecords, PageSize, RecordsOnPage, Page, CurrentPage, TotalPages}``; pages are
1-based and at most 20 records long. Time-aware lists take ``lastModifiedStart/End``; a window
longer than 24 hours is split and the windows are read oldest first, because ``LastModified``
only moves forward and a record changed during a newest-first scan could jump into a window
already read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = [
    "ListEndpoint",
    "Page",
    "ProgressCallback",
    "PullBatch",
    "PullProgress",
    "Window",
    "split_windows",
]

T = TypeVar("T", bound=BaseModel)

MAX_PAGE_SIZE = 20
MAX_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ListEndpoint(Generic[T]):
    """A GET that returns a list of ``model`` records.

    Attributes:
        path: the path template; ``{name}`` parts are filled from the call's path parameters.
        model: the record type.
        licensed: whether the endpoint takes ``?licenseNumber=``.
        paged: whether it takes ``pageNumber``/``pageSize`` (the client copes with either shape
            in the answer regardless).
        time_aware: whether it takes ``lastModifiedStart``/``lastModifiedEnd``.
    """

    path: str
    model: type[T]
    licensed: bool = True
    paged: bool = True
    time_aware: bool = False


@dataclass(frozen=True)
class Window:
    """A closed ``[start, end]`` last-modified interval, both ends aware UTC."""

    start: datetime
    end: datetime

    def params(self) -> dict[str, str]:
        return {"lastModifiedStart": _format(self.start), "lastModifiedEnd": _format(self.end)}


def _format(moment: datetime) -> str:
    # "Z" instead of "+00:00": a literal "+" in a query string is read as a space by some servers.
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def split_windows(start: datetime, end: datetime, max_span: timedelta = MAX_WINDOW) -> list[Window]:
    """Cover ``[start, end]`` with windows no longer than ``max_span``, oldest first.

    Consecutive windows share their boundary instant: Metrc's filter is inclusive, so a record
    modified exactly there may come back twice (the pull de-duplicates by Id) but never zero times.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("last-modified windows need aware datetimes")
    if max_span <= timedelta(0):
        raise ValueError("max_span must be positive")
    if end < start:
        raise ValueError("window end is before its start")
    windows: list[Window] = []
    cursor = start
    while True:
        upper = min(cursor + max_span, end)
        windows.append(Window(cursor.astimezone(UTC), upper.astimezone(UTC)))
        if upper >= end:
            return windows
        cursor = upper


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, as Metrc numbered it."""

    records: list[T]
    page_number: int
    total_pages: int
    total_records: int
    window: Window | None = None


@dataclass(frozen=True)
class PullProgress:
    """Where a pull stands. ``total`` grows as each window's first page reveals its page count.

    Attributes:
        done: pages fetched so far.
        total: pages known so far (all windows whose first page has been fetched).
        records: distinct records received so far.
        windows_done: windows finished.
        windows_total: windows in the pull (1 when no window is used).
    """

    done: int
    total: int
    records: int
    windows_done: int
    windows_total: int


ProgressCallback = Callable[[PullProgress], None]


@dataclass(frozen=True)
class PullBatch(Generic[T]):
    """Records new to this pull (already de-duplicated), and where the pull stands."""

    records: list[T]
    progress: PullProgress


@dataclass(frozen=True)
class RawPage:
    """A page before its records are validated into models."""

    data: list[Any]
    page_number: int
    total_pages: int
    total_records: int


def read_page(body: Any, requested_page: int) -> RawPage:
    """Accept either the paging envelope or a bare array (one page holding everything)."""
    if isinstance(body, list):
        return RawPage(data=body, page_number=1, total_pages=1, total_records=len(body))
    if isinstance(body, dict) and isinstance(body.get("Data"), list):
        data = body["Data"]
        page = _int(body.get("CurrentPage", body.get("Page")), requested_page)
        total_pages = _int(body.get("TotalPages"), 1)
        total_records = _int(body.get("TotalRecords", body.get("Total")), len(data))
        return RawPage(
            data=data, page_number=page, total_pages=total_pages, total_records=total_records
        )
    if body is None:
        return RawPage(data=[], page_number=requested_page, total_pages=0, total_records=0)
    raise ValueError(f"expected a list or a paging envelope, got {type(body).__name__}")


def _int(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def record_key(raw: Any) -> object:
    """Identity of a raw record for de-duplication across pages and windows: Metrc's ``Id`` when
    the record has one, else the whole record (adjustment lines, delivery packages)."""
    if isinstance(raw, dict):
        value = raw.get("Id")
        if value is not None:
            return ("Id", value)
        return ("row", tuple(sorted((str(k), repr(v)) for k, v in raw.items())))
    return ("value", repr(raw))
