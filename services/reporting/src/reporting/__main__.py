"""``python -m reporting api|worker|migrate``: the reporting service's processes."""

from shared.messaging import consumer_worker
from shared.runner import ServiceCommands

from reporting import bootstrap
from reporting.config import ReportingSettings
from reporting.entrypoints import consumers

COMMANDS = ServiceCommands(
    name="reporting",
    settings=ReportingSettings,
    default_port=8003,
    worker=consumer_worker(bootstrap.build, consumers.subscribe),
    has_outbox=False,
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
