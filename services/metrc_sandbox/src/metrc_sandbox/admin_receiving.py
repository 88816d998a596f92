"""``POST /_sandbox/transfers/deliveries/{delivery_id}/receive``: the receiving facility's decision
package by package (partial acceptance), which Metrc's API has no call for.

Body: ``{"packages": [{"label": "...", "accepted": true, "received_quantity": "4.5"}]}``; packages
left out are accepted as shipped. Answer: ``{"delivery_id", "state", "packages", "accepted",
"rejected"}``, ``state`` one of ``Accepted``, ``Rejected``, ``PartiallyAccepted``; 404 for an
unknown delivery, 409 if it was already received, 422 for a bad body.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse, Response

from metrc_sandbox.context import get_sandbox
from metrc_sandbox.jsonio import loads
from metrc_sandbox.lifecycle import LifecycleError
from metrc_sandbox.receiving import Decision, receive

router = APIRouter()


class _PackageDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    accepted: bool = True
    received_quantity: Decimal | None = Field(default=None, gt=0)


class _Receipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    packages: list[_PackageDecision] = []


@router.post("/transfers/deliveries/{delivery_id}/receive")
async def receive_delivery(delivery_id: int, request: Request) -> Response:
    raw = await request.body()
    try:
        receipt = _Receipt.model_validate(loads(raw) if raw.strip() else {})
    except ValueError as exc:
        detail = (
            exc.errors(include_url=False, include_context=False)
            if isinstance(exc, ValidationError)
            else "the body is not valid JSON"
        )
        raise HTTPException(422, detail) from None
    decisions = {
        p.label: Decision(accept=p.accepted, received_quantity=p.received_quantity)
        for p in receipt.packages
    }
    if len(decisions) != len(receipt.packages):
        raise HTTPException(422, "a package is listed more than once")
    sandbox = get_sandbox(request)
    async with sandbox.lock:
        try:
            return JSONResponse(receive(sandbox.state, delivery_id, decisions))
        except LifecycleError as exc:
            raise HTTPException(exc.status, str(exc)) from None
