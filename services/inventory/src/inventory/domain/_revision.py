"""Revision of a batch's descriptive details (private; see ``Batch``)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from inventory.domain import _checks
from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain.errors import FieldError, ValidationError
from inventory.domain.events import BatchRevised
from inventory.domain.intake import BatchDetails, normalize_details

IDENTITY_FIELDS: Final = (
    "code",
    "product_id",
    "vendor_id",
    "brand_id",
    "lot_id",
    "category",
    "strain",
)
"""What a batch *is*: fixed at intake (the strain comes with the product). A different product or
vendor is a different batch (and, in a Metrc state, a different package), so a revision may not
change them."""


class RevisionOperations(BatchCore):
    """The operation that edits what describes a batch without moving stock: revise."""

    def revise(
        self, *, details: BatchDetails, reason: str, actor: str, occurred_at: datetime
    ) -> OperationResult:
        """Replace the batch's revisable details (costing, payment terms, grade, SKU)
        after validating them as intake would; quantities, status and the ledger are untouched.
        The version moves on (optimistic locking covers edits too) even when nothing in
        ``details`` differs, because the caller may be recording changes the domain does not
        model (a price, notes). No movements; one BatchRevised event.

        Raises:
            BatchClosedError: The batch is closed or deleted.
            ReasonRequiredError: Blank reason.
            ValidationError: A detail breaks an intake rule (RANGE min < max, Flower strain
                ...), or an identity field (code, product, vendor, brand, lot, category,
                strain) differs.
        """
        draft = self._begin(actor, occurred_at)
        reason = _checks.reason_text(reason)
        revised = normalize_details(details)
        current = self._state.details
        frozen = [
            FieldError(name, "is fixed at intake and cannot be revised")
            for name in IDENTITY_FIELDS
            if getattr(revised, name) != getattr(current, name)
        ]
        if frozen:
            raise ValidationError(frozen)
        draft.emit(BatchRevised(**draft.common(0), before=current, after=revised, reason=reason))
        return self._commit(draft, details=revised)
