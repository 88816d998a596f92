"""``python -m compliance.sync_process``: only the worker's pull side (scheduled and requested
sync runs), without the Kafka consumer and the push lanes: for a separate sync container, and
for the tests that SIGKILL a pull in the middle."""

from __future__ import annotations

import asyncio
import logging

from shared.runner import run_until_signalled

from compliance import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints.sync_loop import sync_job


async def serve(stop: asyncio.Event) -> None:
    settings = ComplianceSettings()
    container = bootstrap.build(settings)
    try:
        await sync_job(container, settings, stop)
    finally:
        await container.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_until_signalled(serve))
