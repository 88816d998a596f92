"""Outgoing transfer manifests in the compliance API (private; import from
``shared.contracts.compliance``): what Metrc has of an inventory transfer, and its printable
manifest."""

from __future__ import annotations

from typing import Final
from uuid import UUID

from pydantic import Field

from shared.contracts.routes import Route
from shared.contracts.types import ApiModel, UtcDateTime

__all__ = ["TRANSFER_MANIFEST_ROUTES", "TransferManifest"]


class TransferManifest(ApiModel):
    transfer_id: UUID
    site_id: UUID
    license_number: str
    template_name: str = Field(description="The Metrc template's name (carries the transfer id)")
    state: str = Field(description="PENDING, CREATED, SETTLED, CANCELLED or FAILED")
    synced: bool = Field(description="True only once Metrc has the template (its Id read back)")
    sent: bool
    metrc_template_id: int | None = None
    metrc_transfer_id: int | None = None
    manifest_number: str | None = Field(
        default=None, description="Once the template was registered as a manifest in Metrc"
    )
    attempts: int
    last_error: str | None = None
    updated_at: UtcDateTime


_T = "/v1/compliance/transfers/{transferId}"

TRANSFER_MANIFEST_ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", _T, "compliance:sync", "An outgoing transfer's Metrc template and manifest"),
    Route(
        "GET",
        f"{_T}/manifest.html",
        "compliance:sync",
        "The manifest as Metrc prints it (HTML), for the driver and an inspector",
    ),
    Route("GET", f"{_T}/manifest.pdf", "compliance:sync", "The manifest as Metrc prints it (PDF)"),
)
