"""The outbox writes compliance's events in their JSON form built directly (``event_forms``):
each must be exactly what its registered payload model gives (``model_dump(mode="json")``), for
every kind of push event and for link changes, whatever the values (no quantity, a quantity
written with an exponent, times in another zone, errors, several Metrc ids)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from compliance.adapters.postgres import payload_of
from compliance.adapters.postgres.event_forms import _SUBMISSION_MODELS, event_form
from compliance.domain import (
    ComplianceEvent,
    PackageLinkChanged,
    PushAccepted,
    PushDismissed,
    PushFailed,
    PushPlanned,
    PushRejected,
    PushRetried,
    SubmissionEvent,
)

AT = datetime(2026, 3, 2, 9, 30, 5, 123456, tzinfo=UTC)
DENVER = timezone(timedelta(hours=-7))


def push(cls: type[SubmissionEvent], **fields: Any) -> SubmissionEvent:
    values: dict[str, Any] = {
        "batch_id": uuid4(),
        "site_id": uuid4(),
        "license_number": "403-X0001",
        "occurred_at": AT,
        "actor": "compliance",
        "submission_id": uuid4(),
        "sequence": 1042,
        "kind": "CREATE_PACKAGE",
        "state": "ACCEPTED",
        "attempts": 1,
        "quantity": Decimal("100.0000"),
        "unit": "Grams",
        "tag": "1A4FF0100000022000000123",
        "metrc_ids": (55021,),
        "error_code": None,
        "error_message": None,
        "guidance": None,
        "created_at": AT - timedelta(seconds=5),
        "first_sent_at": AT - timedelta(seconds=1),
        "completed_at": AT,
        **fields,
    }
    return cls(**values)


def link(**fields: Any) -> PackageLinkChanged:
    values: dict[str, Any] = {
        "batch_id": uuid4(),
        "site_id": uuid4(),
        "license_number": "403-X0001",
        "occurred_at": AT,
        "actor": "compliance",
        "state": "LINKED",
        "tag": "1A4FF0100000022000000123",
        "metrc_package_id": 55021,
        "source": "OPENING_BALANCE",
        "problem_code": None,
        "problem_message": None,
        "guidance": None,
        **fields,
    }
    return PackageLinkChanged(**values)


EVENTS: list[ComplianceEvent] = [
    push(PushPlanned, state="PENDING", attempts=0, metrc_ids=(), first_sent_at=None,
         completed_at=None),
    push(PushAccepted),
    push(PushAccepted, metrc_ids=(1, 2, 3), quantity=Decimal("1E+1"), occurred_at=AT.astimezone(DENVER)),
    push(PushAccepted, kind="ADJUST_PACKAGE", quantity=Decimal("-1.5"), tag=None),
    push(PushAccepted, kind="FINISH_PACKAGE", quantity=None, unit=None),
    push(PushRejected, state="REJECTED", metrc_ids=(), error_code="ITEM_NOT_FOUND",
         error_message="Item 'x' is not in Metrc.", guidance="Create the item in Metrc."),
    push(PushFailed, state="FAILED", attempts=8, error_code="METRC_UNAVAILABLE",
         error_message="503", guidance="Wait."),
    push(PushRetried, state="PENDING", attempts=0, completed_at=None, license_number=None),
    push(PushDismissed, state="REJECTED", created_at=AT.astimezone(DENVER)),
    link(),
    link(state="UNLINKED", tag=None, metrc_package_id=None, source=None,
         problem_code="SOURCE_REQUIRED", problem_message="No source.", guidance="Push it."),
    link(state="NOT_TRACKED", license_number=None, occurred_at=AT.astimezone(DENVER)),
]  # fmt: skip


class TestTheOutboxFormIsTheModels:
    @pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
    def test_each_event_is_written_exactly_as_its_payload_model_dumps_it(
        self, event: ComplianceEvent
    ) -> None:
        form = event_form(event)
        assert form is not None
        payload, model = form
        expected = payload_of(event)
        assert model is type(expected)
        assert payload == expected.model_dump(mode="json")
        assert list(payload) == list(expected.model_dump(mode="json"))
        # and the model reads it back as the same event
        assert model.model_validate(payload) == expected

    def test_every_direct_form_is_checked_here(self) -> None:
        assert {type(e) for e in EVENTS} == {*_SUBMISSION_MODELS, PackageLinkChanged}
