"""Outgoing transfer manifests (``compliance:sync``): what Metrc has of an inventory transfer
(``synced`` only once Metrc's template Id was read back) and the manifest as Metrc prints it, for
the driver and an inspector (HTML, or the PDF Metrc sends as base64, decoded). A transfer of a
site the caller may not see is not there."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response
from shared.contracts import compliance as api
from shared.http import json_response

from compliance.adapters.metrc.errors import MetrcError
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import Problem
from compliance.domain.errors import ComplianceError
from compliance.entrypoints.container import Container
from compliance.entrypoints.deps import Caller, ContainerDep, endpoint
from compliance.service_layer import NotFoundError
from compliance.service_layer.credentials import MetrcUnavailableError
from compliance.service_layer.transfer_manifest_ports import ManifestRow

__all__ = ["router"]

router = APIRouter(tags=["transfers"])

TransferId = Annotated[UUID, Path(alias="transferId")]
_T = "/v1/compliance/transfers/{transferId}"


class ManifestNotRegisteredError(ComplianceError):
    code = "MANIFEST_NOT_REGISTERED"


async def _visible(container: Container, caller: Caller, transfer_id: UUID) -> ManifestRow:
    async with container.uow() as uow:
        row = await uow.transfer_manifests.get(transfer_id)
    if row is None or not caller.can_access_site(str(row.site_id)):
        raise NotFoundError(
            "TRANSFER_NOT_TRACKED", f"Compliance has not heard of transfer {transfer_id}"
        )
    return row


async def _registered(container: Container, row: ManifestRow) -> tuple[MetrcPort, int]:
    if row.metrc_transfer_id is None:
        raise ManifestNotRegisteredError(
            f"The template of transfer {row.transfer_id} is not a Metrc manifest yet"
            " (register it in Metrc; it is followed every few seconds)"
        )
    metrc = await container.context.metrc_for(row.license_number)
    if isinstance(metrc, Problem):
        raise MetrcUnavailableError(metrc.message)
    return metrc, row.metrc_transfer_id


@endpoint(router, "GET", _T, response_model=api.TransferManifest)
async def transfer_manifest(
    caller: Caller, container: ContainerDep, transfer_id: TransferId
) -> Response:
    row = await _visible(container, caller, transfer_id)
    return json_response(
        api.TransferManifest(
            transfer_id=row.transfer_id,
            site_id=row.site_id,
            license_number=row.license_number,
            template_name=row.template_name,
            state=row.state.value,
            synced=row.metrc_template_id is not None,
            sent=row.sent,
            metrc_template_id=row.metrc_template_id,
            metrc_transfer_id=row.metrc_transfer_id,
            manifest_number=row.manifest_number,
            attempts=row.attempts,
            last_error=row.last_error,
            updated_at=row.updated_at,
        )
    )


_UNTRUSTED_DOCUMENT = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}


@endpoint(router, "GET", f"{_T}/manifest.html", response_model=None)
async def manifest_html(
    caller: Caller, container: ContainerDep, transfer_id: TransferId
) -> Response:
    row = await _visible(container, caller, transfer_id)
    metrc, metrc_id = await _registered(container, row)
    try:
        html = await metrc.get_manifest_html(row.license_number, metrc_id)
    except MetrcError as error:
        raise MetrcUnavailableError(f"Metrc did not give the manifest: {error}") from None
    # Metrc's HTML on the gateway's origin: sandboxed (no script, no same-origin access).
    return Response(html, media_type="text/html; charset=utf-8", headers=_UNTRUSTED_DOCUMENT)


@endpoint(router, "GET", f"{_T}/manifest.pdf", response_model=None)
async def manifest_pdf(
    caller: Caller, container: ContainerDep, transfer_id: TransferId
) -> Response:
    row = await _visible(container, caller, transfer_id)
    metrc, metrc_id = await _registered(container, row)
    try:
        pdf = await metrc.get_manifest_pdf(row.license_number, metrc_id)
        content = base64.b64decode(pdf.file_contents, validate=True)
    except (MetrcError, binascii.Error) as error:
        raise MetrcUnavailableError(f"Metrc did not give the manifest: {error}") from None
    name = pdf.file_download_name or f"manifest-{row.manifest_number or metrc_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
