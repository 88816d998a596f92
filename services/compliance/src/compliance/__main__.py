"""``python -m compliance api|relay|migrate``: the compliance service's processes."""

from pathlib import Path

from shared.runner import ServiceCommands

from compliance.config import ComplianceSettings

COMMANDS = ServiceCommands(
    name="compliance",
    app_factory="compliance.entrypoints.api:create_app",
    settings=ComplianceSettings,
    migrations=Path(__file__).parent / "migrations",
    default_port=8002,
    has_outbox=True,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
