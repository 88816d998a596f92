"""Aging brackets: how long a batch has been in inventory.

Age is counted in whole days (floored) from the batch's receipt (``created_at``) to an
``as_of`` instant the caller passes in. Brackets::

    FRESH      0-14 days
    MODERATE  15-30 days
    AGING     31-60 days
    CRITICAL  61 days and more

A receipt time later than ``as_of`` (clock skew between writers) counts as age 0, so a
listing never fails on it. :func:`received_window` turns a bracket into a range of receipt
times, so the list API can filter in SQL on ``created_at`` and agree with
:func:`aging_bracket` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

from shared.contracts.inventory_enums import AgingBracket

from inventory.domain import _checks

_DAY: Final = timedelta(days=1)


BRACKET_DAYS: Final[Mapping[AgingBracket, tuple[int, int | None]]] = MappingProxyType(
    {
        AgingBracket.FRESH: (0, 14),
        AgingBracket.MODERATE: (15, 30),
        AgingBracket.AGING: (31, 60),
        AgingBracket.CRITICAL: (61, None),
    }
)
"""Per bracket, the smallest and the largest age (whole days) in it; None for the open-ended
CRITICAL."""


def age_in_days(received_at: datetime, *, as_of: datetime) -> int:
    """Whole days from ``received_at`` to ``as_of`` (floored; never negative).

    Raises:
        ValidationError: Either datetime is not aware UTC.
    """
    received_at = _checks.aware_utc(received_at, field="received_at")
    as_of = _checks.aware_utc(as_of, field="as_of")
    return max(0, (as_of - received_at) // _DAY)


def aging_bracket(received_at: datetime, *, as_of: datetime) -> AgingBracket:
    """The bracket of a batch received at ``received_at``, seen at ``as_of``."""
    days = age_in_days(received_at, as_of=as_of)
    for bracket in AgingBracket:
        _, upper = BRACKET_DAYS[bracket]
        if upper is None or days <= upper:
            return bracket
    raise AssertionError("CRITICAL is open-ended")  # pragma: no cover


def received_window(
    bracket: AgingBracket, *, as_of: datetime
) -> tuple[datetime | None, datetime | None]:
    """The receipt times that fall in ``bracket`` at ``as_of``.

    Returns:
        ``(after, not_after)``: a batch is in the bracket exactly when
        ``(after is None or received_at > after) and
        (not_after is None or received_at <= not_after)``.
    """
    as_of = _checks.aware_utc(as_of, field="as_of")
    # FRESH has no upper bound on receipt time: future receipts count as age 0.
    lower, upper = BRACKET_DAYS[bracket]
    not_after = as_of - lower * _DAY if lower > 0 else None
    after = as_of - (upper + 1) * _DAY if upper is not None else None
    return after, not_after
