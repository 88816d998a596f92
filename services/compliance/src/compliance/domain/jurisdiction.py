"""Jurisdiction rules: what a site's state requires, as data the compliance team edits.

One :class:`JurisdictionRules` per inventory site. A site pushes to Metrc only when it is a
cannabis jurisdiction with ``require_metrc_id`` (the guide's prerequisite), a facility license and
a Metrc URL; any other site pushes nothing and says so.

The maps translate Canopy's words into the state's Metrc words:

* ``reason_map``: every cause of a change of physical quantity (inventory's adjustment reasons,
  and the movement types that change stock without a reason: SAMPLE, RETURN, REFUND_RETURN,
  CORRECTION) to one of the state's Metrc adjustment reasons. It must be complete: a cause without
  a reason could never be pushed.
* ``unit_map``: Canopy unit -> Metrc unit of measure (a unit absent from the map is sent as is).
* ``item_map``: Canopy product id -> Metrc item name (absent: the product's name).
* ``location_map``: Canopy location id -> Metrc location name, used when ``track_locations``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.domain.errors import InvalidRulesError, RuleViolation

__all__ = [
    "CHANGE_CAUSES",
    "JurisdictionRules",
    "Program",
    "validate_rules",
]


class Program(StrEnum):
    CANNABIS = "CANNABIS"
    HEMP = "HEMP"


CHANGE_CAUSES: Final = (
    "DAMAGED",
    "EXPIRED",
    "LOST",
    "THEFT",
    "COUNT_DISCREPANCY",
    "QUALITY_ISSUE",
    "REWEIGH",
    "OTHER",
    "SAMPLE",
    "RETURN",
    "REFUND_RETURN",
    "CORRECTION",
)
"""Every cause the planner can give a change of physical quantity: inventory's adjustment
reasons (ADJUSTMENT and DISPOSAL movements carry one) and the movement types that change stock
without a reason. SALE is not among them: a sale leaves Metrc by transfer manifest."""

_STATE = re.compile(r"^[A-Z]{2}$")
MAX_LICENSE_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 200


@dataclass(frozen=True, kw_only=True)
class JurisdictionRules:
    site_id: UUID
    state: str
    program: Program
    require_metrc_id: bool
    metrc_base_url: str | None = None
    license_number: str | None = None
    time_zone: str = "UTC"
    reason_map: Mapping[str, str] = field(default_factory=dict)
    unit_map: Mapping[str, str] = field(default_factory=dict)
    item_map: Mapping[str, str] = field(default_factory=dict)
    location_map: Mapping[str, str] = field(default_factory=dict)
    track_locations: bool = False
    allow_opening_balance: bool = False
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def pushes_to_metrc(self) -> bool:
        return (
            self.program is Program.CANNABIS
            and self.require_metrc_id
            and bool(self.license_number)
            and bool(self.metrc_base_url)
        )

    @property
    def why_not_metrc(self) -> str:
        """Why the site pushes nothing (empty when it does push)."""
        if self.program is not Program.CANNABIS:
            return f"{self.state} {self.program.value.lower()} is not tracked in Metrc"
        if not self.require_metrc_id:
            return f"the {self.state} jurisdiction does not require Metrc ids"
        if not self.license_number or not self.metrc_base_url:
            return "the site has no facility license or Metrc URL"
        return ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        """The facility-local calendar date of an aware instant (Metrc dates are local)."""
        return moment.astimezone(self.zone).date()

    def metrc_reason(self, cause: str) -> str | None:
        return self.reason_map.get(cause)

    def metrc_unit(self, unit: str) -> str:
        return self.unit_map.get(unit, unit)

    def metrc_item(self, product_id: str, product_name: str) -> str:
        return self.item_map.get(product_id, product_name)

    def metrc_location(self, location_id: str) -> str | None:
        return self.location_map.get(location_id)


def validate_rules(rules: JurisdictionRules) -> JurisdictionRules:
    """Check rules before they are stored; return them with text trimmed.

    Raises:
        InvalidRulesError: every violation at once (``INVALID_JURISDICTION_RULES``).
    """
    problems: list[RuleViolation] = []
    state = rules.state.strip().upper()
    if not _STATE.match(state):
        problems.append(RuleViolation("state", "must be a two-letter US state code"))
    license_number = (rules.license_number or "").strip() or None
    base_url = (rules.metrc_base_url or "").strip().rstrip("/") or None
    try:
        ZoneInfo(rules.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            RuleViolation("time_zone", "must be an IANA time zone, e.g. America/Denver")
        )
    if license_number is not None and len(license_number) > MAX_LICENSE_LENGTH:
        problems.append(
            RuleViolation("license_number", f"must be at most {MAX_LICENSE_LENGTH} characters")
        )
    if base_url is not None:
        try:
            parts = urlsplit(base_url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:  # an unclosed IPv6 bracket, a port that is not a number
            parts = urlsplit("")
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
            problems.append(
                RuleViolation("metrc_base_url", "must be an http(s) URL without a query")
            )
    wants_metrc = rules.program is Program.CANNABIS and rules.require_metrc_id
    if wants_metrc:
        if license_number is None:
            problems.append(
                RuleViolation("license_number", "is required when Metrc ids are required")
            )
        if base_url is None:
            problems.append(
                RuleViolation("metrc_base_url", "is required when Metrc ids are required")
            )
        missing = [cause for cause in CHANGE_CAUSES if not rules.reason_map.get(cause, "").strip()]
        if missing:
            problems.append(
                RuleViolation(
                    "reason_map", "needs a Metrc adjustment reason for " + ", ".join(missing)
                )
            )
    unknown = sorted(set(rules.reason_map) - set(CHANGE_CAUSES))
    if unknown:
        problems.append(RuleViolation("reason_map", "has unknown causes: " + ", ".join(unknown)))
    for name, mapping in (
        ("reason_map", rules.reason_map),
        ("unit_map", rules.unit_map),
        ("item_map", rules.item_map),
        ("location_map", rules.location_map),
    ):
        for key, value in mapping.items():
            if not key.strip() or not value.strip() or len(value) > MAX_NAME_LENGTH:
                problems.append(
                    RuleViolation(
                        f"{name}.{key}", f"needs a name of 1 to {MAX_NAME_LENGTH} characters"
                    )
                )
    if problems:
        raise InvalidRulesError(problems)
    return JurisdictionRules(
        site_id=rules.site_id,
        state=state,
        program=rules.program,
        require_metrc_id=rules.require_metrc_id,
        metrc_base_url=base_url,
        license_number=license_number,
        time_zone=rules.time_zone,
        reason_map={k.strip(): v.strip() for k, v in rules.reason_map.items()},
        unit_map={k.strip(): v.strip() for k, v in rules.unit_map.items()},
        item_map={k.strip(): v.strip() for k, v in rules.item_map.items()},
        location_map={k.strip(): v.strip() for k, v in rules.location_map.items()},
        track_locations=rules.track_locations,
        allow_opening_balance=rules.allow_opening_balance,
        updated_at=rules.updated_at,
        updated_by=rules.updated_by,
    )
