"""Stock status: whether a batch's available quantity is plentiful, low or gone.

* OUT_OF_STOCK: available is zero;
* LOW_STOCK: available is above zero but at or below the threshold;
* IN_STOCK: available is above the threshold.

The threshold is per call (a product's reorder point, once products have one); the
default is :data:`DEFAULT_LOW_STOCK_THRESHOLD`. Stock status looks at quantity only: an
ON_HOLD batch with stock is IN_STOCK, and the list API filters on status separately.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from shared.contracts.inventory_enums import StockStatus

from inventory.domain.errors import ValidationError
from inventory.domain.quantities import QuantityInput, to_quantity

DEFAULT_LOW_STOCK_THRESHOLD: Final = Decimal("10.0000")


def stock_status(
    available: QuantityInput, *, low_stock_threshold: QuantityInput = DEFAULT_LOW_STOCK_THRESHOLD
) -> StockStatus:
    """Classify an available quantity (as :attr:`Batch.available` reports it).

    Raises:
        InvalidQuantityError: A malformed quantity.
        ValidationError: A negative threshold or available quantity.
    """
    amount = to_quantity(available, field="available")
    threshold = to_quantity(low_stock_threshold, field="low_stock_threshold")
    if amount < 0 or threshold < 0:
        raise ValidationError.single(
            "available" if amount < 0 else "low_stock_threshold", "must not be negative"
        )
    if amount == 0:
        return StockStatus.OUT_OF_STOCK
    if amount <= threshold:
        return StockStatus.LOW_STOCK
    return StockStatus.IN_STOCK
