"""The command line of every service process: ``python -m <service> api|relay|worker|migrate``.

One service, several processes: the HTTP API (uvicorn), the outbox relay, and the Kafka workers
each run on their own, so each can be scaled and restarted on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from shared.api_workers import WorkerSupervisor, die_with_parent, reuse_port_sockets
from shared.outbox.relay import OutboxRelay, RelayConfig
from shared.settings import ServiceSettings
from shared.telemetry import configure_logging, configure_tracing, serving_operations

__all__ = ["ServiceCommands", "run_until_signalled"]

log = logging.getLogger(__name__)


S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class ServiceCommands(Generic[S]):
    """A service's command line, ``python -m <name> ...``. The API's app comes from
    ``app_factory`` ("package.module:function"; by default the service's
    ``bootstrap.create_app``); ``migrate`` runs the package's ``migrations`` folder;
    ``worker(settings, stop)`` (``shared.messaging.consumer_worker``) consumes Kafka until
    ``stop`` is set; ``relay`` publishes the outbox unless ``has_outbox`` is false. A relay and a
    worker serve ``/metrics`` and ``/healthz`` on ``--metrics-port`` (or ``$METRICS_PORT``)."""

    name: str
    settings: Callable[[], S]
    default_port: int
    worker: Callable[[S, asyncio.Event], Awaitable[None]] | None = None
    has_outbox: bool = True
    app_factory: str = ""

    @property
    def factory(self) -> str:
        return self.app_factory or f"{self.name}.bootstrap:create_app"

    @property
    def migrations(self) -> Path | None:
        spec = importlib.util.find_spec(self.name)
        folder = Path(spec.origin or "").parent / "migrations" if spec else None
        return folder if folder is not None and folder.is_dir() else None

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
        api.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("API_WORKERS", "1")),
            help="API processes, each with its own socket on the port (default: $API_WORKERS or 1)",
        )
        # How the supervisor hands a worker its socket (shared.api_workers).
        api.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
        api.add_argument("--supervisor-pid", type=int, help=argparse.SUPPRESS)
        if self.has_outbox:
            _operations_options(commands.add_parser("relay", help="publish the outbox to Kafka"))
        if self.worker is not None:
            _operations_options(commands.add_parser("worker", help="consume Kafka events"))
        if self.migrations is not None:
            commands.add_parser("migrate", help="upgrade the database to the latest schema")
        args = parser.parse_args(argv)

        settings = self.settings()
        configure_logging(settings)
        match args.command:
            case "api":
                return self._serve(args)
            case "relay":
                configure_tracing(settings)
                relay = OutboxRelay(
                    RelayConfig(
                        name=self.name,
                        database_url=settings.database_url.get_secret_value(),
                        bootstrap_servers=settings.kafka_bootstrap_servers,
                    )
                )
                asyncio.run(run_until_signalled(_with_operations(args, relay.run)))
            case "worker":
                assert self.worker is not None
                configure_tracing(settings)
                worker = self.worker
                body = _with_operations(args, lambda stop: worker(settings, stop))
                asyncio.run(run_until_signalled(body))
            case "migrate":
                from shared.migrations import upgrade

                assert self.migrations is not None
                upgrade(self.migrations, settings.database_url.get_secret_value())
        return 0

    def _serve(self, args: argparse.Namespace) -> int:
        import uvicorn

        options: dict[str, Any] = {
            "factory": True,
            "loop": "uvloop",
            "http": "httptools",
            "log_config": None,
            "access_log": False,
        }
        if args.listen_fd is not None:  # one of several workers, started by the supervisor
            die_with_parent(args.supervisor_pid)
            sock = socket.socket(fileno=args.listen_fd)
            uvicorn.Server(uvicorn.Config(self.factory, **options)).run(sockets=[sock])
            return 0
        if args.workers <= 1:
            uvicorn.run(self.factory, host=args.host, port=args.port, **options)
            return 0
        sockets = reuse_port_sockets(args.host, args.port, args.workers)
        worker = [sys.executable, "-m", self.name, "api", "--supervisor-pid", str(os.getpid())]
        return WorkerSupervisor(sockets, lambda fd: [*worker, "--listen-fd", str(fd)]).run()


def _operations_options(command: argparse.ArgumentParser) -> None:
    """A relay's or worker's ``/metrics`` and ``/healthz`` (shared.telemetry.operations)."""
    port = os.environ.get("METRICS_PORT")
    command.add_argument(
        "--metrics-port",
        type=int,
        default=int(port) if port else None,
        help="serve /metrics and /healthz on this port (default: $METRICS_PORT; unset: none)",
    )
    command.add_argument(
        "--host",
        default="127.0.0.1",
        help="the interface the metrics port listens on (0.0.0.0 in a container)",
    )


def _with_operations(
    args: argparse.Namespace, body: Callable[[asyncio.Event], Awaitable[None]]
) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def serving(stop: asyncio.Event) -> None:
        async with serving_operations(args.host, args.metrics_port):
            await body(stop)

    return serving


async def run_until_signalled(body: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``body(stop)``; SIGTERM and SIGINT set ``stop`` so work finishes its current step."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await body(stop)
