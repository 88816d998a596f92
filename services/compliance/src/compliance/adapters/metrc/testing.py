"""Test helpers for code that uses the Metrc client (the in-memory port is in ``fake.py``)."""

from __future__ import annotations

import asyncio

__all__ = ["FakeClock"]


class FakeClock:
    """A ``Clock`` whose time moves only when someone sleeps; every sleep is recorded.

    Sleeping still yields to the event loop once, so concurrent tasks interleave as they would
    with real time.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)
