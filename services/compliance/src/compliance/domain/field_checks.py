"""The checks of the values a write sends to Metrc, one of each, for package writes
(``validation``) and cultivation writes (``cultivation_validation``) alike: a tag of 24
alphanumeric characters, a positive quantity, a name Metrc lists for the facility (item, unit,
strain, location), a date not in the future at the facility.

Each appends what it finds wrong to ``problems`` (every problem of a write is reported at once)
and returns the Metrc value to send, if there is one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.metrc_catalog import MetrcCatalog
from compliance.domain.problems import Problem, ProblemCode, problem

__all__ = [
    "CLOCK_SKEW_TOLERANCE",
    "TAG_PATTERN",
    "check_date",
    "check_listed",
    "check_location",
    "check_positive",
    "check_tag",
    "check_unit",
    "is_valid_tag",
]

TAG_PATTERN: Final = re.compile(r"^[0-9A-Z]{24}$")
CLOCK_SKEW_TOLERANCE: Final = timedelta(minutes=10)
"""A date up to this far ahead of the facility's today is a clock disagreement, not an error:
the push waits for the date instead of failing."""


def is_valid_tag(tag: str) -> bool:
    return bool(TAG_PATTERN.match(tag))


def check_tag(problems: list[Problem], tag: str, *, what: str = "Tag") -> bool:
    """Whether ``tag`` is a Metrc tag (24 alphanumeric characters)."""
    if is_valid_tag(tag):
        return True
    problems.append(
        problem(
            ProblemCode.TAG_INVALID,
            f"{what} {tag!r} is not 24 alphanumeric characters.",
            field="tag",
        )
    )
    return False


def check_positive(problems: list[Problem], value: Decimal, what: str, *, field: str) -> None:
    """``value`` is more than 0 (``what`` names it in the message: "Quantity", "Harvest X:
    weight")."""
    if value <= 0:
        problems.append(
            problem(
                ProblemCode.QUANTITY_NOT_POSITIVE, f"{what} {value} is not positive.", field=field
            )
        )


def check_listed(
    problems: list[Problem], found: str | None, code: ProblemCode, message: str, *, field: str
) -> str | None:
    """``found``, the name Metrc lists (looked up by the caller); when it lists none, the
    problem ``code`` with ``message``."""
    if found is None:
        problems.append(problem(code, message, field=field))
    return found


def check_unit(
    problems: list[Problem],
    rules: JurisdictionRules,
    catalog: MetrcCatalog,
    unit: str,
    *,
    what: str = "Unit",
) -> str | None:
    """Metrc's unit of measure for Canopy's ``unit`` (through the site's unit map)."""
    wanted = rules.metrc_unit(unit)
    return check_listed(
        problems,
        catalog.unit(wanted),
        ProblemCode.UNIT_INVALID,
        f"{what} {wanted!r} is not a Metrc unit of measure.",
        field="unit",
    )


def check_location(
    problems: list[Problem],
    rules: JurisdictionRules,
    location_id: str,
    listed: Callable[[str], str | None],
    *,
    kind: str = "",
    field: str = "location",
) -> str | None:
    """Metrc's location for Canopy's ``location_id`` (through the site's location map), among
    those ``listed`` finds (a package's, a plant batch's, a harvest's: ``kind`` says which)."""
    wanted = rules.metrc_location(location_id)
    found = listed(wanted) if wanted is not None else None
    shown = f"Metrc location {wanted!r}" if wanted else f"Canopy location {location_id}"
    return check_listed(
        problems,
        found,
        ProblemCode.LOCATION_NOT_MAPPED,
        f"{shown} is not mapped to an active Metrc location{kind}.",
        field=field,
    )


def check_date(problems: list[Problem], rules: JurisdictionRules, on: date, now: datetime) -> None:
    """``on`` is not after the facility's today; a date just ahead of it (the clocks disagree)
    is a problem that clears on its own at the facility's midnight."""
    today = rules.local_date(now)
    if on <= today:
        return
    starts = datetime.combine(on, time.min, tzinfo=rules.zone)
    wait_until = starts if starts - now <= CLOCK_SKEW_TOLERANCE else None
    problems.append(
        problem(
            ProblemCode.DATE_IN_FUTURE,
            f"{on.isoformat()} is after today ({today.isoformat()}) in {rules.time_zone}.",
            field="date",
            retry_at=wait_until,
        )
    )
