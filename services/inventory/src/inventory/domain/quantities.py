"""Decimal quantities and money, exactly as PostgreSQL's NUMERIC(15,4) stores them.

Every quantity in the domain is a :class:`~decimal.Decimal` with exactly four decimal
places (``Decimal("10")`` becomes ``Decimal("10.0000")``). Floats are refused outright:
binary floating point on weights and money is one of the source system's bugs.

Input with more than four significant decimal places is *rejected* rather than rounded:
a scale reading of 1.23456 g silently becoming 1.2346 g is a ledger entry nobody made.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final, Generic, TypeAlias, TypeVar

from inventory.domain.errors import InvalidQuantityError, InvariantViolationError

QUANTITY_PLACES: Final = 4
QUANTUM: Final = Decimal("0.0001")
ZERO: Final = Decimal("0.0000")
MAX_QUANTITY: Final = Decimal("99999999999.9999")
"""Largest value NUMERIC(15,4) holds; no bucket or single operation may exceed it."""
MAX_ADJUSTMENT: Final = Decimal("1000000.0000")
"""The spec's bound on one manual adjustment (ADJUSTMENT_TOO_LARGE beyond it)."""

QuantityInput: TypeAlias = Decimal | int | str
"""What the domain accepts as a quantity: a Decimal, an int or a decimal string. Never float."""


def to_quantity(value: QuantityInput, *, field: str = "quantity") -> Decimal:
    """Parse and quantize a quantity (or an amount of money) to four decimal places.

    Args:
        value: A Decimal, an int or a decimal string; any sign.
        field: Name used in the error's details.

    Returns:
        The value with exactly four decimal places; ``-0`` is normalised to ``0.0000``.

    Raises:
        InvalidQuantityError: float or bool input, unparsable text, NaN or infinity, more
            than four decimal places, or a magnitude beyond :data:`MAX_QUANTITY`.
    """
    # bool is an int subclass and float would smuggle binary rounding in: both refused.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidQuantityError(
            f"{field} must be a decimal number (Decimal, int or string), "
            f"not {type(value).__name__}",
            field=field,
            value=repr(value),
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        raise InvalidQuantityError(
            f"{field} is not a decimal number", field=field, value=str(value)
        ) from None
    if not number.is_finite():
        raise InvalidQuantityError(f"{field} must be finite", field=field, value=str(value))
    if abs(number) > MAX_QUANTITY:
        raise InvalidQuantityError(
            f"{field} exceeds the largest storable quantity {MAX_QUANTITY}",
            field=field,
            value=str(value),
        )
    quantized = number.quantize(QUANTUM)
    if quantized != number:
        raise InvalidQuantityError(
            f"{field} has more than {QUANTITY_PLACES} decimal places",
            field=field,
            value=str(value),
        )
    return ZERO if quantized == 0 else quantized


def to_positive_quantity(value: QuantityInput, *, field: str = "quantity") -> Decimal:
    """Like :func:`to_quantity`, but the result must be strictly greater than zero.

    Raises:
        InvalidQuantityError: Everything :func:`to_quantity` refuses, and zero or negatives.
    """
    quantity = to_quantity(value, field=field)
    if quantity <= 0:
        raise InvalidQuantityError(
            f"{field} must be greater than zero", field=field, value=str(quantity)
        )
    return quantity


def is_quantized(value: Decimal) -> bool:
    """True when ``value`` is a finite Decimal with exactly four decimal places."""
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and value.as_tuple().exponent == -QUANTITY_PLACES
        and abs(value) <= MAX_QUANTITY
    )


K = TypeVar("K", bound=Hashable)


class QuantityMap(Mapping[K, Decimal], Generic[K]):
    """An immutable mapping from a key (a location id, a reservation reference) to a
    strictly positive quantity.

    Keys whose quantity drops to zero disappear, so ``len()`` counts only keys that hold
    something and two maps with the same holdings compare equal.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, Decimal] | Iterable[tuple[K, Decimal]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        built: dict[K, Decimal] = {}
        for key, quantity in pairs:
            if not is_quantized(quantity) or quantity <= 0:
                raise InvariantViolationError(
                    f"quantity for {key!r} must be a positive 4-place Decimal, got {quantity!r}"
                )
            if key in built:
                raise InvariantViolationError(f"duplicate key {key!r}")
            built[key] = quantity
        self._items = built

    def __getitem__(self, key: K) -> Decimal:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"QuantityMap({self._items!r})"

    def quantity(self, key: K) -> Decimal:
        """The quantity under ``key``, zero when the key holds nothing."""
        return self._items.get(key, ZERO)

    def total(self) -> Decimal:
        """Sum of all quantities (zero for an empty map)."""
        return sum(self._items.values(), ZERO)

    def with_change(self, key: K, change: Decimal) -> QuantityMap[K]:
        """A new map with ``change`` added under ``key``; a zero result removes the key.

        Raises:
            InvariantViolationError: The result would be negative (callers check first
                and raise the user-facing error; reaching this is a bug).
        """
        result = self.quantity(key) + change
        if result < 0:
            raise InvariantViolationError(f"quantity for {key!r} would become {result}")
        updated = dict(self._items)
        if result == 0:
            updated.pop(key, None)
        else:
            updated[key] = result
        return QuantityMap(updated)
