"""The state's package a batch is, for Metrc: its tag and where it came from.

A batch in a Metrc site is one Metrc package. Inventory records what compliance needs to mirror
it and nothing more: the package **tag** (24 characters, digits and capital letters: the
compliance guide's rule; lower case is refused, not folded) and the **source**:

* ``OPENING_BALANCE``: no source package (where the facility may create one);
* ``TRANSFER``: the package arrived on a transfer manifest; it exists in Metrc under the tag,
  so the tag is required;
* ``BATCHES``: made from other batches of the site (their ids and the quantities drawn, in each
  source batch's unit);
* ``HARVEST``: from a harvest (the cultivation flow).

Both are optional: a batch without them is one compliance cannot push on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Final

from shared.contracts.inventory_enums import PackageSourceKind

from inventory.domain.errors import FieldError, InvalidQuantityError
from inventory.domain.quantities import to_positive_quantity

__all__ = [
    "MAX_INGREDIENTS",
    "PACKAGE_TAG",
    "PackageIngredient",
    "PackageSource",
    "PackageSourceKind",
    "check_package",
]

PACKAGE_TAG: Final = re.compile(r"[0-9A-Z]{24}")
MAX_INGREDIENTS: Final = 50
MAX_MANIFEST_LENGTH: Final = 50


@dataclass(frozen=True, kw_only=True)
class PackageIngredient:
    """``quantity`` of source batch ``batch_id`` (in its unit); ``package_tag`` and ``unit`` are
    the source's as of the intake."""

    batch_id: str
    quantity: Decimal
    package_tag: str | None = None
    unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class PackageSource:
    kind: PackageSourceKind
    manifest_number: str | None = None
    ingredients: tuple[PackageIngredient, ...] = ()
    harvest_id: str | None = None
    harvest_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form (stored, and carried by events as ``PackageSourceInfo``)."""
        return {
            "kind": self.kind.value,
            "manifest_number": self.manifest_number,
            "ingredients": (
                [
                    {
                        "batch_id": i.batch_id,
                        "package_tag": i.package_tag,
                        "quantity": format(i.quantity, "f"),
                        "unit": i.unit,
                    }
                    for i in self.ingredients
                ]
                if self.kind is PackageSourceKind.BATCHES
                else None
            ),
            "harvest_id": self.harvest_id,
            "harvest_name": self.harvest_name,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackageSource:
        return cls(
            kind=PackageSourceKind(data["kind"]),
            manifest_number=data.get("manifest_number"),
            ingredients=tuple(
                PackageIngredient(
                    batch_id=i["batch_id"],
                    quantity=Decimal(i["quantity"]),
                    package_tag=i.get("package_tag"),
                    unit=i.get("unit"),
                )
                for i in data.get("ingredients") or ()
            ),
            harvest_id=data.get("harvest_id"),
            harvest_name=data.get("harvest_name"),
        )


def check_package(
    errors: list[FieldError], tag: str | None, source: PackageSource | None
) -> PackageSource | None:
    """Add to ``errors`` what breaks the package rules (the tag's form, what each source needs);
    return the source with its quantities as NUMERIC(15,4) stores them."""
    if tag is not None and not PACKAGE_TAG.fullmatch(tag):
        errors.append(
            FieldError(
                "package.tag",
                "must be 24 characters, digits and capital letters (e.g. 1A4FF0100000022000000123)",
            )
        )
    if source is None:
        return None
    kind = source.kind
    if kind is PackageSourceKind.TRANSFER and tag is None:
        errors.append(FieldError("package.tag", "is required for a package received by transfer"))
    if source.manifest_number is not None and len(source.manifest_number) > MAX_MANIFEST_LENGTH:
        errors.append(
            FieldError(
                "package.source.manifestNumber", f"must be at most {MAX_MANIFEST_LENGTH} characters"
            )
        )
    normalized: list[PackageIngredient] = []
    if kind is PackageSourceKind.BATCHES:
        ingredients = source.ingredients
        if not 1 <= len(ingredients) <= MAX_INGREDIENTS:
            errors.append(
                FieldError(
                    "package.source.ingredients", f"must list 1 to {MAX_INGREDIENTS} source batches"
                )
            )
        for n, ingredient in enumerate(ingredients):
            try:
                quantity = to_positive_quantity(ingredient.quantity, field="quantity")
            except InvalidQuantityError as error:
                errors.append(FieldError(f"package.source.ingredients.{n}.quantity", error.message))
            else:
                normalized.append(replace(ingredient, quantity=quantity))
        if len({i.batch_id for i in ingredients}) != len(ingredients):
            errors.append(FieldError("package.source.ingredients", "must name each batch once"))
    elif source.ingredients:
        errors.append(FieldError("package.source.ingredients", f"are not taken for {kind.value}"))
    if kind is PackageSourceKind.HARVEST and source.harvest_id is None:
        errors.append(FieldError("package.source.harvestId", "is required for HARVEST"))
    if kind is PackageSourceKind.BATCHES and len(normalized) == len(source.ingredients):
        return replace(source, ingredients=tuple(normalized))
    return source
