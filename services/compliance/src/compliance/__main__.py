"""``python -m compliance api|relay|worker|migrate``: the compliance service's processes."""

from shared.runner import ServiceCommands

from compliance import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints.worker import compliance_worker

COMMANDS = ServiceCommands(
    name="compliance",
    settings=ComplianceSettings,
    default_port=8002,
    worker=compliance_worker(bootstrap.build, bootstrap.mailer),
)

if __name__ == "__main__":
    raise SystemExit(COMMANDS.main())
