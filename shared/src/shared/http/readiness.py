"""Readiness checks: ``/readyz`` answers 200 only when each check (the service's database, Kafka)
answers within a short timeout, so orchestrators route traffic only to processes that can work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["KafkaReadiness", "ReadinessCheck"]

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises (or times out) when the dependency is not there; ``Database.check`` is one."""


class KafkaReadiness:
    """A metadata round trip to the cluster, on a client kept open between checks."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._client: Any = None
        self._connecting = asyncio.Lock()

    async def __call__(self) -> None:
        await (await self._connected()).fetch_all_metadata()

    async def _connected(self) -> Any:
        from aiokafka.client import AIOKafkaClient

        async with self._connecting:
            if self._client is None:
                # Kept only once bootstrapped: a client that never reached the cluster stays
                # without brokers for good, and would keep a recovered Kafka looking down.
                client = AIOKafkaClient(bootstrap_servers=self._bootstrap)
                try:
                    await client.bootstrap()
                except BaseException:
                    await client.close()
                    raise
                self._client = client
            return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
