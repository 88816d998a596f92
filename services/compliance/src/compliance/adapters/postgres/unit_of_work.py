"""The compliance unit of work on PostgreSQL: ``shared.database``'s (one pooled connection, one
transaction) with the compliance repositories attached; implements
``service_layer.ports.UnitOfWork``.

Being ``shared.database.UnitOfWork``, it is also what ``shared.messaging.InboxConsumer`` opens
per inventory event, so the inbox row, the links and submissions ``record_batch_change`` writes
and the events it publishes commit together. Events go to the outbox table in the same
transaction (``shared.outbox``); the relay publishes them on ``compliance.events``.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from pydantic import BaseModel
from shared.database import Connection, Sql
from shared.database import UnitOfWork as SharedUnitOfWork
from shared.events import compliance as ev
from shared.outbox import OutboxMessage, outbox_message, write_outbox

from compliance.adapters.postgres.event_forms import event_form
from compliance.adapters.postgres.incoming_deliveries import PgIncomingDeliveries
from compliance.adapters.postgres.reconciliation import (
    PgFindings,
    PgMovements,
    PgReconciliationReads,
)
from compliance.adapters.postgres.records import (
    PgCredentials,
    PgJurisdictions,
    PgLinks,
    PgNotifications,
    PgSyncLog,
)
from compliance.adapters.postgres.submissions import PgSubmissions
from compliance.adapters.postgres.transfer_manifests import PgTransferManifests
from compliance.domain import (
    ComplianceEvent,
    PackageLinkChanged,
    PushAccepted,
    PushDismissed,
    PushFailed,
    PushPlanned,
    PushRejected,
    PushRetried,
)

__all__ = ["PRODUCER", "ComplianceUnitOfWork", "PgOutbox", "payload_of"]

PRODUCER: Final = "compliance"
_LOCK = Sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_PAYLOADS: Final[dict[type[ComplianceEvent], type[BaseModel]]] = {
    PackageLinkChanged: ev.PackageLinkChangedV1,
    PushPlanned: ev.PushPlannedV1,
    PushAccepted: ev.PushAcceptedV1,
    PushRejected: ev.PushRejectedV1,
    PushFailed: ev.PushFailedV1,
    PushRetried: ev.PushRetriedV1,
    PushDismissed: ev.PushDismissedV1,
}


def payload_of(event: ComplianceEvent) -> BaseModel:
    """The registered payload (``shared.events.compliance``) of a domain event."""
    return _PAYLOADS[type(event)].model_validate(dataclasses.asdict(event))


class PgOutbox:
    """Events of the unit of work, written to the outbox table in one statement when it
    commits (``flush``), not one round trip each."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._messages: list[OutboxMessage] = []

    async def add(self, event: ComplianceEvent) -> None:
        form = event_form(event)
        payload, model = (payload_of(event), None) if form is None else form
        self._messages.append(
            outbox_message(
                payload,
                event=model,
                producer=PRODUCER,
                aggregate_id=str(event.batch_id),
                site_id=str(event.site_id),
                occurred_at=event.occurred_at,
            )
        )

    async def flush(self) -> None:
        messages, self._messages = self._messages, []
        await write_outbox(self._conn, messages)


class ComplianceUnitOfWork(SharedUnitOfWork):
    jurisdictions: PgJurisdictions
    credentials: PgCredentials
    links: PgLinks
    submissions: PgSubmissions
    sync_log: PgSyncLog
    notifications: PgNotifications
    outbox: PgOutbox
    transfer_manifests: PgTransferManifests
    incoming_deliveries: PgIncomingDeliveries
    movements: PgMovements
    findings: PgFindings
    reconciliation: PgReconciliationReads

    def attach(self, conn: Connection) -> None:
        self.jurisdictions = PgJurisdictions(conn)
        self.credentials = PgCredentials(conn)
        self.links = PgLinks(conn)
        self.submissions = PgSubmissions(conn)
        self.sync_log = PgSyncLog(conn)
        self.notifications = PgNotifications(conn)
        self.outbox = PgOutbox(conn)
        self.transfer_manifests = PgTransferManifests(conn)
        self.incoming_deliveries = PgIncomingDeliveries(conn)
        self.movements = PgMovements(conn)
        self.findings = PgFindings(conn)
        self.reconciliation = PgReconciliationReads(conn)

    async def commit(self) -> None:
        await self.outbox.flush()
        await super().commit()

    async def lock_license(self, license_number: str) -> None:
        # Held until the transaction ends; taking it twice in one transaction is harmless.
        key = f"compliance.license:{license_number}"
        await self.conn.execute(_LOCK.text, *_LOCK.args({"key": key}))
