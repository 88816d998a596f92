"""Inventory's public write API, for the one reconciliation fix that records a movement in
Canopy (``service_layer.reconciliation_ports.InventoryMovements``).

The request acts as the person who approved the fix: it carries their identity token from the
gateway (``X-Canopy-Identity``), so inventory checks their permission and site as for any of
their writes, and an ``Idempotency-Key`` per finding and batch, so approving again after a cut
connection records the movement once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from shared.identity import IDENTITY_HEADER

from compliance.service_layer.reconciliation_ports import (
    InventoryRefusedError,
    InventoryUnavailableError,
    LocalMovement,
)

__all__ = ["HttpInventoryMovements"]

REASON = "COUNT_DISCREPANCY"


class HttpInventoryMovements:
    def __init__(self, base_url: str, *, timeout_seconds: float = 10.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout_seconds)
        )

    async def record(self, movement: LocalMovement) -> Mapping[str, Any]:
        body = {
            "bucket": "ON_HAND",
            "adjustment": str(movement.quantity),
            "reason": REASON,
            "notes": movement.notes,
            "version": movement.version,
        }
        try:
            response = await self._client.post(
                f"/v1/batches/{movement.batch_id}/adjustments",
                json=body,
                headers={
                    IDENTITY_HEADER: movement.identity_token,
                    "Idempotency-Key": movement.idempotency_key,
                },
            )
        except httpx.HTTPError as error:
            raise InventoryUnavailableError(type(error).__name__) from None
        if response.status_code >= 500:
            raise InventoryUnavailableError(f"inventory answered {response.status_code}")
        payload = _json(response)
        if response.status_code >= 400:
            found = payload.get("error")
            detail: dict[str, Any] = found if isinstance(found, dict) else {}
            raise InventoryRefusedError(
                str(detail.get("code", "INVENTORY_REFUSED")),
                str(detail.get("message", f"inventory answered {response.status_code}")),
                response.status_code,
            )
        return payload

    async def close(self) -> None:
        await self._client.aclose()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
