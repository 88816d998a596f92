"""Incoming manifest deliveries on PostgreSQL (``IncomingDeliveryStore``), on the unit of work's
connection: a delivery's row and its ``compliance.incoming_transfer.changed`` event are written in
the same transaction, and only when its fingerprint is new (one conditional upsert: of two pulls
racing, the second finds the first's fingerprint and stages nothing)."""

from __future__ import annotations

import json
from datetime import datetime

from shared.database import Connection, Sql
from shared.events import compliance as ev
from shared.outbox import outbox_message, write_outbox

from compliance.domain.incoming_transfers import IncomingDelivery

__all__ = ["PgIncomingDeliveries", "delivery_key"]

_PRODUCER = "compliance"
_RECORDED = Sql(
    "SELECT delivery_id, last_modified FROM incoming_delivery"
    " WHERE license_number = :license_number"
)
_UPSERT = Sql(
    "INSERT INTO incoming_delivery (license_number, delivery_id, metrc_transfer_id,"
    " manifest_number, last_modified, fingerprint, snapshot, published_at)"
    " VALUES (:license_number, :delivery_id, :metrc_transfer_id, :manifest_number,"
    " :last_modified, :fingerprint, CAST(:snapshot AS jsonb), :at)"
    " ON CONFLICT (license_number, delivery_id) DO UPDATE SET"
    " last_modified = EXCLUDED.last_modified, manifest_number = EXCLUDED.manifest_number,"
    " fingerprint = EXCLUDED.fingerprint, snapshot = EXCLUDED.snapshot,"
    " published_at = CASE WHEN incoming_delivery.fingerprint = EXCLUDED.fingerprint"
    " THEN incoming_delivery.published_at ELSE EXCLUDED.published_at END"
    " RETURNING (xmax = 0) AS inserted, published_at = :at AS changed"
)


def delivery_key(license_number: str, delivery_id: int) -> str:
    """The event's key: one partition per delivery keeps its changes in order."""
    return f"{license_number}:{delivery_id}"


class PgIncomingDeliveries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def recorded(self, license_number: str) -> dict[int, datetime | None]:
        rows = await self._conn.fetch(
            _RECORDED.text, *_RECORDED.args({"license_number": license_number})
        )
        return {int(r["delivery_id"]): r["last_modified"] for r in rows}

    async def record(
        self, delivery: IncomingDelivery, last_modified: datetime | None, at: datetime
    ) -> bool:
        snapshot = delivery.to_json()
        fingerprint = delivery.fingerprint()
        row = await self._conn.fetchrow(
            _UPSERT.text,
            *_UPSERT.args(
                {
                    "license_number": delivery.license_number,
                    "delivery_id": delivery.delivery_id,
                    "metrc_transfer_id": delivery.metrc_transfer_id,
                    "manifest_number": delivery.manifest_number,
                    "last_modified": last_modified,
                    "fingerprint": fingerprint,
                    "snapshot": json.dumps(snapshot),
                    "at": at,
                }
            ),
        )
        assert row is not None
        if not (row["inserted"] or row["changed"]):
            return False
        payload = ev.IncomingTransferChangedV1.model_validate(
            {**snapshot, "fingerprint": fingerprint, "occurred_at": at}
        )
        await write_outbox(
            self._conn,
            [
                outbox_message(
                    payload,
                    producer=_PRODUCER,
                    aggregate_id=delivery_key(delivery.license_number, delivery.delivery_id),
                    occurred_at=at,
                )
            ],
        )
        return True
