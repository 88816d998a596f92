"""What a finding proposes (pure): the kinds of fix, the changes a fix makes, and the marker a
local movement carries so the planner knows which finding made it. A fix is applied only when a
person approves it (``service_layer.reconciliation``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

__all__ = [
    "APPLICABLE_FIXES",
    "MOVEMENT_REASON",
    "WAIT",
    "Fix",
    "FixAction",
    "FixKind",
    "marked_finding",
    "movement_marker",
]

MOVEMENT_REASON: Final = "COUNT_DISCREPANCY"
_MOVEMENT_PREFIX: Final = "[reconciliation:"


def movement_marker(finding_id: UUID) -> str:
    """What a local movement's notes carry, so the planner knows Metrc already holds it."""
    return f"{_MOVEMENT_PREFIX}{finding_id}]"


def marked_finding(notes: str | None) -> UUID | None:
    """The finding a movement's notes name (``movement_marker``), if any."""
    if not notes or _MOVEMENT_PREFIX not in notes:
        return None
    start = notes.index(_MOVEMENT_PREFIX) + len(_MOVEMENT_PREFIX)
    try:
        return UUID(notes[start : start + 36])
    except ValueError:
        return None


class FixKind(StrEnum):
    WAIT = "WAIT"
    """Nothing to do: the queued writes settle it."""
    RETRY_PUSH = "RETRY_PUSH"
    PUSH_ADJUSTMENT = "PUSH_ADJUSTMENT"
    LOCAL_MOVEMENT = "LOCAL_MOVEMENT"
    LINK_PACKAGE = "LINK_PACKAGE"
    REMAP_ITEM = "REMAP_ITEM"
    REMAP_UNIT = "REMAP_UNIT"
    PUSH_PACKAGE = "PUSH_PACKAGE"
    REPLACE_KEYS = "REPLACE_KEYS"
    """Outside Canopy's reach: a person saves working keys, then syncs."""


APPLICABLE_FIXES: Final = frozenset(FixKind) - {FixKind.WAIT, FixKind.REPLACE_KEYS}


@dataclass(frozen=True, kw_only=True)
class FixAction:
    """One change a fix makes; which fields matter depends on the fix's kind."""

    batch_id: UUID | None = None
    quantity: Decimal | None = None
    submission_ids: tuple[UUID, ...] = ()
    tag: str | None = None
    metrc_package_id: int | None = None
    site_id: UUID | None = None
    product_id: str | None = None
    canopy_unit: str | None = None
    metrc_name: str | None = None
    version: int | None = None


@dataclass(frozen=True, kw_only=True)
class Fix:
    kind: FixKind
    description: str
    actions: tuple[FixAction, ...] = ()

    @property
    def applicable(self) -> bool:
        return self.kind in APPLICABLE_FIXES


WAIT: Final = Fix(kind=FixKind.WAIT, description="Nothing to do: the queued writes settle it.")
