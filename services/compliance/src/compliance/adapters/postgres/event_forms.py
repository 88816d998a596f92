"""Compliance's events in their JSON form, built directly for the outbox.

The push records a few events per Metrc request (each accepted write, each link made), and
validating every one through its pydantic payload model (``dataclasses.asdict``, which deep-copies
every value, then ``model_validate`` and ``model_dump``) cost more CPU than the rest of the
request's recording. Here the ledger's events (``compliance.push_*``) and the link's
(``compliance.package_link_changed``) are written straight in the form ``model_dump(mode="json")``
of their registered model gives (``shared.json_form``: decimal strings, ``...Z`` times); the
models stay the contract: ``test_compliance_event_forms.py`` checks that each model gives back
exactly this form. An event without a form here goes through its model (``payload_of``).
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel
from shared.events import compliance as ev
from shared.json_form import decimal_text, utc_text

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

__all__ = ["event_form"]

_SUBMISSION_MODELS: Final[dict[type[SubmissionEvent], type[BaseModel]]] = {
    PushPlanned: ev.PushPlannedV1,
    PushAccepted: ev.PushAcceptedV1,
    PushRejected: ev.PushRejectedV1,
    PushFailed: ev.PushFailedV1,
    PushRetried: ev.PushRetriedV1,
    PushDismissed: ev.PushDismissedV1,
}


def event_form(event: ComplianceEvent) -> tuple[dict[str, Any], type[BaseModel]] | None:
    """``event``'s payload in JSON form with its registered model, or None when it has no
    direct form (it then goes through the model)."""
    if type(event) is PackageLinkChanged:
        return _link_form(event), ev.PackageLinkChangedV1
    if not isinstance(event, SubmissionEvent):
        return None
    model = _SUBMISSION_MODELS.get(type(event))
    return None if model is None else (_submission_form(event), model)


def _common(event: ComplianceEvent) -> dict[str, Any]:
    return {
        "batch_id": str(event.batch_id),
        "site_id": str(event.site_id),
        "license_number": event.license_number,
        "occurred_at": utc_text(event.occurred_at),
        "actor": event.actor,
    }


def _link_form(e: PackageLinkChanged) -> dict[str, Any]:
    return {
        **_common(e),
        "state": e.state,
        "tag": e.tag,
        "metrc_package_id": e.metrc_package_id,
        "source": e.source,
        "problem_code": e.problem_code,
        "problem_message": e.problem_message,
        "guidance": e.guidance,
    }


def _submission_form(e: SubmissionEvent) -> dict[str, Any]:
    return {
        **_common(e),
        "submission_id": str(e.submission_id),
        "sequence": e.sequence,
        "kind": e.kind,
        "state": e.state,
        "attempts": e.attempts,
        "quantity": decimal_text(e.quantity),
        "unit": e.unit,
        "tag": e.tag,
        "metrc_ids": list(e.metrc_ids),
        "error_code": e.error_code,
        "error_message": e.error_message,
        "guidance": e.guidance,
        "created_at": utc_text(e.created_at),
        "first_sent_at": None if e.first_sent_at is None else utc_text(e.first_sent_at),
        "completed_at": None if e.completed_at is None else utc_text(e.completed_at),
    }
