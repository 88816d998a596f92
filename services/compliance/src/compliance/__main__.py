"""``python -m compliance api|relay|worker|migrate``: the compliance service's processes."""

from pathlib import Path

from shared.runner import ServiceCommands

from compliance import bootstrap
from compliance.config import ComplianceSettings

COMMANDS = ServiceCommands(
    name="compliance",
    app_factory="compliance.bootstrap:create_app",
    settings=ComplianceSettings,
    migrations=Path(__file__).parent / "migrations",
    worker=bootstrap.worker,
    default_port=8002,
    has_outbox=True,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
