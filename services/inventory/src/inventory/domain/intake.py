"""What an intake must say about a new batch, and the rules it must satisfy.

:func:`normalize_intake` checks an :class:`IntakeRequest` and returns a normalised copy
(trimmed text, four-place Decimals). It reports *every* problem at once in one
:class:`~inventory.domain.errors.ValidationError`, so an intake form can mark all the bad
fields in one round trip.

Rules: vendor, brand, product, lot, batch code and location are required; a Flower batch
needs a strain; costing is FIXED (``unit_cogs``) or RANGE (``unit_cogs_min <
unit_cogs_max``, both required), money is non-negative; payment terms come from
:class:`PaymentTerms`; the quantity is greater than zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from shared.contracts.inventory_enums import CogsMode, PaymentTerms

from inventory.domain.errors import FieldError, InvalidQuantityError, ValidationError
from inventory.domain.movements import Reference
from inventory.domain.packages import PackageSource, check_package
from inventory.domain.quantities import QuantityInput, to_positive_quantity, to_quantity

FLOWER_CATEGORY: Final = "flower"
"""Category (compared case-insensitively) whose batches must name a strain."""
MAX_CODE_LENGTH: Final = 100
MAX_GRADE_LENGTH: Final = 20
METRC_UNITS_OF_MEASURE: Final = (
    "Each",
    "Fluid Ounces",
    "Gallons",
    "Grams",
    "Kilograms",
    "Liters",
    "Milligrams",
    "Milliliters",
    "Ounces",
    "Pints",
    "Pounds",
    "Quarts",
)
"""Metrc's active units of measure (count, volume, weight), spelled as Metrc spells them: the
default of the configured list (INVENTORY_UNITS_OF_MEASURE)."""


def check_unit_of_measure(unit: str, allowed: Collection[str], *, field: str) -> str:
    """``unit`` if it is one of ``allowed`` (exactly as spelled there), else VALIDATION_ERROR
    naming the closest allowed units: a unit the state does not know would only be refused
    by the state, long after the intake.
    """
    if unit in allowed:
        return unit
    closest = difflib.get_close_matches(unit, list(allowed), n=1, cutoff=0.5) or [
        u for u in allowed if u.casefold() == unit.casefold()
    ]
    hint = f"; did you mean {closest[0]}?" if closest else ""
    raise ValidationError.single(
        field,
        f"{unit!r} is not one of the units of measure configured for the state"
        f" ({', '.join(allowed)}){hint}",
    )


@dataclass(frozen=True, kw_only=True)
class Costing:
    """Unit cost of the batch. FIXED uses ``unit_cogs`` only; RANGE uses min and max only.

    The constructor does not validate, so that the API layer can pass on whatever the
    client sent and let :func:`normalize_intake` report every problem at once; after
    normalisation the amounts are non-negative four-place Decimals.
    """

    mode: CogsMode
    unit_cogs: Decimal | None = None
    unit_cogs_min: Decimal | None = None
    unit_cogs_max: Decimal | None = None
    total: Decimal | None = None
    """FIXED only: what the batch cost as a whole, exactly, where it was bought as a whole (a
    package received by transfer: the shipper's price). ``unit_cogs`` is then that total per
    unit, to four places, so ``quantity x unit_cogs`` can miss it by the rounding (1000.00 over
    3 units: 333.3333 each, 999.9999); the total keeps what was paid."""

    @classmethod
    def fixed(cls, unit_cogs: Decimal) -> Costing:
        """A FIXED cost of ``unit_cogs`` per unit."""
        return cls(mode=CogsMode.FIXED, unit_cogs=unit_cogs)

    @classmethod
    def range(cls, unit_cogs_min: Decimal, unit_cogs_max: Decimal) -> Costing:
        """A RANGE cost between ``unit_cogs_min`` and ``unit_cogs_max`` per unit."""
        return cls(mode=CogsMode.RANGE, unit_cogs_min=unit_cogs_min, unit_cogs_max=unit_cogs_max)


@dataclass(frozen=True, kw_only=True)
class BatchDetails:
    """The descriptive, non-quantity facts of a batch, fixed at intake.

    Attributes:
        code: The batch code, unique across batches (uniqueness is the repository's job).
        product_id: The product the batch is of.
        vendor_id: The supplier.
        brand_id: The brand.
        lot_id: The supplier lot the batch belongs to.
        category: Product category, e.g. "Flower", "Concentrate".
        costing: Unit cost, FIXED or RANGE.
        payment_terms: Payment terms with the vendor.
        strain: Required for Flower, optional otherwise.
        sku: Stock keeping unit, if the product has one.
        grade: Quality grade (up to 20 characters).
        package_tag: The Metrc package tag (``packages.PACKAGE_TAG``), if known.
        package_source: Where the package came from (fixed at intake), if known.
    """

    code: str
    product_id: str
    vendor_id: str
    brand_id: str
    lot_id: str
    category: str
    costing: Costing
    payment_terms: PaymentTerms
    strain: str | None = None
    sku: str | None = None
    grade: str | None = None
    package_tag: str | None = None
    package_source: PackageSource | None = None

    @property
    def is_flower(self) -> bool:
        """True for the Flower category, which requires a strain."""
        return self.category.strip().casefold() == FLOWER_CATEGORY


@dataclass(frozen=True, kw_only=True)
class IntakeRequest:
    """Everything needed to receive a new batch.

    Attributes:
        details: What the batch is.
        quantity: How much arrived (> 0).
        location_id: Where it was put; becomes the batch's primary location.
        reference: What the intake relates to (purchase order ...), if anything.
        notes: Free text for the INTAKE movement.
    """

    details: BatchDetails
    quantity: QuantityInput
    location_id: str
    reference: Reference | None = None
    notes: str | None = None


def _required_text(
    errors: list[FieldError], field: str, value: str | None, max_length: int | None = None
) -> str:
    text = (value or "").strip()
    if not text:
        errors.append(FieldError(field, "is required"))
    elif max_length is not None and len(text) > max_length:
        errors.append(FieldError(field, f"must be at most {max_length} characters"))
    return text


def _optional_text(
    errors: list[FieldError], field: str, value: str | None, max_length: int | None = None
) -> str | None:
    text = (value or "").strip()
    if max_length is not None and len(text) > max_length:
        errors.append(FieldError(field, f"must be at most {max_length} characters"))
    return text or None


def _money(errors: list[FieldError], field: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        errors.append(FieldError(field, "is required"))
        return None
    try:
        amount = to_quantity(value, field=field)
    except InvalidQuantityError as error:
        errors.append(FieldError(field, error.message))
        return None
    if amount < 0:
        errors.append(FieldError(field, "must not be negative"))
        return None
    return amount


def _normalize_costing(errors: list[FieldError], costing: Costing) -> Costing:
    if costing.mode is CogsMode.FIXED:
        if costing.unit_cogs_min is not None or costing.unit_cogs_max is not None:
            errors.append(
                FieldError("costing", "FIXED costing takes unit_cogs, not unit_cogs_min/max")
            )
        total = None if costing.total is None else _money(errors, "cogs_total", costing.total)
        return Costing(
            mode=CogsMode.FIXED,
            unit_cogs=_money(errors, "unit_cogs", costing.unit_cogs),
            total=total,
        )
    if costing.total is not None:
        errors.append(FieldError("costing", "RANGE costing has no total"))
    if costing.unit_cogs is not None:
        errors.append(FieldError("costing", "RANGE costing takes unit_cogs_min/max, not unit_cogs"))
    low = _money(errors, "unit_cogs_min", costing.unit_cogs_min)
    high = _money(errors, "unit_cogs_max", costing.unit_cogs_max)
    if low is not None and high is not None and not low < high:
        errors.append(FieldError("unit_cogs_max", "must be greater than unit_cogs_min"))
    return Costing(mode=CogsMode.RANGE, unit_cogs_min=low, unit_cogs_max=high)


def normalize_intake(request: IntakeRequest) -> IntakeRequest:
    """Validate an intake and return it normalised (trimmed text, four-place Decimals).

    Raises:
        ValidationError: One error listing every field that breaks a rule.
    """
    errors: list[FieldError] = []
    details = _normalize_details(errors, request.details)
    location_id = _required_text(errors, "location_id", request.location_id)
    quantity: Decimal | None = None
    try:
        quantity = to_positive_quantity(request.quantity, field="quantity")
    except InvalidQuantityError as error:
        errors.append(FieldError("quantity", error.message))
    if errors or quantity is None:
        raise ValidationError(errors)
    return replace(
        request,
        details=details,
        quantity=quantity,
        location_id=location_id,
        notes=(request.notes or "").strip() or None,
    )


def normalize_details(details: BatchDetails) -> BatchDetails:
    """Validate a batch's details on their own (as a revision of them must) and normalise them.

    Raises:
        ValidationError: One error listing every field that breaks a rule.
    """
    errors: list[FieldError] = []
    normalized = _normalize_details(errors, details)
    if errors:
        raise ValidationError(errors)
    return normalized


def _normalize_details(errors: list[FieldError], d: BatchDetails) -> BatchDetails:
    details = replace(
        d,
        code=_required_text(errors, "code", d.code, MAX_CODE_LENGTH),
        product_id=_required_text(errors, "product_id", d.product_id),
        vendor_id=_required_text(errors, "vendor_id", d.vendor_id),
        brand_id=_required_text(errors, "brand_id", d.brand_id),
        lot_id=_required_text(errors, "lot_id", d.lot_id),
        category=_required_text(errors, "category", d.category),
        strain=_optional_text(errors, "strain", d.strain),
        sku=_optional_text(errors, "sku", d.sku, MAX_CODE_LENGTH),
        grade=_optional_text(errors, "grade", d.grade, MAX_GRADE_LENGTH),
        costing=_normalize_costing(errors, d.costing),
    )
    if details.is_flower and details.strain is None:
        errors.append(FieldError("strain", "is required for Flower"))
    source = check_package(errors, details.package_tag, details.package_source)
    return replace(details, package_source=source)
