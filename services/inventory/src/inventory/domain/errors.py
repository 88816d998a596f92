"""The inventory domain's errors: one class per stable error code.

Every error the domain raises on purpose is a :class:`DomainError`. It has a stable
machine-readable ``code`` (the spec's codes where the spec has one), a human-readable
``message`` (the spec's wording where the spec gives one) and a JSON-friendly
``details`` dict (decimals rendered as strings), ready for the API's error body
``{"error": {"code", "message", "details"}}``.

Hierarchy::

    DomainError
    ├── BatchNotFoundError            BATCH_NOT_FOUND            (raised by repositories)
    ├── NegativeInventoryError        NEGATIVE_INVENTORY
    ├── InvalidStatusTransitionError  INVALID_STATUS_TRANSITION
    ├── OptimisticLockConflictError   OPTIMISTIC_LOCK_CONFLICT
    ├── AdjustmentTooLargeError       ADJUSTMENT_TOO_LARGE
    ├── ReasonRequiredError           REASON_REQUIRED
    ├── NotesRequiredError            NOTES_REQUIRED
    ├── InvalidQuantityError          INVALID_QUANTITY
    ├── InsufficientAvailableError    INSUFFICIENT_AVAILABLE
    ├── InsufficientAtLocationError   INSUFFICIENT_AT_LOCATION
    ├── ReservationNotFoundError      RESERVATION_NOT_FOUND
    ├── BatchNotEmptyError            BATCH_NOT_EMPTY
    ├── BatchClosedError              BATCH_CLOSED
    ├── OperationNotAllowedError      OPERATION_NOT_ALLOWED
    ├── ValidationError               VALIDATION_ERROR
    ├── LedgerInconsistencyError      LEDGER_INCONSISTENT        (replay found a broken ledger)
    └── InvariantViolationError       INVARIANT_VIOLATION        (stored state is corrupt)

The last two signal corrupt data rather than a bad request; the API should treat
them as server errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, TypeAlias

JsonValue: TypeAlias = str | int | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
"""What ``details`` may hold: plain JSON values (decimals are passed as strings)."""


class DomainError(Exception):
    """Base of every error the inventory domain raises on purpose.

    Attributes:
        code: Stable machine-readable code; clients branch on it, so it never changes.
        message: Human-readable sentence, safe to show to the operator.
        details: JSON-friendly context (the offending values, field names ...).
    """

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str, *, details: Mapping[str, JsonValue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, JsonValue] = dict(details or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def concerning(self, field: str, subject: str) -> DomainError:
        """This error as one part of a larger request reports it: ``field`` says where in the
        request (``details.field``), ``subject`` what, before the message."""
        self.message = f"{subject}: {self.message}"
        self.args = (self.message,)
        self.details["field"] = field
        return self


class BatchNotFoundError(DomainError):
    """No batch has the given id (raised by the repository layer, defined here for one catalogue)."""

    code = "BATCH_NOT_FOUND"

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"Batch {batch_id} not found", details={"batch_id": batch_id})


class NegativeInventoryError(DomainError):
    """An adjustment would take a bucket below zero (spec INV-001..004)."""

    code = "NEGATIVE_INVENTORY"

    def __init__(self, *, field: str, current: Decimal, adjustment: Decimal) -> None:
        super().__init__(
            "Adjustment would result in negative inventory. "
            f"Current {field}: {current}, adjustment: {adjustment}",
            details={"field": field, "current": str(current), "adjustment": str(adjustment)},
        )


class InvalidStatusTransitionError(DomainError):
    """The status machine has no edge from the current status to the requested one."""

    code = "INVALID_STATUS_TRANSITION"

    def __init__(self, *, current: str, new: str) -> None:
        current, new = str(current), str(new)
        super().__init__(
            f"Cannot transition from {current} to {new}",
            details={"current": current, "new": new},
        )


class OptimisticLockConflictError(DomainError):
    """The client edited a stale version of the batch."""

    code = "OPTIMISTIC_LOCK_CONFLICT"

    def __init__(self, *, expected_version: int, actual_version: int) -> None:
        super().__init__(
            "Batch was modified by another user",
            details={"expected_version": expected_version, "actual_version": actual_version},
        )


class AdjustmentTooLargeError(DomainError):
    """An adjustment's magnitude exceeds the spec's bound of 1,000,000."""

    code = "ADJUSTMENT_TOO_LARGE"

    def __init__(self, *, adjustment: Decimal, limit: Decimal) -> None:
        super().__init__(
            "Adjustment too large",
            details={"adjustment": str(adjustment), "limit": str(limit)},
        )


class ReasonRequiredError(DomainError):
    """An operation that must explain itself (adjustment, disposal, status change) has no reason."""

    code = "REASON_REQUIRED"

    def __init__(self) -> None:
        super().__init__("Reason is required")


class NotesRequiredError(DomainError):
    """Reason OTHER was given without notes saying what the other reason is."""

    code = "NOTES_REQUIRED"

    def __init__(self) -> None:
        super().__init__("Notes are required when the reason is OTHER")


class InvalidQuantityError(DomainError):
    """A quantity is malformed: not a decimal, zero or negative where positive is needed,
    more than 4 decimal places, or beyond what NUMERIC(15,4) can store."""

    code = "INVALID_QUANTITY"

    def __init__(self, message: str, *, field: str, value: str | None = None) -> None:
        super().__init__(message, details={"field": field, "value": value})


class InsufficientAvailableError(DomainError):
    """More was requested than the source holds (available stock, a bucket, a reservation)."""

    code = "INSUFFICIENT_AVAILABLE"

    def __init__(self, *, source: str, requested: Decimal, available: Decimal) -> None:
        super().__init__(
            f"Insufficient {source}: requested {requested}, available {available}",
            details={"source": source, "requested": str(requested), "available": str(available)},
        )


class InsufficientAtLocationError(DomainError):
    """The location named (or the primary location, by default) holds too little of the batch."""

    code = "INSUFFICIENT_AT_LOCATION"

    def __init__(self, *, location_id: str, requested: Decimal, held: Decimal) -> None:
        super().__init__(
            f"Location {location_id} holds {held} of this batch; requested {requested}",
            details={"location_id": location_id, "requested": str(requested), "held": str(held)},
        )


class ReservationNotFoundError(DomainError):
    """No reservation on this batch carries the given reference."""

    code = "RESERVATION_NOT_FOUND"

    def __init__(self, *, reference_type: str, reference_id: str) -> None:
        super().__init__(
            f"No reservation for {reference_type} {reference_id} on this batch",
            details={"reference_type": reference_type, "reference_id": reference_id},
        )


class BatchNotEmptyError(DomainError):
    """The operation needs an empty batch (no physical stock, no reservations, no holds)."""

    code = "BATCH_NOT_EMPTY"

    def __init__(
        self, *, batch_id: str, action: str, physical: Decimal, reserved: Decimal, hold: Decimal
    ) -> None:
        super().__init__(
            f"Cannot {action} batch {batch_id}: it still holds {physical} physical units "
            f"({reserved} reserved, {hold} on hold); dispose, adjust or release them first",
            details={
                "batch_id": batch_id,
                "action": action,
                "physical": str(physical),
                "reserved": str(reserved),
                "hold": str(hold),
            },
        )


class BatchClosedError(DomainError):
    """The batch is CLOSED (or soft-deleted); nothing can change it any more."""

    code = "BATCH_CLOSED"

    def __init__(self, *, batch_id: str, deleted: bool = False) -> None:
        state = "deleted" if deleted else "closed"
        super().__init__(
            f"Batch {batch_id} is {state}", details={"batch_id": batch_id, "deleted": deleted}
        )


class OperationNotAllowedError(DomainError):
    """The operation is valid in general but not in the batch's current status."""

    code = "OPERATION_NOT_ALLOWED"

    def __init__(self, *, operation: str, status: str, hint: str | None = None) -> None:
        status = str(status)  # a StrEnum member becomes its plain value
        message = f"Cannot {operation} while the batch is {status}"
        if hint:
            message = f"{message}; {hint}"
        super().__init__(message, details={"operation": operation, "status": status})


@dataclass(frozen=True)
class FieldError:
    """One field-level problem inside a :class:`ValidationError`."""

    field: str
    message: str


class ValidationError(DomainError):
    """Input is structurally wrong; ``details["errors"]`` lists every problem found."""

    code = "VALIDATION_ERROR"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        summary = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        super().__init__(
            f"Validation failed: {summary}",
            details={"errors": [{"field": e.field, "message": e.message} for e in self.errors]},
        )

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        """Shortcut for a validation error about exactly one field."""
        return cls([FieldError(field, message)])


class LedgerInconsistencyError(DomainError):
    """A movement list does not chain: before/after, ordering or batch id are broken."""

    code = "LEDGER_INCONSISTENT"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InvariantViolationError(DomainError):
    """A batch state breaks an invariant; only corrupt stored data or a domain bug can cause it."""

    code = "INVARIANT_VIOLATION"

    def __init__(self, message: str) -> None:
        super().__init__(message)
