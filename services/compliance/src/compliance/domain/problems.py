"""Why something will not reach Metrc, as a stable code, a message and the guide's guidance.

Every refusal compliance produces (a validation before a push, a row Metrc rejected, a write that
kept failing, a batch that cannot be tracked) is a :class:`Problem`. ``code`` is stable (the API,
the sync log and the events carry it); ``message`` says what is wrong with *this* push;
``guidance`` is what the operator should do, taken from the compliance guide's troubleshooting
section and validation tables (``spec/compliance-workflows.md``), with "lot" read as "batch".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = ["GUIDANCE", "Problem", "ProblemCode", "problem", "problem_from_metrc_message"]


class ProblemCode(StrEnum):
    # the site and the batch
    SITE_NOT_METRC = "SITE_NOT_METRC"
    SOURCE_REQUIRED = "SOURCE_REQUIRED"
    SOURCE_NOT_SUPPORTED = "SOURCE_NOT_SUPPORTED"
    OPENING_BALANCE_NOT_ALLOWED = "OPENING_BALANCE_NOT_ALLOWED"
    NEEDS_MANUAL_PUSH = "NEEDS_MANUAL_PUSH"
    NOTHING_TO_PUSH = "NOTHING_TO_PUSH"
    QUANTITY_DRIFT = "QUANTITY_DRIFT"
    # keys
    CREDENTIALS_MISSING = "CREDENTIALS_MISSING"
    CREDENTIALS_INVALID = "CREDENTIALS_INVALID"
    # the guide's validation tables
    TAG_NOT_AVAILABLE = "TAG_NOT_AVAILABLE"
    TAG_INVALID = "TAG_INVALID"
    TAG_IN_USE = "TAG_IN_USE"
    TAG_CHANGE_AFTER_LINK = "TAG_CHANGE_AFTER_LINK"
    ITEM_NOT_FOUND = "ITEM_NOT_FOUND"
    QUANTITY_NOT_POSITIVE = "QUANTITY_NOT_POSITIVE"
    UNIT_INVALID = "UNIT_INVALID"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    REASON_REQUIRED = "REASON_REQUIRED"
    LOCATION_NOT_MAPPED = "LOCATION_NOT_MAPPED"
    INGREDIENT_NOT_LINKED = "INGREDIENT_NOT_LINKED"
    # the guide's plant batch table (cultivation)
    STRAIN_NOT_FOUND = "STRAIN_NOT_FOUND"
    PLANT_BATCH_TYPE_INVALID = "PLANT_BATCH_TYPE_INVALID"
    COUNT_NOT_POSITIVE = "COUNT_NOT_POSITIVE"
    PLANT_BATCH_NOT_IN_METRC = "PLANT_BATCH_NOT_IN_METRC"
    PLANT_BATCH_CONFLICT = "PLANT_BATCH_CONFLICT"
    GROWTH_PHASE_INVALID = "GROWTH_PHASE_INVALID"
    # what Metrc said or did
    INSUFFICIENT_QUANTITY = "INSUFFICIENT_QUANTITY"
    PACKAGE_NOT_RECEIVED = "PACKAGE_NOT_RECEIVED"
    LINK_MISMATCH = "LINK_MISMATCH"
    PACKAGE_CONFLICT = "PACKAGE_CONFLICT"
    METRC_REJECTED = "METRC_REJECTED"
    METRC_UNAVAILABLE = "METRC_UNAVAILABLE"


_NOT_PUSHING: Final = (
    "1. Check the jurisdiction: is the site cannabis with Metrc required? "
    "2. Check the API keys: are they valid and not expired? "
    "3. Check the sync log for error messages. "
    "4. Check validation: does the batch pass every validator? "
    "5. Push it manually from the batch. "
    "6. Contact support if the issue persists."
)
_KEYS: Final = (
    "Cause: API keys expired or incorrect. 1. Open Admin > Compliance > API Keys. "
    "2. Click Validate next to the key. 3. If validation fails, re-enter the keys. "
    "4. Contact Metrc support if the issue persists."
)
_TAG: Final = (
    "Cause: no Metrc tag is assigned to the batch. 1. Obtain Metrc tags from the state. "
    "2. Update the batch with its package tag. 3. Retry the push to Metrc."
)
_QUANTITY: Final = (
    "Cause: the package would be larger than its source. 1. Check the source batch's remaining "
    "quantity. 2. Adjust the package quantity. 3. Split into several packages if needed."
)
_METRC_DOWN: Final = (
    "Metrc did not answer. 1. Check the network connection. 2. Check Metrc's API status "
    "(status.metrc.com). 3. The push is retried on its own; once Metrc answers, retry the "
    "failed submissions of the license. 4. Contact support if the issue persists."
)

GUIDANCE: Final[Mapping[ProblemCode, str]] = MappingProxyType(
    {
        ProblemCode.SITE_NOT_METRC: (
            "Nothing is pushed for this site. To track it in Metrc, set the site to a cannabis "
            "jurisdiction with require_metrc_id, a facility license and a Metrc URL, then push "
            "its batches manually."
        ),
        ProblemCode.SOURCE_REQUIRED: (
            "Record how the batch came to be (received by transfer, made from other batches, or "
            "an opening balance), then push it manually."
        ),
        ProblemCode.SOURCE_NOT_SUPPORTED: (
            "Packages from harvests are created by the cultivation flow, not by an intake."
        ),
        ProblemCode.OPENING_BALANCE_NOT_ALLOWED: (
            "This facility may not create packages without a source in Metrc. Receive the "
            "batch by transfer or make it from other batches; if the facility type allows "
            "opening balances, enable them in the jurisdiction rules and push the batch manually."
        ),
        ProblemCode.NEEDS_MANUAL_PUSH: (
            "The batch existed before Metrc integration was enabled for its site (or before its "
            "source was known). Push it to Metrc manually from the batch."
        ),
        ProblemCode.NOTHING_TO_PUSH: "The batch is already in step with Metrc.",
        ProblemCode.QUANTITY_DRIFT: (
            "Compliance's record of this batch missed a change. Run a sync with Metrc and "
            "reconcile the batch."
        ),
        ProblemCode.CREDENTIALS_MISSING: (
            "Add the facility's vendor and user API keys under Admin > Compliance > API Keys "
            "and validate them (green checkmark)."
        ),
        ProblemCode.CREDENTIALS_INVALID: _KEYS,
        ProblemCode.TAG_NOT_AVAILABLE: _TAG,
        ProblemCode.TAG_INVALID: (
            "A Metrc tag is 24 alphanumeric characters (e.g. 1A4FF0100000022000000123). "
            "Correct the batch's package tag, then retry the push."
        ),
        ProblemCode.TAG_IN_USE: (
            "Another batch is already linked to this tag; a tag names exactly one package. "
            "Correct the package tag of one of the batches, then retry the push."
        ),
        ProblemCode.TAG_CHANGE_AFTER_LINK: (
            "The package already exists in Metrc under its first tag and Metrc cannot re-tag "
            "it. Put the original tag back on the batch."
        ),
        ProblemCode.ITEM_NOT_FOUND: (
            "The item must exist and be active in Metrc. Create or re-activate it in Metrc, or "
            "map the product to an existing Metrc item, then retry the push."
        ),
        ProblemCode.QUANTITY_NOT_POSITIVE: "A package quantity must be a positive number.",
        ProblemCode.UNIT_INVALID: (
            "Use a valid Metrc unit of measure (Grams, Ounces, Pounds, Kilograms, Milligrams, "
            "Each ...): map the batch's unit in the jurisdiction rules, then retry the push."
        ),
        ProblemCode.DATE_IN_FUTURE: (
            "Metrc dates are YYYY-MM-DD in the facility's time zone and may not be in the future."
        ),
        ProblemCode.REASON_REQUIRED: (
            "An adjustment reason is required. Map this Canopy reason to one of the state's "
            "Metrc adjustment reasons in the jurisdiction rules, then retry the push."
        ),
        ProblemCode.LOCATION_NOT_MAPPED: (
            "Map the location to a Metrc location in the jurisdiction rules (or stop tracking "
            "locations for the site), then retry the push."
        ),
        ProblemCode.INGREDIENT_NOT_LINKED: (
            "Every batch the package is made from must be in Metrc first. Push the source "
            "batches, then retry this one."
        ),
        ProblemCode.STRAIN_NOT_FOUND: (
            "The strain must exist in Metrc for this facility. Create it in Metrc (Admin > "
            "Strains) or correct the plant batch's strain, then retry the push."
        ),
        ProblemCode.PLANT_BATCH_TYPE_INVALID: 'A plant batch\'s type is "Seed" or "Clone".',
        ProblemCode.COUNT_NOT_POSITIVE: "A plant count must be a positive whole number.",
        ProblemCode.GROWTH_PHASE_INVALID: 'A tracked plant\'s growth phase is "Vegetative" or "Flowering".',
        ProblemCode.PLANT_BATCH_NOT_IN_METRC: (
            "The plant batch is not in Metrc yet: its planting (or the split that made it) has "
            "not been accepted. The change waits for it; if that push failed, retry it first."
        ),
        ProblemCode.PLANT_BATCH_CONFLICT: (
            "Metrc's plant batch is not as Canopy left it (changed outside Canopy?). Compare the "
            "batch in Metrc with Canopy's, correct one of them, then retry or dismiss the push."
        ),
        ProblemCode.INSUFFICIENT_QUANTITY: _QUANTITY,
        ProblemCode.PACKAGE_NOT_RECEIVED: (
            "The package that arrived by transfer is not in this facility's Metrc inventory. "
            "Receive the transfer in Metrc (Metrc's API cannot), then retry the push."
        ),
        ProblemCode.LINK_MISMATCH: (
            "The package in Metrc does not match the batch (item, quantity or unit). Correct "
            "the batch or the package so they agree, then retry the push."
        ),
        ProblemCode.PACKAGE_CONFLICT: (
            "Metrc already has a package with this tag that Canopy did not create as sent. "
            "Check the package in Metrc and the batch's tag, then retry or dismiss the push."
        ),
        ProblemCode.METRC_REJECTED: _NOT_PUSHING,
        ProblemCode.METRC_UNAVAILABLE: _METRC_DOWN,
    }
)


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One reason a push did not (or will not yet) happen.

    Attributes:
        code: stable code, see :class:`ProblemCode`.
        message: what is wrong with this particular push (Metrc's own text where Metrc said it).
        guidance: what to do about it.
        field: the offending field, when there is one (``tag``, ``item``, ``unit`` ...).
        retry_at: set when the problem goes away on its own at that time (a date that is only
            in the future because two clocks disagree); the push waits instead of failing.
    """

    code: ProblemCode
    message: str
    guidance: str
    field: str | None = None
    retry_at: datetime | None = None


def problem(
    code: ProblemCode,
    message: str,
    *,
    field: str | None = None,
    retry_at: datetime | None = None,
) -> Problem:
    """A :class:`Problem` with the guide's guidance for ``code``."""
    return Problem(
        code=code, message=message, guidance=GUIDANCE[code], field=field, retry_at=retry_at
    )


# Metrc's row messages are free text; these patterns sort the ones seen in Metrc's documentation,
# integrators' reports and the sandbox into the guide's troubleshooting entries.
_METRC_PATTERNS: Final = (
    (re.compile(r"\btag\b", re.I), ProblemCode.TAG_NOT_AVAILABLE),
    (re.compile(r"insufficient|only .* available|below zero|negative", re.I), ProblemCode.INSUFFICIENT_QUANTITY),
    (re.compile(r"opening balance|ingredients were not specified|without ingredients", re.I), ProblemCode.OPENING_BALANCE_NOT_ALLOWED),
    (re.compile(r"\bitem\b", re.I), ProblemCode.ITEM_NOT_FOUND),
    (re.compile(r"unit of measure|\bunit\b", re.I), ProblemCode.UNIT_INVALID),
    (re.compile(r"adjustment reason|reasonnote|reason note", re.I), ProblemCode.REASON_REQUIRED),
    (re.compile(r"\blocation\b", re.I), ProblemCode.LOCATION_NOT_MAPPED),
    (re.compile(r"future", re.I), ProblemCode.DATE_IN_FUTURE),
)  # fmt: skip


def problem_from_metrc_message(message: str) -> Problem:
    """Metrc's rejection of one row, with the guidance of the troubleshooting entry it matches.

    The code is ``METRC_REJECTED`` whatever the message says (Metrc refused it, Canopy did not);
    the guidance is the matching entry's, or the guide's "batch not pushing" checklist.
    """
    for pattern, code in _METRC_PATTERNS:
        if pattern.search(message):
            return Problem(
                code=ProblemCode.METRC_REJECTED, message=message, guidance=GUIDANCE[code]
            )
    return problem(ProblemCode.METRC_REJECTED, message)
