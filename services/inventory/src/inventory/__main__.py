"""``python -m inventory api|relay|migrate``: the inventory service's processes."""

from shared.runner import ServiceCommands

from inventory.config import InventorySettings

COMMANDS = ServiceCommands(name="inventory", settings=InventorySettings, default_port=8001)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
