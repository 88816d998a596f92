"""``python -m inventory api|relay|worker|migrate``: the inventory service's processes."""

from shared.runner import ServiceCommands

from inventory import bootstrap
from inventory.config import InventorySettings

COMMANDS = ServiceCommands(
    name="inventory",
    settings=InventorySettings,
    default_port=8001,
    worker=bootstrap.worker,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
