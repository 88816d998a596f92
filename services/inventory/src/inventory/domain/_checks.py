"""Input checks shared by the batch operations (private to the domain package)."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.contracts.inventory_enums import AdjustmentReason

from inventory.domain.errors import NotesRequiredError, ReasonRequiredError, ValidationError


def required_text(value: str | None, *, field: str) -> str:
    """``value`` trimmed; blank or missing is a VALIDATION_ERROR."""
    text = (value or "").strip()
    if not text:
        raise ValidationError.single(field, "is required")
    return text


def optional_text(value: str | None) -> str | None:
    """``value`` trimmed, with blank turned into None."""
    return (value or "").strip() or None


def aware_utc(moment: datetime, *, field: str = "occurred_at") -> datetime:
    """``moment`` if it is an aware datetime in UTC (offset zero), else VALIDATION_ERROR."""
    if not isinstance(moment, datetime) or moment.utcoffset() != timedelta(0):
        raise ValidationError.single(field, "must be an aware UTC datetime")
    return moment


def adjustment_reason(
    reason: AdjustmentReason | None, notes: str | None
) -> tuple[AdjustmentReason, str | None]:
    """The reason and trimmed notes of an adjustment, disposal or defect.

    Raises:
        ReasonRequiredError: No reason.
        NotesRequiredError: Reason OTHER without notes.
    """
    if reason is None:
        raise ReasonRequiredError
    cleaned = optional_text(notes)
    if reason is AdjustmentReason.OTHER and cleaned is None:
        raise NotesRequiredError
    return reason, cleaned


def reason_text(reason: str | None) -> str:
    """A free-text reason (status change, deletion), trimmed; blank is REASON_REQUIRED."""
    text = (reason or "").strip()
    if not text:
        raise ReasonRequiredError
    return text
