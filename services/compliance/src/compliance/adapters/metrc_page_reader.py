"""``PageReader`` on the real client: each feed of the mirror is one Metrc list endpoint.

It also counts, per license, the GETs of the last minute and the 429s among them: the rate-limit
budget sync health shows.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from compliance.adapters.metrc import MetrcClient
from compliance.adapters.metrc import endpoints as ep
from compliance.adapters.metrc.errors import MetrcRateLimitedError
from compliance.adapters.metrc.paging import ListEndpoint, Window
from compliance.domain.mirror import Feed, PullWindow
from compliance.service_layer.mirror_ports import RateBudget, SourcePage

__all__ = ["ENDPOINTS", "MetrcPageReader", "RequestMeter"]

ENDPOINTS: dict[Feed, ListEndpoint[Any]] = {
    Feed.PACKAGES_ACTIVE: ep.ACTIVE_PACKAGES,
    Feed.PACKAGES_INACTIVE: ep.INACTIVE_PACKAGES,
    Feed.PACKAGES_ONHOLD: ep.ONHOLD_PACKAGES,
    Feed.PACKAGES_INTRANSIT: ep.INTRANSIT_PACKAGES,
    Feed.PLANTS_VEGETATIVE: ep.VEGETATIVE_PLANTS,
    Feed.PLANTS_FLOWERING: ep.FLOWERING_PLANTS,
    Feed.PLANTS_INACTIVE: ep.INACTIVE_PLANTS,
    Feed.PLANT_BATCHES_ACTIVE: ep.ACTIVE_PLANT_BATCHES,
    Feed.PLANT_BATCHES_INACTIVE: ep.INACTIVE_PLANT_BATCHES,
    Feed.HARVESTS_ACTIVE: ep.ACTIVE_HARVESTS,
    Feed.HARVESTS_INACTIVE: ep.INACTIVE_HARVESTS,
    Feed.ITEMS_ACTIVE: ep.ACTIVE_ITEMS,
    Feed.STRAINS_ACTIVE: ep.ACTIVE_STRAINS,
    Feed.LOCATIONS_ACTIVE: ep.ACTIVE_LOCATIONS,
    Feed.TAGS_PACKAGE: ep.AVAILABLE_PACKAGE_TAGS,
    Feed.TAGS_PLANT: ep.AVAILABLE_PLANT_TAGS,
    Feed.ADJUSTMENTS: ep.PACKAGE_ADJUSTMENTS,
    Feed.TRANSFERS_INCOMING: ep.INCOMING_TRANSFERS,
}


class RequestMeter:
    """GETs and 429s per license over the last minute, and GETs in flight."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._limited: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    def _trim(self, times: deque[float]) -> deque[float]:
        horizon = self._clock() - 60.0
        while times and times[0] < horizon:
            times.popleft()
        return times

    def started(self, license_number: str) -> None:
        self._trim(self._sent.setdefault(license_number, deque())).append(self._clock())
        self._in_flight[license_number] = self._in_flight.get(license_number, 0) + 1

    def ended(self, license_number: str, *, rate_limited: bool) -> None:
        self._in_flight[license_number] -= 1
        if rate_limited:
            self._trim(self._limited.setdefault(license_number, deque())).append(self._clock())

    def metered(self) -> list[str]:
        return sorted(self._sent)

    def budget(self, license_number: str, per_second: float) -> RateBudget:
        return RateBudget(
            used_last_minute=len(self._trim(self._sent.get(license_number, deque()))),
            allowed_per_minute=int(per_second * 60),
            rate_limited_last_minute=len(self._trim(self._limited.get(license_number, deque()))),
            in_flight=self._in_flight.get(license_number, 0),
        )


class MetrcPageReader:
    def __init__(self, client: MetrcClient, meter: RequestMeter) -> None:
        self._client = client
        self._meter = meter

    @property
    def concurrency(self) -> int:
        # A second rank waits on the limiter, so a freed slot is reused at once.
        return 2 * self._client.limiter.limits.facility_concurrency

    async def read_page(
        self, feed: Feed, license_number: str, page_number: int, window: PullWindow | None
    ) -> SourcePage:
        endpoint = ENDPOINTS[feed]
        metrc_window = None if window is None else Window(window.start, window.end)
        self._meter.started(license_number)
        limited = False
        try:
            # The mirror keeps Metrc's records as sent; building models would only cost CPU.
            raw, _ = await self._client.fetch_page(
                endpoint, license_number, page_number, metrc_window, validate=False
            )
        except MetrcRateLimitedError:
            limited = True
            raise
        finally:
            self._meter.ended(license_number, rate_limited=limited)
        return SourcePage(
            records=raw.data,
            page_number=raw.page_number,
            total_pages=raw.total_pages,
            total_records=raw.total_records,
        )
