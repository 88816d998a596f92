"""Outgoing transfer manifests on PostgreSQL (``TransferManifestRepository``), on the unit of
work's connection; a settled manifest's event goes to the outbox in the same transaction, and
its package outcomes stay on the row (a sale planned later is settled from them)."""

# SQL here is assembled only from constants of this module (the column list); every value is a
# bound parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.database import Connection, Sql
from shared.events import compliance as ev
from shared.outbox import outbox_message, write_outbox

from compliance.adapters.postgres.codec import from_json, to_json
from compliance.domain import ManifestSettlement
from compliance.domain.transfer_manifests import ManifestState, PackageOutcome, sale_settlements
from compliance.service_layer.transfer_manifest_ports import ManifestRow

__all__ = ["PgTransferManifests"]

_PRODUCER = "compliance"
_COLUMNS = (
    "transfer_id, site_id, license_number, template_name, state, sent, cancel_requested,"
    " plan::text AS plan, metrc_template_id, metrc_transfer_id, manifest_number, attempts,"
    " last_error, created_at, updated_at, followed_at, waiting_since, outcomes::text AS outcomes"
)
_ADD = Sql(
    "INSERT INTO transfer_manifest (transfer_id, site_id, license_number, template_name, state,"
    " plan, created_at, updated_at) VALUES (:transfer_id, :site_id, :license_number,"
    " :template_name, :state, CAST(:plan AS jsonb), :created_at, :updated_at)"
    " ON CONFLICT (transfer_id) DO NOTHING"
)
_MARK = Sql(
    "UPDATE transfer_manifest SET sent = sent OR :sent,"
    " cancel_requested = cancel_requested OR :cancel, updated_at = :at"
    " WHERE transfer_id = :transfer_id"
)
_LICENSES = Sql(
    "SELECT DISTINCT license_number FROM transfer_manifest"
    " WHERE state IN ('PENDING', 'CREATED') ORDER BY license_number"
)
_CLAIM = Sql(
    "UPDATE transfer_manifest SET claimed_until = :until WHERE transfer_id IN ("
    " SELECT transfer_id FROM transfer_manifest WHERE license_number = :license_number"
    " AND (state = 'PENDING' OR (state = 'CREATED' AND (sent OR cancel_requested)))"
    " AND (claimed_until IS NULL OR claimed_until < :now)"
    " FOR UPDATE SKIP LOCKED)"
    f" RETURNING {_COLUMNS}"
)
_GET = Sql(f"SELECT {_COLUMNS} FROM transfer_manifest WHERE transfer_id = :transfer_id")
_OUTCOMES = Sql(
    "UPDATE transfer_manifest SET outcomes = CAST(:outcomes AS jsonb)"
    " WHERE transfer_id = :transfer_id"
)
_SAVE = Sql(
    "UPDATE transfer_manifest SET state = :state, metrc_template_id = :metrc_template_id,"
    " metrc_transfer_id = :metrc_transfer_id, manifest_number = :manifest_number,"
    " attempts = :attempts, last_error = :last_error, updated_at = :updated_at,"
    " followed_at = :followed_at, waiting_since = :waiting_since, claimed_until = NULL"
    " WHERE transfer_id = :transfer_id"
    " AND (CAST(:claim AS timestamptz) IS NULL OR claimed_until = CAST(:claim AS timestamptz))"
)


def _row(record: Mapping[str, Any]) -> ManifestRow:
    values = dict(record)
    values["state"] = ManifestState(values["state"])
    values["plan"] = json.loads(values["plan"])
    outcomes = values.pop("outcomes")
    values["outcomes"] = (
        None if outcomes is None else from_json(tuple[PackageOutcome, ...], json.loads(outcomes))
    )
    return ManifestRow(**values)


class PgTransferManifests:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, row: ManifestRow) -> None:
        await self._conn.execute(
            _ADD.text,
            *_ADD.args(
                {
                    "transfer_id": row.transfer_id,
                    "site_id": row.site_id,
                    "license_number": row.license_number,
                    "template_name": row.template_name,
                    "state": row.state.value,
                    "plan": json.dumps(row.plan),
                    "created_at": row.created_at,
                    "updated_at": row.updated_at,
                }
            ),
        )

    async def mark(
        self, transfer_id: UUID, *, sent: bool = False, cancel: bool = False, at: datetime
    ) -> None:
        await self._conn.execute(
            _MARK.text,
            *_MARK.args({"transfer_id": transfer_id, "sent": sent, "cancel": cancel, "at": at}),
        )

    async def licenses_with_work(self) -> list[str]:
        return [r["license_number"] for r in await self._conn.fetch(_LICENSES.text)]

    async def claim_open(
        self, license_number: str, now: datetime, *, until: datetime
    ) -> list[ManifestRow]:
        rows = await self._conn.fetch(
            _CLAIM.text,
            *_CLAIM.args({"license_number": license_number, "now": now, "until": until}),
        )
        return sorted((_row(r) for r in rows), key=lambda r: (r.created_at, str(r.transfer_id)))

    async def get(self, transfer_id: UUID) -> ManifestRow | None:
        found = await self._conn.fetchrow(_GET.text, *_GET.args({"transfer_id": transfer_id}))
        return None if found is None else _row(found)

    async def sales_of(self, transfer_id: UUID) -> dict[UUID, ManifestSettlement]:
        row = await self.get(transfer_id)
        if row is None or row.state is not ManifestState.SETTLED or row.outcomes is None:
            return {}
        return sale_settlements(transfer_id, row.manifest_number, row.shipped_batches, row.outcomes)

    async def save(self, row: ManifestRow, *, claimed_until: datetime | None = None) -> bool:
        status = await self._conn.execute(
            _SAVE.text,
            *_SAVE.args(
                {
                    "transfer_id": row.transfer_id,
                    "state": row.state.value,
                    "metrc_template_id": row.metrc_template_id,
                    "metrc_transfer_id": row.metrc_transfer_id,
                    "manifest_number": row.manifest_number,
                    "attempts": row.attempts,
                    "last_error": row.last_error,
                    "updated_at": row.updated_at,
                    "followed_at": row.followed_at,
                    "waiting_since": row.waiting_since,
                    "claim": claimed_until,
                }
            ),
        )
        return bool(status != "UPDATE 0")

    async def settled(
        self,
        row: ManifestRow,
        outcomes: Sequence[PackageOutcome],
        at: datetime,
        *,
        claimed_until: datetime | None = None,
    ) -> bool:
        if not await self.save(row, claimed_until=claimed_until):
            return False
        await self._conn.execute(
            _OUTCOMES.text,
            *_OUTCOMES.args(
                {"transfer_id": row.transfer_id, "outcomes": json.dumps(to_json(list(outcomes)))}
            ),
        )
        payload = ev.TransferManifestSettledV1.model_validate(
            {
                "transfer_id": row.transfer_id,
                "site_id": row.site_id,
                "license_number": row.license_number,
                "metrc_template_id": row.metrc_template_id,
                "metrc_transfer_id": row.metrc_transfer_id,
                "manifest_number": row.manifest_number,
                "packages": [
                    {
                        "package_tag": o.label,
                        "accepted": o.accepted,
                        "received_quantity": o.received_quantity,
                    }
                    for o in outcomes
                ],
                "occurred_at": at,
            }
        )
        await write_outbox(
            self._conn,
            [
                outbox_message(
                    payload,
                    producer=_PRODUCER,
                    aggregate_id=str(row.transfer_id),
                    site_id=str(row.site_id),
                    occurred_at=at,
                )
            ],
        )
        return True
