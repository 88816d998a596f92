"""``python -m compliance api|relay|worker|migrate``: the compliance service's processes."""

from shared.messaging import consumer_worker
from shared.runner import ServiceCommands

from compliance import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers

COMMANDS = ServiceCommands(
    name="compliance",
    settings=ComplianceSettings,
    default_port=8002,
    worker=consumer_worker(bootstrap.build, consumers.subscribe),
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
