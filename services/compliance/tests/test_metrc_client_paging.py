"""Paging (sequential and concurrent), last-modified windows and progress."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    PullProgress,
    RateLimits,
    Window,
    split_windows,
)
from compliance.adapters.metrc import endpoints as ep

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
T0 = datetime(2026, 2, 1, tzinfo=UTC)


def package(i: int) -> dict[str, Any]:
    return {
        "Id": i,
        "Label": f"1A4FF01000000220{i:08d}",
        "Quantity": 1,
        "UnitOfMeasureName": "Grams",
        "LastModified": (T0 + timedelta(minutes=i)).isoformat(),
    }


class PagedServer:
    """Serves ``count`` packages in Metrc's envelope, honouring pageNumber/pageSize."""

    def __init__(self, count: int, *, ignore_page_number: bool = False) -> None:
        self.records = [package(i) for i in range(1, count + 1)]
        self.ignore_page_number = ignore_page_number
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.peak = 0
        self.on_page: Callable[[int], None] | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.002)
        self.in_flight -= 1
        params = request.url.params
        records = self.records
        if "lastModifiedStart" in params:
            start = datetime.fromisoformat(params["lastModifiedStart"])
            end = datetime.fromisoformat(params["lastModifiedEnd"])
            records = [
                r for r in records if start <= datetime.fromisoformat(r["LastModified"]) <= end
            ]
        size = int(params["pageSize"])
        number = 1 if self.ignore_page_number else int(params["pageNumber"])
        if self.on_page is not None:
            self.on_page(number)
        pages = max(1, -(-len(records) // size))
        data = records[(number - 1) * size : number * size]
        return httpx.Response(
            200,
            json={
                "Data": data,
                "Total": len(records),
                "TotalRecords": len(records),
                "PageSize": size,
                "RecordsOnPage": len(data),
                "Page": number,
                "CurrentPage": number,
                "TotalPages": pages,
            },
        )

    def pages_requested(self) -> list[int]:
        return [int(r.url.params["pageNumber"]) for r in self.requests]


async def test_sequential_pages_stop_at_total_pages(make_client: ClientFactory) -> None:
    server = PagedServer(45)
    client = make_client(server)

    pages = [page async for page in client.pages(ep.ACTIVE_PACKAGES, LICENSE)]

    assert [p.page_number for p in pages] == [1, 2, 3]
    assert [len(p.records) for p in pages] == [20, 20, 5]
    assert server.pages_requested() == [1, 2, 3]
    assert all(r.url.params["pageSize"] == "20" for r in server.requests)
    assert pages[0].total_records == 45


async def test_sequential_pages_stop_defensively_when_a_page_repeats(
    make_client: ClientFactory,
) -> None:
    server = PagedServer(45, ignore_page_number=True)
    client = make_client(server)

    pages = [page async for page in client.pages(ep.ACTIVE_PACKAGES, LICENSE)]

    assert len(pages) == 1
    assert server.pages_requested() == [1, 2]


async def test_sequential_pages_stop_on_an_empty_page(make_client: ClientFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["pageNumber"])
        data = [package(number)] if number == 1 else []
        return httpx.Response(200, json={"Data": data, "TotalRecords": 99, "TotalPages": 99})

    client = make_client(handler)
    pages = [page async for page in client.pages(ep.ACTIVE_PACKAGES, LICENSE)]
    assert [len(p.records) for p in pages] == [1, 0]


async def test_a_full_pull_fetches_page_one_then_the_rest_concurrently(
    make_client: ClientFactory,
) -> None:
    server = PagedServer(395)
    client = make_client(server, limits=RateLimits(facility_rate=1e6, vendor_rate=1e6))
    progress: list[PullProgress] = []

    packages = await client.list_packages(LICENSE, "active", on_progress=progress.append)

    assert sorted(p.id for p in packages) == list(range(1, 396))
    requested = server.pages_requested()
    assert requested[0] == 1
    assert sorted(requested) == list(range(1, 21))
    assert 1 < server.peak <= 10
    assert progress[-1] == PullProgress(
        done=20, total=20, records=395, windows_done=1, windows_total=1
    )
    assert [p.done for p in progress[:-1]] == list(range(1, 21))


async def test_a_full_pull_stops_scheduling_when_pages_repeat(make_client: ClientFactory) -> None:
    server = PagedServer(1000, ignore_page_number=True)
    client = make_client(server, limits=RateLimits(facility_rate=1e6, vendor_rate=1e6))

    progress: list[PullProgress] = []
    packages = await client.list_packages(LICENSE, on_progress=progress.append)

    assert len(packages) == 20
    assert len(server.requests) < 50 // 2
    assert progress[-1].done == progress[-1].total == len(server.requests)


async def test_a_pull_re_reads_the_window_when_records_shift_between_pages(
    make_client: ClientFactory,
) -> None:
    server = PagedServer(60)
    client = make_client(server, limits=RateLimits(facility_rate=1e6, vendor_rate=1e6))
    removed = {"done": False}

    def on_page(number: int) -> None:
        # A package on page 1 leaves the list after page 1 was read: everything after it
        # shifts one place towards the front, so record 21 would be skipped without a re-read.
        if number == 2 and not removed["done"]:
            removed["done"] = True
            del server.records[0]

    server.on_page = on_page

    packages = await client.list_packages(LICENSE)

    assert sorted(p.id for p in packages) == list(range(1, 61))
    assert len({p.id for p in packages}) == len(packages)


async def test_stopping_a_stream_early_cancels_its_pending_requests(
    make_client: ClientFactory,
) -> None:
    server = PagedServer(400)
    client = make_client(server, limits=RateLimits(facility_rate=1e6, vendor_rate=1e6))

    stream = client.stream(ep.ACTIVE_PACKAGES, LICENSE)
    async for batch in stream:
        if batch.progress.done == 3:
            break
    await stream.aclose()  # type: ignore[attr-defined]

    assert len(server.requests) < 20


def test_windows_are_at_most_24_hours_and_oldest_first() -> None:
    windows = split_windows(T0, T0 + timedelta(hours=50))
    assert windows == [
        Window(T0, T0 + timedelta(hours=24)),
        Window(T0 + timedelta(hours=24), T0 + timedelta(hours=48)),
        Window(T0 + timedelta(hours=48), T0 + timedelta(hours=50)),
    ]
    assert split_windows(T0, T0 + timedelta(hours=48)) == windows[:2]
    assert split_windows(T0, T0) == [Window(T0, T0)]
    assert split_windows(T0, T0 + timedelta(hours=3), timedelta(hours=1))[-1].end == T0 + timedelta(
        hours=3
    )


def test_windows_are_refused_for_naive_or_reversed_ranges() -> None:
    with pytest.raises(ValueError, match="aware"):
        split_windows(datetime(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="before"):
        split_windows(T0, T0 - timedelta(seconds=1))


def test_window_parameters_use_z_not_plus() -> None:
    params = Window(T0, T0 + timedelta(hours=1)).params()
    assert params == {
        "lastModifiedStart": "2026-02-01T00:00:00Z",
        "lastModifiedEnd": "2026-02-01T01:00:00Z",
    }


async def test_a_windowed_pull_walks_windows_oldest_first_and_dedupes_boundaries(
    make_client: ClientFactory,
) -> None:
    server = PagedServer(0)
    # One record per 6 hours across three days, one of them exactly on a window boundary.
    server.records = [
        {**package(i), "LastModified": (T0 + timedelta(hours=6 * i)).isoformat()} for i in range(12)
    ]
    client = make_client(server, limits=RateLimits(facility_rate=1e6, vendor_rate=1e6))

    packages = await client.list_packages(LICENSE, since=T0, until=T0 + timedelta(hours=66))

    starts = [r.url.params["lastModifiedStart"] for r in server.requests]
    assert starts == sorted(starts)
    assert len(set(starts)) == 3
    assert sorted(p.id for p in packages) == list(range(12))


async def test_a_window_on_an_endpoint_without_the_filter_is_refused(
    make_client: ClientFactory,
) -> None:
    client = make_client(PagedServer(1))
    with pytest.raises(ValueError, match="no last-modified filter"):
        await client.pull(ep.PACKAGE_ADJUSTMENTS, LICENSE, since=T0)


async def test_bare_arrays_and_envelopes_are_both_accepted_anywhere(
    make_client: ClientFactory,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/packages/v2/active":
            return httpx.Response(200, json=[package(1), package(2)])
        return httpx.Response(
            200, json={"Data": [{"Label": "1A4FF0100000022000000001"}], "TotalPages": 1}
        )

    client = make_client(handler)

    assert len(await client.list_packages(LICENSE)) == 2
    assert len(await client.list_available_tags(LICENSE)) == 1


async def test_unpaged_endpoints_send_no_paging_parameters(make_client: ClientFactory) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = make_client(handler)
    await client.list_units_of_measure()
    await client.list_available_tags(LICENSE, "plant")

    assert "pageNumber" not in seen[0].url.params
    assert "licenseNumber" not in seen[0].url.params
    assert seen[1].url.path == "/tags/v2/plant/available"
    assert seen[1].url.params["licenseNumber"] == LICENSE


def test_page_size_above_metrc_maximum_is_refused(make_client: ClientFactory) -> None:
    with pytest.raises(ValueError, match="page_size"):
        make_client(lambda r: httpx.Response(200), page_size=21)


async def test_progress_reports_windows(make_client: ClientFactory) -> None:
    server = PagedServer(0)
    client = make_client(server)
    progress: list[PullProgress] = []

    await client.list_packages(
        LICENSE, since=T0, until=T0 + timedelta(hours=30), on_progress=progress.append
    )

    assert progress[-1].windows_total == 2
    assert progress[-1].windows_done == 2
    assert Counter(p.windows_done for p in progress)[0] >= 1
