"""The inventory domain: batches, their quantity buckets, and the movement ledger.

Pure Python: no I/O, no clock, no framework. Everything a caller needs is exported here;
modules whose names start with an underscore are private.

Modules:
    quantities    Decimal quantities as NUMERIC(15,4) stores them; QuantityMap.
    buckets       Bucket, Buckets (balances), available and physical quantities.
    status        BatchStatus and the spec's transition graph.
    movements     MovementType, AdjustmentReason, Reference, Movement (a ledger row).
    packages      PackageSource: a batch's Metrc package tag and source.
    intake        IntakeRequest, BatchDetails, Costing, PaymentTerms and the intake rules.
    state         BatchState (what is stored) and its invariants.
    events        Domain events emitted by the operations.
    batch         The Batch aggregate and OperationResult.
    ledger        replay(): balances per bucket and per location as of any instant.
    aging         Aging brackets.
    stock_status  IN_STOCK / LOW_STOCK / OUT_OF_STOCK.
    errors        DomainError and its stable codes.
"""

from shared.contracts.inventory_enums import (
    AdjustmentReason,
    AgingBracket,
    BatchStatus,
    Bucket,
    CogsMode,
    MovementType,
    PackageSourceKind,
    PaymentTerms,
    StockStatus,
)

from inventory.domain._consumption import INTO_BATCH, INTO_PLANT_BATCH
from inventory.domain.aging import BRACKET_DAYS, age_in_days, aging_bracket, received_window
from inventory.domain.batch import Batch, OperationResult
from inventory.domain.buckets import EARMARK_BUCKETS, PHYSICAL_BUCKETS, Buckets, spec_field
from inventory.domain.errors import (
    AdjustmentTooLargeError,
    BatchClosedError,
    BatchNotEmptyError,
    BatchNotFoundError,
    DomainError,
    FieldError,
    InsufficientAtLocationError,
    InsufficientAvailableError,
    InvalidQuantityError,
    InvalidStatusTransitionError,
    InvariantViolationError,
    LedgerInconsistencyError,
    NegativeInventoryError,
    NotesRequiredError,
    OperationNotAllowedError,
    OptimisticLockConflictError,
    ReasonRequiredError,
    ReservationNotFoundError,
    ValidationError,
)
from inventory.domain.events import (
    BatchDeleted,
    BatchEvent,
    BatchReceived,
    BatchRevised,
    BatchStatusChanged,
    HoldReleased,
    QuarantineReleased,
    ReservationReleased,
    SampleSent,
    StockAdjusted,
    StockConsumed,
    StockDisposed,
    StockHeld,
    StockMarkedDefective,
    StockQuarantined,
    StockReserved,
    StockReturned,
    StockSold,
    StockTransferred,
)
from inventory.domain.intake import (
    BatchDetails,
    Costing,
    IntakeRequest,
    normalize_details,
    normalize_intake,
)
from inventory.domain.ledger import LedgerBalances, replay, verify_balances
from inventory.domain.movements import Movement, Reference
from inventory.domain.packages import PackageIngredient, PackageSource
from inventory.domain.quantities import (
    MAX_ADJUSTMENT,
    MAX_QUANTITY,
    ZERO,
    QuantityMap,
    to_positive_quantity,
    to_quantity,
)
from inventory.domain.state import BatchState, ensure_invariants, invariant_violations
from inventory.domain.status import (
    ALLOWED_TRANSITIONS,
    SELLABLE_STATUSES,
    allowed_transitions,
    can_transition,
    ensure_transition,
)
from inventory.domain.stock_status import DEFAULT_LOW_STOCK_THRESHOLD, stock_status

__all__ = [
    "ALLOWED_TRANSITIONS",
    "BRACKET_DAYS",
    "DEFAULT_LOW_STOCK_THRESHOLD",
    "EARMARK_BUCKETS",
    "INTO_BATCH",
    "INTO_PLANT_BATCH",
    "MAX_ADJUSTMENT",
    "MAX_QUANTITY",
    "PHYSICAL_BUCKETS",
    "SELLABLE_STATUSES",
    "ZERO",
    "AdjustmentReason",
    "AdjustmentTooLargeError",
    "AgingBracket",
    "Batch",
    "BatchClosedError",
    "BatchDeleted",
    "BatchDetails",
    "BatchEvent",
    "BatchNotEmptyError",
    "BatchNotFoundError",
    "BatchReceived",
    "BatchRevised",
    "BatchState",
    "BatchStatus",
    "BatchStatusChanged",
    "Bucket",
    "Buckets",
    "CogsMode",
    "Costing",
    "DomainError",
    "FieldError",
    "HoldReleased",
    "InsufficientAtLocationError",
    "InsufficientAvailableError",
    "IntakeRequest",
    "InvalidQuantityError",
    "InvalidStatusTransitionError",
    "InvariantViolationError",
    "LedgerBalances",
    "LedgerInconsistencyError",
    "Movement",
    "MovementType",
    "NegativeInventoryError",
    "NotesRequiredError",
    "OperationNotAllowedError",
    "OperationResult",
    "OptimisticLockConflictError",
    "PackageIngredient",
    "PackageSource",
    "PackageSourceKind",
    "PaymentTerms",
    "QuantityMap",
    "QuarantineReleased",
    "ReasonRequiredError",
    "Reference",
    "ReservationNotFoundError",
    "ReservationReleased",
    "SampleSent",
    "StockAdjusted",
    "StockConsumed",
    "StockDisposed",
    "StockHeld",
    "StockMarkedDefective",
    "StockQuarantined",
    "StockReserved",
    "StockReturned",
    "StockSold",
    "StockStatus",
    "StockTransferred",
    "ValidationError",
    "age_in_days",
    "aging_bracket",
    "allowed_transitions",
    "can_transition",
    "ensure_invariants",
    "ensure_transition",
    "invariant_violations",
    "normalize_details",
    "normalize_intake",
    "received_window",
    "replay",
    "spec_field",
    "stock_status",
    "to_positive_quantity",
    "to_quantity",
    "verify_balances",
]
