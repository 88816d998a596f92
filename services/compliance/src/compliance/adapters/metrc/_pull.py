"""Reading every page of a Metrc list: one at a time, or concurrently for a full pull.

Independent of HTTP: both readers take ``fetch(page_number, window)``, so the algorithm is the
same whatever sends the requests (and the rate limiter below ``fetch`` is what paces them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Sequence
from contextlib import aclosing
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from compliance.adapters.metrc.paging import (
    Page,
    PullBatch,
    PullProgress,
    RawPage,
    Window,
    record_key,
)

__all__ = ["FetchPage", "concurrent_pull", "sequential_pages"]

T = TypeVar("T", bound=BaseModel)
FetchPage = Callable[[int, Window | None], Coroutine[Any, Any, tuple[RawPage, list[T]]]]

logger = logging.getLogger("compliance.adapters.metrc")

MAX_REREADS = 2


async def sequential_pages(
    fetch: FetchPage[T], windows: Sequence[Window | None], *, paged: bool, label: str
) -> AsyncIterator[Page[T]]:
    """Every page, one request at a time, windows in the order given.

    Stops at ``TotalPages``, on an empty page, and (defensively) on a page whose records were
    all on earlier pages, which is what a server that ignores ``pageNumber`` sends.
    """
    for window in windows:
        seen: set[object] = set()
        page_number = 1
        while True:
            raw, records = await fetch(page_number, window)
            keys = [record_key(r) for r in raw.data]
            if page_number > 1 and keys and all(k in seen for k in keys):
                logger.warning("metrc %s: page %d repeats; stopping", label, page_number)
                break
            seen.update(keys)
            yield Page(records, raw.page_number, raw.total_pages, raw.total_records, window)
            if not paged or not raw.data or page_number >= raw.total_pages:
                break
            page_number += 1


class _Tally(Generic[T]):
    """Progress and de-duplication across all windows of one pull."""

    def __init__(self, windows_total: int) -> None:
        self.seen: set[object] = set()
        self.done = 0
        self.total = 0
        self.windows_done = 0
        self.windows_total = windows_total

    def batch(self, raw: RawPage | None = None, records: Sequence[T] = ()) -> PullBatch[T]:
        new: list[T] = []
        if raw is not None:
            self.done += 1
            for data, record in zip(raw.data, records, strict=True):
                key = record_key(data)
                if key not in self.seen:
                    self.seen.add(key)
                    new.append(record)
        progress = PullProgress(
            done=self.done,
            total=self.total,
            records=len(self.seen),
            windows_done=self.windows_done,
            windows_total=self.windows_total,
        )
        return PullBatch(new, progress)


async def concurrent_pull(
    fetch: FetchPage[T],
    windows: Sequence[Window | None],
    *,
    paged: bool,
    ahead: int,
    label: str,
) -> AsyncIterator[PullBatch[T]]:
    """A full pull, yielding each page's new records with the pull's progress.

    Per window (oldest first): page 1 tells how many pages there are, then the rest are
    requested concurrently, at most ``ahead`` at a time, and yielded as they arrive. Records
    are de-duplicated by Id across pages and windows. If the record count moved while a window
    was read (records entered or left it, so later pages shifted under the reader), the window
    is read again so nothing that slid across a page boundary is missed.
    """
    tally: _Tally[T] = _Tally(len(windows))
    for window in windows:
        for attempt in range(MAX_REREADS + 1):
            shifted = False
            reader = _read_window(fetch, window, tally, paged=paged, ahead=ahead, label=label)
            # Closed explicitly, so its pending requests are cancelled the moment our consumer
            # stops, not whenever the garbage collector finalises it.
            async with aclosing(reader):
                async for batch, moved in reader:
                    shifted = shifted or moved
                    yield batch
            if not shifted:
                break
            if attempt == MAX_REREADS:
                logger.warning(
                    "metrc %s: records kept moving during the pull; gave up re-reading", label
                )
            else:
                logger.info(
                    "metrc %s: record count moved during the pull; re-reading window", label
                )
        tally.windows_done += 1
        yield tally.batch()


async def _read_window(
    fetch: FetchPage[T],
    window: Window | None,
    tally: _Tally[T],
    *,
    paged: bool,
    ahead: int,
    label: str,
) -> AsyncGenerator[tuple[PullBatch[T], bool], None]:
    """One pass over one window; each batch comes with whether the list moved under it."""
    first_raw, first = await fetch(1, window)
    total_pages = max(first_raw.total_pages, 1) if paged else 1
    tally.total += total_pages
    yield tally.batch(first_raw, first), False

    window_keys = {record_key(d) for d in first_raw.data}
    repeated = False
    pending: dict[asyncio.Task[tuple[RawPage, list[T]]], int] = {}
    next_page = 2
    try:
        while True:
            while not repeated and next_page <= total_pages and len(pending) < ahead:
                pending[asyncio.create_task(fetch(next_page, window))] = next_page
                next_page += 1
            if not pending:
                break
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                number = pending.pop(task)
                raw, records = task.result()
                keys = [record_key(d) for d in raw.data]
                if keys and all(k in window_keys for k in keys):
                    logger.warning(
                        "metrc %s: page %d repeats an earlier page; stopping", label, number
                    )
                    repeated = True
                window_keys.update(keys)
                moved = (raw.total_records, raw.total_pages) != (
                    first_raw.total_records,
                    first_raw.total_pages,
                )
                yield tally.batch(raw, records), moved
    finally:
        # Reached on an error or when the consumer stops early: no request may outlive the pull.
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    if repeated and next_page <= total_pages:
        tally.total -= total_pages - next_page + 1
