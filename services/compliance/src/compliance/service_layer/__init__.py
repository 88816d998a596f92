"""The compliance service layer: handlers that take commands and reach storage and Metrc only
through the ports in ``ports.py``. Bootstrap wires the adapters in; tests use the in-memory unit
of work and ``FakeMetrc``."""

from compliance.service_layer.commands import (
    DismissSubmission,
    PushBatch,
    RetryFailed,
    SaveCredentials,
    SaveRules,
    ValidateCredentials,
)
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.credentials import (
    CredentialsService,
    CredentialsView,
    InvalidCredentialsError,
    MetrcUnavailableError,
)
from compliance.service_layer.errors import NotFoundError
from compliance.service_layer.manual import ManualOperations, ManualPush
from compliance.service_layer.notify import deliver_notifications
from compliance.service_layer.push import Pusher
from compliance.service_layer.queries import (
    BatchCompliance,
    LicenseSyncHealth,
    Queries,
    QueueHealth,
)
from compliance.service_layer.record import Recorded, record_batch_change
from compliance.service_layer.recovery import Recovery, RecoveryReport
from compliance.service_layer.report import PushReport
from compliance.service_layer.rules import RulesSaved, RulesService

__all__ = [
    "BatchCompliance",
    "CredentialsService",
    "CredentialsView",
    "DismissSubmission",
    "InvalidCredentialsError",
    "LicenseSyncHealth",
    "ManualOperations",
    "ManualPush",
    "MetrcUnavailableError",
    "NotFoundError",
    "PushBatch",
    "PushReport",
    "Pusher",
    "Queries",
    "QueueHealth",
    "Recorded",
    "Recovery",
    "RecoveryReport",
    "RetryFailed",
    "RulesSaved",
    "RulesService",
    "SaveCredentials",
    "SaveRules",
    "ServiceContext",
    "ValidateCredentials",
    "deliver_notifications",
    "record_batch_change",
]
