"""The read side of outgoing transfers and the answers of their writes, in the contract's
shapes. A transfer of a site the caller may not see is NOT_FOUND, as if it did not exist."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.contracts import inventory as api
from shared.json_form import decimal_text

from inventory.domain.transfers import TransferState
from inventory.reads.keyset import cursor_instant, cursor_uuid, keyset_page
from inventory.reads.presenters import batch_json
from inventory.reads.reference import visible_site
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.transfers import TransferOutcome

__all__ = ["get_transfer", "list_transfers", "transfer_json", "transfer_result"]


def transfer_json(state: TransferState) -> dict[str, Any]:
    s = state.shipment
    return {
        "id": state.transfer_id,
        "siteId": state.site_id,
        "status": state.status.value,
        "destinationLicenseNumber": s.destination_license_number,
        "destinationName": s.destination_name,
        "transferType": s.transfer_type,
        "plannedRoute": s.planned_route,
        "transporterLicenseNumber": s.transporter_license_number,
        "transporterName": s.transporter_name,
        "driverName": s.driver_name,
        "driverOccupationalLicenseNumber": s.driver_occupational_license_number,
        "driverLicenseNumber": s.driver_license_number,
        "vehicleMake": s.vehicle_make,
        "vehicleModel": s.vehicle_model,
        "vehicleLicensePlate": s.vehicle_license_plate,
        "phoneNumber": s.phone_number,
        "estimatedDeparture": s.estimated_departure.isoformat(),
        "estimatedArrival": s.estimated_arrival.isoformat(),
        "manifestNumber": state.manifest_number,
        "settlementProblem": state.settlement_problem,
        "lines": [
            {
                "batchId": line.batch_id,
                "batchCode": line.batch_code,
                "packageTag": line.package_tag,
                "productName": line.product_name,
                "quantity": decimal_text(line.quantity),
                "unit": line.unit,
                "wholesalePrice": decimal_text(line.wholesale_price),
                "state": line.state.value,
                "receivedQuantity": decimal_text(line.received_quantity),
            }
            for line in state.lines
        ],
        "version": state.version,
        "createdAt": state.created_at.isoformat(),
        "updatedAt": state.updated_at.isoformat(),
    }


def transfer_result(outcome: TransferOutcome) -> api.OutgoingTransferWriteResult:
    now = utc_now()
    return api.OutgoingTransferWriteResult.model_validate(
        {
            "transfer": transfer_json(outcome.state),
            "batches": [batch_json(b.record, now) for b in outcome.batches],
        }
    )


async def get_transfer(uow: UnitOfWork, caller: Caller, transfer_id: UUID) -> api.OutgoingTransfer:
    state = caller.visible(await uow.transfers.get(transfer_id), "transfer", transfer_id)
    return api.OutgoingTransfer.model_validate(transfer_json(state))


async def list_transfers(
    uow: UnitOfWork, caller: Caller, query: api.OutgoingTransferListQuery
) -> api.OutgoingTransferPage:
    await visible_site(uow, caller, query.site_id)
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_instant, cursor_uuid),
        fetch=lambda after, n: uow.transfers.page(
            query.site_id, status=query.status, after=after, limit=n
        ),
        last=lambda s: [s.created_at.isoformat(), s.transfer_id],
    )
    return page.answer(
        api.OutgoingTransferPage, lambda s: api.OutgoingTransfer.model_validate(transfer_json(s))
    )
