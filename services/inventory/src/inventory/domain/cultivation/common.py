"""What plant batches, plants and harvests share: field rules, the facility's local date, and
the cultivation errors.

Metrc dates are the facility's local dates (a planting, a growth change, a harvest happen on a
day where the facility is), so every cultivation write carries one, and none may be later than
the facility's today.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from inventory.domain.errors import (
    DomainError,
    FieldError,
    InvalidQuantityError,
    OptimisticLockConflictError,
    ValidationError,
)
from inventory.domain.quantities import to_positive_quantity

__all__ = [
    "MAX_COUNT",
    "MAX_NAME_LENGTH",
    "HarvestNotEmptyError",
    "HarvestWeightExceededError",
    "InsufficientPlantsError",
    "check_count",
    "check_date",
    "check_name",
    "check_text",
    "check_version",
    "check_weight",
    "facility_today",
    "refuse",
]

MAX_NAME_LENGTH: Final = 100
MAX_TEXT_LENGTH: Final = 500
MAX_COUNT: Final = 100_000
"""More plants than any one batch holds: a typo, not a planting."""

# The zone of most of each state's area: a facility's "today" is taken there. Where a state spans
# two zones, a date entered near midnight in the other zone may be a day off.
_STATE_ZONES: Final = {
    **dict.fromkeys(
        ("CT", "DC", "DE", "GA", "MA", "MD", "ME", "MI", "NC", "NH", "NJ"), "America/New_York"
    ),
    **dict.fromkeys(
        ("NY", "OH", "PA", "RI", "SC", "VA", "VT", "WV", "FL", "IN", "KY"), "America/New_York"
    ),
    **dict.fromkeys(
        ("AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE"), "America/Chicago"
    ),
    **dict.fromkeys(("OK", "SD", "TN", "TX", "WI"), "America/Chicago"),
    **dict.fromkeys(("CO", "ID", "MT", "NM", "UT", "WY"), "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys(("CA", "NV", "OR", "WA"), "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
    "GU": "Pacific/Guam",
}


def facility_today(state: str, now: datetime) -> date:
    """The date at ``now`` where a facility of ``state`` is (UTC for an unknown state code)."""
    zone = _STATE_ZONES.get(state.upper())
    return now.astimezone(ZoneInfo(zone)).date() if zone else now.date()


def check_name(errors: list[FieldError], field: str, name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        errors.append(FieldError(field, "is required"))
    elif len(cleaned) > MAX_NAME_LENGTH:
        errors.append(FieldError(field, f"must be at most {MAX_NAME_LENGTH} characters"))
    return cleaned


def check_text(
    errors: list[FieldError], field: str, text: str | None, *, required: bool
) -> str | None:
    cleaned = (text or "").strip() or None
    if cleaned is None and required:
        errors.append(FieldError(field, "is required"))
    elif cleaned is not None and len(cleaned) > MAX_TEXT_LENGTH:
        errors.append(FieldError(field, f"must be at most {MAX_TEXT_LENGTH} characters"))
    return cleaned


def check_count(errors: list[FieldError], field: str, count: int) -> None:
    """A number of whole plants: positive, and not absurdly large."""
    if not 1 <= count <= MAX_COUNT:
        errors.append(FieldError(field, f"must be a whole number from 1 to {MAX_COUNT}"))


def check_date(errors: list[FieldError], field: str, value: date, today: date) -> None:
    """The guide's rule: a date of the facility, not in the future."""
    if value > today:
        errors.append(
            FieldError(field, f"must not be in the future (the facility's today is {today})")
        )


def check_weight(errors: list[FieldError], field: str, weight: Decimal) -> Decimal:
    """A positive weight as NUMERIC(15,4) holds it (exact: never rounded)."""
    try:
        return to_positive_quantity(weight, field=field)
    except InvalidQuantityError as error:
        errors.append(FieldError(field, error.message))
        return weight


class InsufficientPlantsError(DomainError):
    """More plants than the plant batch holds untracked."""

    code = "INSUFFICIENT_PLANTS"

    def __init__(self, *, name: str, requested: int, available: int) -> None:
        super().__init__(
            f"Plant batch {name} holds {available} plants, {requested} requested",
            details={"name": name, "requested": requested, "available": available},
        )


class HarvestWeightExceededError(DomainError):
    """More weight than the harvest has left (wet weight less waste and packages)."""

    code = "HARVEST_WEIGHT_EXCEEDED"

    def __init__(self, *, name: str, requested: Decimal, remaining: Decimal, unit: str) -> None:
        super().__init__(
            f"Harvest {name} has {remaining} {unit} left, {requested} {unit} requested",
            details={
                "name": name,
                "requested": format(requested, "f"),
                "remaining": format(remaining, "f"),
                "unit": unit,
            },
        )


class HarvestNotEmptyError(DomainError):
    """A harvest is finished only when all of its weight is packaged or recorded as waste."""

    code = "HARVEST_NOT_EMPTY"

    def __init__(self, *, name: str, remaining: Decimal, unit: str) -> None:
        super().__init__(
            f"Harvest {name} still has {remaining} {unit}: package it or record it as waste"
            " before finishing",
            details={"name": name, "remaining": format(remaining, "f"), "unit": unit},
        )


def refuse(errors: list[FieldError]) -> None:
    """Raise the field errors a command collected, all at once."""
    if errors:
        raise ValidationError(errors)


def check_version(expected: int | None, actual: int) -> None:
    """Optimistic locking of a cultivation record: ``expected`` None skips the check."""
    if expected is not None and expected != actual:
        raise OptimisticLockConflictError(expected_version=expected, actual_version=actual)
