"""Pull sync: read every page of every list a license's chosen sync types need into the mirror.

Per feed (one Metrc list): plan its windows (``plan_windows``: the whole list the first time,
then last-modified windows of at most 24 h from the last successful pull), read each window's
first page (it tells how many pages there are), then the rest concurrently: the client's limiter
keeps the license within Metrc's GET rate and concurrency, and each feed keeps a second rank of
requests queued so a freed slot is used at once. Every feeds of a pull run at the same time.

Each page is stored with its number in the feed's checkpoint in one transaction. A pull killed
at any point resumes from the checkpoint: it reads the window's first page again, and if the
list still holds as many records it reads only the pages not yet stored; if the list moved, or a
page saw a different total while the window was read (records entered or left it, so pages
shifted), the window is read again: the mirror's upsert keeps one copy of each record. 429 and
5xx that outlast the client's own retries are retried here per page, with backoff, before the
feed is reported failed (its checkpoint kept for the next pull). A pull never touches inventory.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRateLimitedError,
    MetrcTransientError,
    MetrcUnexpectedResponseError,
)
from compliance.domain import Problem
from compliance.domain.mirror import (
    FEEDS,
    MAX_WINDOW,
    Feed,
    FeedCursor,
    FeedOutcome,
    PullReport,
    PullWindow,
    SyncType,
    mirror_record,
)
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.mirror_ports import (
    MirrorStore,
    PageReader,
    PageReaderConnector,
    SourcePage,
)

__all__ = ["PullPolicy", "PullProgress", "PullSync"]

logger = logging.getLogger("compliance.pull")

MAX_REREADS = 2


@dataclass(frozen=True)
class PullPolicy:
    """
    Attributes:
        overlap: how far before the last successful pull an incremental pull starts.
        max_window: the longest last-modified window (Metrc's 24 h).
        page_attempts: reads of one page (each itself retried by the client) before its feed
            is reported failed.
        first_retry, max_retry: backoff between those reads (doubling, jittered).
    """

    overlap: timedelta = timedelta(minutes=5)
    max_window: timedelta = MAX_WINDOW
    page_attempts: int = 8
    first_retry: float = 0.5
    max_retry: float = 10.0


@dataclass
class _FeedProgress:
    pages_done: int = 0
    pages_known: int = 0
    records: int = 0
    windows_done: int = 0
    windows_total: int = 0
    state: str = "PENDING"
    error: str | None = None


@dataclass
class _WindowRead:
    """A window's checkpoint as its pages complete, and whether the list moved meanwhile."""

    cursor: FeedCursor
    moved: bool = False


class PullProgress:
    """Where a pull stands, per feed; ``snapshot()`` is what progress events carry."""

    def __init__(self, feeds: Collection[Feed]) -> None:
        self.feeds = {feed: _FeedProgress() for feed in feeds}

    def snapshot(self) -> dict[str, Any]:
        """As the API shows it (camelCase: it is stored and streamed as is)."""
        by_type: dict[str, dict[str, Any]] = {}
        for feed, p in self.feeds.items():
            entry = by_type.setdefault(
                feed.sync_type.value, {"pagesDone": 0, "pagesKnown": 0, "records": 0, "feeds": {}}
            )
            entry["pagesDone"] += p.pages_done
            entry["pagesKnown"] += p.pages_known
            entry["records"] += p.records
            entry["feeds"][feed.status] = {
                "state": p.state,
                "pagesDone": p.pages_done,
                "pagesKnown": p.pages_known,
                "records": p.records,
                "windowsDone": p.windows_done,
                "windowsTotal": p.windows_total,
                **({"error": p.error} if p.error else {}),
            }
        return {
            "pagesDone": sum(p.pages_done for p in self.feeds.values()),
            "pagesKnown": sum(p.pages_known for p in self.feeds.values()),
            "records": sum(p.records for p in self.feeds.values()),
            "types": by_type,
        }


ProgressListener = Callable[[PullProgress], Awaitable[None] | None]


class PullSync:
    def __init__(
        self,
        ctx: ServiceContext,
        store: MirrorStore,
        readers: PageReaderConnector,
        policy: PullPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.ctx = ctx
        self.store = store
        self.readers = readers
        self.policy = policy or PullPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def pull(
        self,
        license_number: str,
        sync_types: Collection[SyncType],
        *,
        run_id: str | None = None,
        on_progress: ProgressListener | None = None,
    ) -> PullReport:
        """Pull the chosen types into the mirror; resumes any checkpointed feed among them."""
        started = self.ctx.now()
        feeds = [
            feed for sync_type in SyncType if sync_type in sync_types for feed in FEEDS[sync_type]
        ]
        progress = PullProgress(feeds)
        access = await self.ctx.metrc_access(license_number)
        if isinstance(access, Problem):
            outcomes = []
            for feed in feeds:
                await self.store.record_failure(
                    license_number, feed, access.code.value, access.message, self.ctx.now()
                )
                outcomes.append(
                    FeedOutcome(feed, error_code=access.code.value, error_message=access.message)
                )
            return PullReport(license_number, started, self.ctx.now(), tuple(outcomes))
        reader = self.readers.page_reader(access)
        run = run_id or str(uuid4())

        async def notify() -> None:
            if on_progress is not None:
                result = on_progress(progress)
                if result is not None:
                    await result

        results = await asyncio.gather(
            *(
                self._pull_feed(reader, license_number, feed, run, progress, notify)
                for feed in feeds
            )
        )
        return PullReport(license_number, started, self.ctx.now(), tuple(results))

    async def _pull_feed(
        self,
        reader: PageReader,
        license_number: str,
        feed: Feed,
        run_id: str,
        progress: PullProgress,
        notify: Callable[[], Awaitable[None]],
    ) -> FeedOutcome:
        mine = progress.feeds[feed]
        mine.state = "RUNNING"
        cursor = await self.store.checkpoint(license_number, feed)
        resumed = cursor is not None
        if cursor is None:
            now = self.ctx.now()
            since = (await self.store.last_success(license_number)).get(feed)
            cursor = FeedCursor(
                license_number, feed, run_id, as_of=now, since=since, started_at=now
            )
            await self.store.save_cursor(cursor)
        windows = cursor.windows(self.policy.overlap, self.policy.max_window)
        mine.windows_total = len(windows)
        mine.windows_done = cursor.window_index
        try:
            while cursor.window_index < len(windows):
                cursor = await self._read_window(
                    reader, cursor, windows[cursor.window_index], mine, notify
                )
                cursor = replace(
                    cursor,
                    window_index=cursor.window_index + 1,
                    total_pages=None,
                    total_records=None,
                    pages_done=frozenset(),
                    rereads=0,
                )
                await self.store.save_cursor(cursor)
                mine.windows_done = cursor.window_index
            await self.store.finish_feed(cursor, self.ctx.now())
        except MetrcError as error:
            code = _error_class(error)
            if isinstance(error, MetrcAuthError):
                await self.ctx.keys_refused(license_number, error, actor=self.ctx.system_actor)
            await self.store.record_failure(license_number, feed, code, str(error), self.ctx.now())
            mine.state, mine.error = "FAILED", code
            await notify()
            logger.warning("pull of %s for %s failed: %s", feed.value, license_number, code)
            return FeedOutcome(
                feed,
                pages=mine.pages_done,
                records=mine.records,
                windows=mine.windows_done,
                resumed=resumed,
                error_code=code,
                error_message=str(error),
            )
        mine.state = "DONE"
        await notify()
        return FeedOutcome(
            feed,
            pages=mine.pages_done,
            records=mine.records,
            windows=len(windows),
            resumed=resumed,
        )

    async def _read_window(
        self,
        reader: PageReader,
        cursor: FeedCursor,
        window: PullWindow | None,
        mine: _FeedProgress,
        notify: Callable[[], Awaitable[None]],
    ) -> FeedCursor:
        while True:
            first = await self._page(reader, cursor, 1, window)
            totals = (first.total_pages, first.total_records)
            if cursor.total_records is not None and totals != (
                cursor.total_pages,
                cursor.total_records,
            ):
                logger.info("%s moved since its checkpoint; reading the window again", cursor.feed)
                cursor = replace(cursor, pages_done=frozenset())
            cursor = replace(
                cursor, total_pages=first.total_pages, total_records=first.total_records
            )
            await self.store.save_cursor(cursor)
            mine.pages_known += max(first.total_pages, 1)
            if 1 not in cursor.pages_done:
                cursor = await self._store(cursor, 1, first, mine)
            else:
                mine.pages_done += 1
            await notify()
            cursor, moved = await self._rest(reader, cursor, window, totals, mine, notify)
            if not moved:
                return cursor
            if cursor.rereads >= MAX_REREADS:
                logger.warning("%s kept moving while read; keeping what was read", cursor.feed)
                return cursor
            cursor = replace(
                cursor, pages_done=frozenset(), rereads=cursor.rereads + 1, total_records=None
            )
            await self.store.save_cursor(cursor)

    async def _rest(
        self,
        reader: PageReader,
        cursor: FeedCursor,
        window: PullWindow | None,
        totals: tuple[int, int],
        mine: _FeedProgress,
        notify: Callable[[], Awaitable[None]],
    ) -> tuple[FeedCursor, bool]:
        todo = [n for n in range(2, totals[0] + 1) if n not in cursor.pages_done]
        mine.pages_done += totals[0] - 1 - len(todo) if totals[0] > 1 else 0
        gate = asyncio.Semaphore(max(1, reader.concurrency))
        state = _WindowRead(cursor)

        async def one(number: int) -> None:
            async with gate:
                page = await self._page(reader, cursor, number, window)
            if (page.total_pages, page.total_records) != totals:
                state.moved = True
            state.cursor = await self._store(state.cursor, number, page, mine)
            await notify()

        tasks = [asyncio.create_task(one(n)) for n in todo]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return state.cursor, state.moved

    async def _store(
        self, cursor: FeedCursor, number: int, page: SourcePage, mine: _FeedProgress
    ) -> FeedCursor:
        records = [mirror_record(cursor.feed, raw) for raw in page.records]
        await self.store.store_page(cursor, number, records, self.ctx.now())
        mine.pages_done += 1
        mine.records += len(records)
        return replace(cursor, pages_done=cursor.pages_done | {number})

    async def _page(
        self, reader: PageReader, cursor: FeedCursor, number: int, window: PullWindow | None
    ) -> SourcePage:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await reader.read_page(cursor.feed, cursor.license_number, number, window)
            except MetrcTransientError as error:
                if attempt >= self.policy.page_attempts:
                    raise
                ceiling = min(self.policy.max_retry, self.policy.first_retry * 2 ** (attempt - 1))
                delay = max(self._rng.uniform(ceiling / 2, ceiling), error.retry_after or 0.0)
                logger.info(
                    "%s page %d: %s; reading it again in %.2fs",
                    cursor.feed,
                    number,
                    type(error).__name__,
                    delay,
                )
                await self._sleep(delay)


def _error_class(error: MetrcError) -> str:
    """The failure class sync health counts: what a person would do about each differs."""
    if isinstance(error, MetrcAuthError):
        return "KEY_OR_PERMISSION"
    if isinstance(error, MetrcRateLimitedError):
        return "RATE_LIMITED"
    if isinstance(error, MetrcTransientError):
        return "METRC_UNAVAILABLE"
    if isinstance(error, MetrcNotFoundError):
        return "NOT_AVAILABLE_IN_STATE"
    if isinstance(error, MetrcUnexpectedResponseError):
        return "UNEXPECTED_RESPONSE"
    return "METRC_ERROR"
