"""Test helpers for code that uses Metrc: a fake clock for the client's limiter and retries, one
description of a Metrc state (``MetrcWorld``) that loads into the in-memory ``FakeMetrc`` and into
the Metrc sandbox, the sandbox run as a process, and ``MetrcControl`` for what only Metrc's web UI
does (holds, sending a manifest, receiving a delivery)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from compliance.adapters.metrc.control import MetrcControl, SentTransfer
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.testing.sandbox import SandboxProcess, default_seed
from compliance.adapters.metrc.testing.world import (
    GROWER,
    PARTNER,
    STORE,
    MetrcWorld,
    WorldFacility,
    WorldItem,
    WorldPackage,
    contract_world,
    facility_today,
)

__all__ = [
    "GROWER",
    "PARTNER",
    "STORE",
    "FakeClock",
    "MetrcBackend",
    "MetrcControl",
    "MetrcWorld",
    "SandboxProcess",
    "SentTransfer",
    "WorldFacility",
    "WorldItem",
    "WorldPackage",
    "contract_world",
    "default_seed",
    "facility_today",
]


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


@dataclass(frozen=True)
class MetrcBackend:
    """One Metrc to run a test against: the port, its web-UI control, and the world it was
    loaded with. ``name`` is ``"fake"`` or ``"sandbox"``."""

    name: str
    metrc: MetrcPort
    control: MetrcControl
    world: MetrcWorld
