"""``python -m reporting api|worker|migrate|rebuild``: the reporting service's processes.

``rebuild`` replays ``inventory.batch.events`` and ``compliance.events`` from the start into a
new read-model generation, swaps it in once caught up, drops the old one and exits (status 1
if it was stopped before the swap)."""

from __future__ import annotations

import asyncio
import gc
import sys

from shared.runner import ServiceCommands, run_until_signalled
from shared.telemetry import configure_logging

from reporting import bootstrap
from reporting.config import ReportingSettings
from reporting.entrypoints.rebuild import rebuild
from reporting.entrypoints.worker import worker


async def _worker(settings: ReportingSettings, stop: asyncio.Event) -> None:
    container = bootstrap.build(settings)
    # What the process holds once started (modules, models, the container) stays for its life:
    # kept out of the collector's full passes, which otherwise stall a batch for tens of ms
    # (a lag spike) every so often, for nothing to collect.
    gc.collect()
    gc.freeze()
    try:
        await worker(container, stop)
    finally:
        await container.close()


COMMANDS = ServiceCommands(
    name="reporting",
    settings=ReportingSettings,
    default_port=8003,
    worker=_worker,
    has_outbox=False,
)


def _rebuild() -> int:
    settings = ReportingSettings()
    configure_logging(settings)
    swapped = False

    async def body(stop: asyncio.Event) -> None:
        nonlocal swapped
        container = bootstrap.build(settings)
        try:
            result = await rebuild(container, stop)
        finally:
            await container.close()
        if result is not None:
            swapped = True
            sys.stdout.write(
                f"rebuilt generation {result.generation}: {result.events} events"
                f" in {result.seconds:.1f} s ({result.rate:,.0f} ev/s),"
                f" {result.skipped} skipped (poison)\n"
            )

    asyncio.run(run_until_signalled(body))
    return 0 if swapped else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["rebuild"]:
        return _rebuild()
    return COMMANDS.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
