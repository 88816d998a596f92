"""``python -m gateway api|migrate``: the gateway service's processes."""

from pathlib import Path

from shared.runner import ServiceCommands

from gateway.config import GatewaySettings

COMMANDS = ServiceCommands(
    name="gateway",
    app_factory="gateway.entrypoints.api:create_app",
    settings=GatewaySettings,
    migrations=Path(__file__).parent / "migrations",
    default_port=8000,
    has_outbox=False,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
