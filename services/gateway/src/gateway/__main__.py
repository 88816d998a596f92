"""``python -m gateway api|migrate|create-admin|seed-demo``: the gateway service's processes and
its account commands."""

import sys

from shared.runner import ServiceCommands

from gateway.config import GatewaySettings

COMMANDS = ServiceCommands(
    name="gateway",
    settings=GatewaySettings,
    default_port=8000,
    has_outbox=False,
    app_factory="gateway.entrypoints.api:create_app",
)


def main(argv: list[str]) -> int:
    # The account commands are the gateway's own; everything else is a standard service command.
    if argv and argv[0] in ("create-admin", "seed-demo"):
        from gateway.entrypoints.cli import main as accounts_main

        return accounts_main(argv)
    return COMMANDS.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
