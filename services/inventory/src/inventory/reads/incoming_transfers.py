"""The read side of incoming transfers and the answer of receiving one, in the contract's shapes.
A transfer of a site the caller may not see (or of a license no site holds yet) is NOT_FOUND, as
if it did not exist."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.contracts import inventory as api
from shared.json_form import decimal_text

from inventory.domain.transfers.incoming import IncomingTransferState
from inventory.reads.keyset import cursor_instant, cursor_uuid, keyset_page
from inventory.reads.presenters import batch_json
from inventory.reads.reference import visible_site
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.incoming_transfers import IncomingOutcome
from inventory.service_layer.ports import UnitOfWork

__all__ = ["get_incoming", "incoming_json", "list_incoming", "receive_result"]


def _moment(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def incoming_json(state: IncomingTransferState) -> dict[str, Any]:
    m = state.manifest
    return {
        "id": state.transfer_id,
        "siteId": state.site_id,
        "licenseNumber": m.license_number,
        "status": state.status.value,
        "metrcTransferId": m.metrc_transfer_id,
        "deliveryId": m.delivery_id,
        "manifestNumber": m.manifest_number,
        "shipperLicenseNumber": m.shipper_license_number,
        "shipperName": m.shipper_name,
        "shipmentType": m.shipment_type,
        "estimatedArrival": _moment(m.estimated_arrival),
        "metrcReceivedAt": _moment(m.metrc_received_at),
        "packages": [
            {
                "packageTag": p.package_tag,
                "metrcPackageId": p.metrc_package_id,
                "itemName": p.item_name,
                "itemCategory": p.item_category,
                "itemStrain": p.item_strain,
                "shippedQuantity": decimal_text(p.shipped_quantity),
                "unit": p.unit,
                "wholesalePrice": decimal_text(p.wholesale_price),
                "metrcState": p.metrc_state,
                "metrcReceivedQuantity": decimal_text(p.metrc_received_quantity),
                "state": p.state.value,
                "receivedQuantity": decimal_text(p.received_quantity),
                "batchId": p.batch_id,
            }
            for p in state.packages
        ],
        "receivedBy": state.received_by,
        "receivedAt": _moment(state.received_at),
        "version": state.version,
        "createdAt": state.created_at.isoformat(),
        "updatedAt": state.updated_at.isoformat(),
    }


def receive_result(outcome: IncomingOutcome) -> api.IncomingTransferReceiveResult:
    now = utc_now()
    return api.IncomingTransferReceiveResult.model_validate(
        {
            "transfer": incoming_json(outcome.state),
            "batches": [batch_json(b.record, now) for b in outcome.batches],
        }
    )


async def get_incoming(uow: UnitOfWork, caller: Caller, transfer_id: UUID) -> api.IncomingTransfer:
    state = caller.visible(await uow.incoming.get(transfer_id), "incoming transfer", transfer_id)
    return api.IncomingTransfer.model_validate(incoming_json(state))


async def list_incoming(
    uow: UnitOfWork, caller: Caller, query: api.IncomingTransferListQuery
) -> api.IncomingTransferPage:
    await visible_site(uow, caller, query.site_id)
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_instant, cursor_uuid),
        fetch=lambda after, n: uow.incoming.page(query.site_id, query.status, after=after, limit=n),
        last=lambda s: [s.created_at.isoformat(), s.transfer_id],
    )
    return page.answer(
        api.IncomingTransferPage, lambda s: api.IncomingTransfer.model_validate(incoming_json(s))
    )
