"""Builders for the inventory domain's unit tests (fixtures, since test modules cannot
import one another under ``--import-mode=importlib``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchDetails,
    BatchStatus,
    Costing,
    IntakeRequest,
    PaymentTerms,
    Reference,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _details(**overrides: Any) -> BatchDetails:
    fields: dict[str, Any] = {
        "code": "B-0001",
        "product_id": "prod-1",
        "vendor_id": "vendor-1",
        "brand_id": "brand-1",
        "lot_id": "lot-1",
        "category": "Flower",
        "strain": "Blue Dream",
        "costing": Costing.fixed(Decimal("2.5000")),
        "payment_terms": PaymentTerms.NET_30,
    }
    fields.update(overrides)
    return BatchDetails(**fields)


@pytest.fixture
def make_details() -> Callable[..., BatchDetails]:
    """BatchDetails with valid defaults; keyword arguments override fields."""
    return _details


@pytest.fixture
def make_request() -> Callable[..., IntakeRequest]:
    """An IntakeRequest of 100 at location "A"; keyword arguments override fields."""

    def build(**overrides: Any) -> IntakeRequest:
        fields: dict[str, Any] = {
            "details": _details(),
            "quantity": Decimal("100"),
            "location_id": "A",
        }
        fields.update(overrides)
        return IntakeRequest(**fields)

    return build


@pytest.fixture
def who() -> dict[str, Any]:
    """The actor and time every operation needs."""
    return {"actor": "user-7", "occurred_at": T0}


@pytest.fixture
def make_batch(
    make_request: Callable[..., IntakeRequest], who: dict[str, Any]
) -> Callable[..., Batch]:
    """A batch of ``quantity`` at "A", moved to ``status`` through the status machine."""

    def build(status: BatchStatus = BatchStatus.LIVE, quantity: str = "100") -> Batch:
        batch, _ = Batch.intake(
            batch_id="batch-1", request=make_request(quantity=Decimal(quantity)), **who
        )
        path = {
            BatchStatus.AWAITING_INTAKE: [],
            BatchStatus.LIVE: [BatchStatus.LIVE],
            BatchStatus.PHOTOGRAPHY_COMPLETE: [BatchStatus.LIVE, BatchStatus.PHOTOGRAPHY_COMPLETE],
            BatchStatus.ON_HOLD: [BatchStatus.LIVE, BatchStatus.ON_HOLD],
            BatchStatus.QUARANTINED: [BatchStatus.LIVE, BatchStatus.QUARANTINED],
        }[status]
        for step in path:
            batch.change_status(new_status=step, reason="setup", **who)
        return batch

    return build


@pytest.fixture
def live_batch(make_batch: Callable[..., Batch]) -> Batch:
    """A LIVE batch: 100 on hand at location "A", nothing earmarked."""
    return make_batch()


@pytest.fixture
def order() -> Reference:
    """An order reference."""
    return Reference("ORDER", "1042")
