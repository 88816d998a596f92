"""One validation-error body, wherever the problem is found: the gateway's schema check, the
inventory service's own schema check, and the inventory's business rules passed through the
gateway all answer 422 VALIDATION_ERROR (or the rule's own code) with ``details.problems`` =
``[{"field", "in", "problem"}]``, the field path spelled as the wire spells it (camelCase), so a
form maps every problem to its field the same way."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
from shared.identity import ALL_SITES, IDENTITY_HEADER, Identity, issue_identity_token


def _direct(platform: Any, identity_keys: tuple[str, str]) -> httpx.AsyncClient:
    """A client of the inventory service itself, bypassing the gateway's schema check."""
    identity = Identity(
        subject="direct", permissions=("inventory:read", "inventory:create", "inventory:update"),
        sites=(ALL_SITES,),
    )  # fmt: skip
    token = issue_identity_token(identity, identity_keys[0], ttl=timedelta(minutes=5))
    return httpx.AsyncClient(base_url=platform.inventory.url, headers={IDENTITY_HEADER: token})


def problems(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    found: list[dict[str, str]] = response.json()["error"]["details"]["problems"]
    return found


async def test_schema_problems_read_the_same_from_the_gateway_and_from_the_service(
    platform: Any, identity_keys: tuple[str, str], upstream_calls: Any
) -> None:
    batch = await platform.live()
    ledger = f"/v1/batches/{batch['id']}/movements"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/v1/batches/intake", {"json": platform.intake_body(quantity=5, unitCogs="x")}),
        ("POST", f"/v1/batches/{batch['id']}/adjustments", {"json": {"adjustment": 1}}),
        ("POST", "/v1/batches/bulk/status", {"json": {"batchIds": ["nope"], "status": "LIVE"}}),
        ("GET", ledger, {"params": {"limit": "0", "movementType": "TELEPORT"}}),
    ]
    answers = []
    async with _direct(platform, identity_keys) as direct:
        for method, path, kwargs in requests:
            before = upstream_calls()
            via_gateway = await platform.admin.call(method, "/api" + path, **kwargs)
            assert upstream_calls() == before, "the gateway's schema check answered it"
            from_service = await direct.request(method, path, **kwargs)
            assert problems(via_gateway) == problems(from_service), path
            for problem in problems(via_gateway):
                assert problem.keys() == {"field", "in", "problem"}
                assert "_" not in problem["field"], problem  # camelCase, as on the wire
            answers.append({(p["field"], p["in"]) for p in problems(via_gateway)})
    assert answers == [
        {("quantity", "body"), ("unitCogs", "body")},
        {("adjustment", "body")},
        {("batchIds.0", "body")},
        {("limit", "query"), ("movementType.0", "query")},
    ]


async def test_business_rule_problems_name_wire_fields_too(platform: Any) -> None:
    batch = await platform.live()
    unit = await platform.admin.call(
        "POST",
        "/api/v1/batches/intake",
        json=platform.intake_body(
            product={"name": "X", "category": "Flower", "strain": "Y", "unitOfMeasure": "Gramz"}
        ),
    )
    assert [(p["field"], p["in"]) for p in problems(unit)] == [("product.unitOfMeasure", "body")]
    costing = await platform.admin.call(
        "POST",
        "/api/v1/batches/intake",
        json=platform.intake_body(
            cogsMode="RANGE", unitCogs=None, unitCogsMin="3.0000", unitCogsMax="3.0000"
        ),
    )
    assert [(p["field"], p["in"]) for p in problems(costing)] == [("unitCogsMax", "body")]
    zero = await platform.admin.call(
        "POST",
        f"/api/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "0", "reason": "LOST"},
    )
    assert zero.json()["error"]["code"] == "INVALID_QUANTITY"
    assert [(p["field"], p["in"]) for p in problems(zero)] == [("adjustment", "body")]
    forged = base64.urlsafe_b64encode(json.dumps([True]).encode()).decode()
    cursor = await platform.admin.call(
        "GET", f"/api/v1/batches/{batch['id']}/movements", params={"cursor": forged}
    )
    assert [(p["field"], p["in"]) for p in problems(cursor)] == [("cursor", "query")]
