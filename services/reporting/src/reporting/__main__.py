"""``python -m reporting api|worker|migrate``: the reporting service's processes."""

from pathlib import Path

from shared.runner import ServiceCommands

from reporting import bootstrap
from reporting.config import ReportingSettings

COMMANDS = ServiceCommands(
    name="reporting",
    app_factory="reporting.bootstrap:create_app",
    settings=ReportingSettings,
    migrations=Path(__file__).parent / "migrations",
    worker=bootstrap.worker,
    default_port=8003,
    has_outbox=False,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
