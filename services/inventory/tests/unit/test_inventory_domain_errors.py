import ast
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import inventory.domain as domain
from inventory.domain import (
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

ONE = Decimal("1.0000")

EXAMPLES: list[DomainError] = [
    BatchNotFoundError("7"),
    NegativeInventoryError(field="onHandQty", current=ONE, adjustment=-ONE - ONE),
    InvalidStatusTransitionError(current="LIVE", new="AWAITING_INTAKE"),
    OptimisticLockConflictError(expected_version=1, actual_version=2),
    AdjustmentTooLargeError(adjustment=Decimal("2000000"), limit=Decimal("1000000")),
    ReasonRequiredError(),
    NotesRequiredError(),
    InvalidQuantityError("bad", field="quantity", value="x"),
    InsufficientAvailableError(source="available stock", requested=ONE, available=ONE),
    InsufficientAtLocationError(location_id="A", requested=ONE, held=ONE),
    ReservationNotFoundError(reference_type="ORDER", reference_id="1"),
    BatchNotEmptyError(batch_id="7", action="close", physical=ONE, reserved=ONE, hold=ONE),
    BatchClosedError(batch_id="7"),
    OperationNotAllowedError(operation="sell stock", status="ON_HOLD"),
    ValidationError([FieldError("a", "is required"), FieldError("b", "is wrong")]),
    LedgerInconsistencyError("broken"),
    InvariantViolationError("corrupt"),
]


def test_every_error_code_is_stable_and_distinct() -> None:
    codes = [type(e).code for e in EXAMPLES]
    assert codes == [
        "BATCH_NOT_FOUND",
        "NEGATIVE_INVENTORY",
        "INVALID_STATUS_TRANSITION",
        "OPTIMISTIC_LOCK_CONFLICT",
        "ADJUSTMENT_TOO_LARGE",
        "REASON_REQUIRED",
        "NOTES_REQUIRED",
        "INVALID_QUANTITY",
        "INSUFFICIENT_AVAILABLE",
        "INSUFFICIENT_AT_LOCATION",
        "RESERVATION_NOT_FOUND",
        "BATCH_NOT_EMPTY",
        "BATCH_CLOSED",
        "OPERATION_NOT_ALLOWED",
        "VALIDATION_ERROR",
        "LEDGER_INCONSISTENT",
        "INVARIANT_VIOLATION",
    ]
    subclasses = {c for c in vars(domain).values() if isinstance(c, type)}
    assert {c for c in subclasses if issubclass(c, DomainError) and c is not DomainError} == {
        type(e) for e in EXAMPLES
    }


def test_every_error_renders_as_a_json_error_body() -> None:
    for error in EXAMPLES:
        body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
        assert json.loads(json.dumps(body)) == body
        assert str(error) == error.message
        assert error.code in repr(error)


def test_validation_error_lists_every_field() -> None:
    error = ValidationError([FieldError("a", "is required"), FieldError("b", "is wrong")])
    assert error.message == "Validation failed: a: is required; b: is wrong"
    assert error.details == {
        "errors": [
            {"field": "a", "message": "is required"},
            {"field": "b", "message": "is wrong"},
        ]
    }


def test_the_public_surface_is_explicit() -> None:
    assert sorted(domain.__all__) == sorted(set(domain.__all__))
    for name in domain.__all__:
        assert hasattr(domain, name), name


FORBIDDEN = ("sqlalchemy", "fastapi", "faststream", "aiokafka", "httpx", "shared", "pydantic")
VOCABULARY = "shared.contracts.inventory_enums"
"""The one module of shared the domain may import: the plain enums the contracts publish."""


def test_the_domain_imports_no_framework_and_no_shared_code_but_its_vocabulary() -> None:
    package = Path(domain.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                if name != VOCABULARY:
                    assert name.split(".")[0] not in FORBIDDEN, f"{module.name} imports {name}"


def test_importing_the_domain_loads_no_framework_and_nothing_else_of_shared() -> None:
    probe = (
        "import sys, inventory.domain; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[1:])))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe, *FORBIDDEN], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == ["shared", "shared.contracts", VOCABULARY]
