"""``python -m inventory api|relay|migrate``: the inventory service's processes."""

from pathlib import Path

from shared.runner import ServiceCommands

from inventory.config import InventorySettings

COMMANDS = ServiceCommands(
    name="inventory",
    app_factory="inventory.bootstrap:create_app",
    settings=InventorySettings,
    migrations=Path(__file__).parent / "migrations",
    default_port=8001,
    has_outbox=True,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
