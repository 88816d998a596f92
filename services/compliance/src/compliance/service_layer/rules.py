"""Jurisdiction rules: validated as data, checked against what the facility's Metrc lists
(adjustment reasons, units, items, locations) when its keys allow, then stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from compliance.adapters.metrc.errors import MetrcError
from compliance.domain import (
    InvalidRulesError,
    JurisdictionRules,
    Problem,
    check_rules_against_catalog,
    validate_rules,
)
from compliance.service_layer.commands import SaveRules
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.errors import rules_not_found

__all__ = ["RulesSaved", "RulesService"]


@dataclass(frozen=True)
class RulesSaved:
    """The stored rules; ``checked_against_metrc`` False with ``unchecked_because`` when Metrc
    could not be asked (no or invalid keys, Metrc down): the names are checked at push time."""

    rules: JurisdictionRules
    checked_against_metrc: bool
    unchecked_because: str | None = None


class RulesService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def save(self, cmd: SaveRules) -> RulesSaved:
        """Raises:
        InvalidRulesError: a rule is malformed, or names a reason, unit, item or location the
            facility's Metrc does not list."""
        ctx = self._ctx
        rules = validate_rules(replace(cmd.rules, updated_at=ctx.now(), updated_by=cmd.actor))
        checked, why = False, None
        if rules.pushes_to_metrc:
            assert rules.license_number is not None
            checked, why = await self._check(rules)
        async with ctx.uow() as uow:
            await uow.jurisdictions.save(rules)
            await uow.commit()
        return RulesSaved(rules, checked, why)

    async def get(self, site_id: UUID) -> JurisdictionRules:
        async with self._ctx.uow() as uow:
            rules = await uow.jurisdictions.get(site_id)
        if rules is None:
            raise rules_not_found(site_id)
        return rules

    async def all(self) -> list[JurisdictionRules]:
        async with self._ctx.uow() as uow:
            found = await uow.jurisdictions.all()
        return sorted(found, key=lambda r: str(r.site_id))

    async def _check(self, rules: JurisdictionRules) -> tuple[bool, str | None]:
        ctx = self._ctx
        assert rules.license_number is not None
        opened = await ctx.metrc_for(rules.license_number, base_url=rules.metrc_base_url)
        if isinstance(opened, Problem):
            return False, opened.message
        ctx.catalogs.forget(rules.license_number)
        try:
            catalog = await ctx.catalogs.get(rules.license_number, opened)
        except MetrcError as error:
            return False, f"Metrc could not be asked: {error.message}"
        violations = check_rules_against_catalog(rules, catalog)
        if violations:
            raise InvalidRulesError(violations)
        return True, None
