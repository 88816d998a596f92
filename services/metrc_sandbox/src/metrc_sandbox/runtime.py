"""The running sandbox: current state, config, fault queue, limiter and request statistics."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.faults import FaultQueue
from metrc_sandbox.limits import GetLimiter
from metrc_sandbox.seed import DEFAULT_SEED, SeedDocument, build_state
from metrc_sandbox.store import SandboxState


@dataclass
class RouteStats:
    requests: int = 0
    applied: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


class Sandbox:
    def __init__(self, config: SandboxConfig, seed: SeedDocument | None = None) -> None:
        self.config = config
        self.faults = FaultQueue()
        # Writes never await while changing state, so this lock is belt and braces: it keeps a
        # write's validate-and-apply atomic even if a future change adds an await inside it.
        self.lock = asyncio.Lock()
        self.reset(seed or SeedDocument.model_validate(DEFAULT_SEED))

    def reset(self, seed: SeedDocument) -> None:
        """Replace everything but the config; faults are cleared so no test inherits another's."""
        self.state: SandboxState = build_state(seed)
        self.limiter = GetLimiter()
        # Its own generator, so latency draws never shift anything derived from the seed.
        self.latency_rng = random.Random(seed.seed)
        self.faults.clear()
        self.stats: dict[str, RouteStats] = {}

    def latency_seconds(self) -> float:
        config = self.config
        jitter = self.latency_rng.uniform(0, config.jitter_ms) if config.jitter_ms else 0.0
        return (config.latency_ms + jitter) / 1000

    def route_stats(self, method: str, template: str) -> RouteStats:
        key = f"{method} {template}"
        stats = self.stats.get(key)
        if stats is None:
            stats = self.stats[key] = RouteStats()
        return stats
