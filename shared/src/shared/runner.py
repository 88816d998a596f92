"""The command line of every service process: ``python -m <service> api|relay|worker|migrate``.

One service, several processes: the HTTP API (uvicorn), the outbox relay, and the Kafka workers
each run on their own, so each can be scaled and restarted on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from shared.outbox.relay import OutboxRelay, RelayConfig
from shared.settings import ServiceSettings
from shared.telemetry import configure_logging, configure_tracing

__all__ = ["ServiceCommands", "run_until_signalled"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceCommands:
    name: str
    app_factory: str  # "package.module:function" for uvicorn's --factory
    settings: Callable[[], ServiceSettings]
    migrations: Path | None = None
    worker: Callable[[ServiceSettings, asyncio.Event], Awaitable[None]] | None = None
    default_port: int = 8000
    has_outbox: bool = True

    def subcommands(self) -> tuple[str, ...]:
        offered = ["api"]
        if self.has_outbox:
            offered.append("relay")
        if self.worker is not None:
            offered.append("worker")
        if self.migrations is not None:
            offered.append("migrate")
        return tuple(offered)

    def main(self, argv: list[str] | None = None) -> int:
        parser = argparse.ArgumentParser(prog=f"python -m {self.name}")
        commands = parser.add_subparsers(dest="command", required=True)
        api = commands.add_parser("api", help="serve the HTTP API")
        api.add_argument("--host", default="127.0.0.1")
        api.add_argument("--port", type=int, default=self.default_port)
        api.add_argument("--workers", type=int, default=1)
        if self.has_outbox:
            commands.add_parser("relay", help="publish the outbox to Kafka")
        if self.worker is not None:
            commands.add_parser("worker", help="consume Kafka events")
        if self.migrations is not None:
            commands.add_parser("migrate", help="upgrade the database to the latest schema")
        args = parser.parse_args(argv)

        settings = self.settings()
        configure_logging(settings)
        match args.command:
            case "api":
                import uvicorn

                uvicorn.run(
                    self.app_factory,
                    factory=True,
                    host=args.host,
                    port=args.port,
                    workers=args.workers,
                    loop="uvloop",
                    http="httptools",
                    log_config=None,
                    access_log=False,
                )
            case "relay":
                configure_tracing(settings)
                relay = OutboxRelay(
                    RelayConfig(
                        name=self.name,
                        database_url=settings.database_url.get_secret_value(),
                        bootstrap_servers=settings.kafka_bootstrap_servers,
                    )
                )
                asyncio.run(run_until_signalled(relay.run))
            case "worker":
                assert self.worker is not None
                configure_tracing(settings)
                worker = self.worker
                asyncio.run(run_until_signalled(lambda stop: worker(settings, stop)))
            case "migrate":
                from shared.migrations import upgrade

                assert self.migrations is not None
                upgrade(self.migrations, settings.database_url.get_secret_value())
        return 0


async def run_until_signalled(body: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``body(stop)``; SIGTERM and SIGINT set ``stop`` so work finishes its current step."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await body(stop)
