"""The incoming transfer aggregate.

An incoming transfer is a Metrc manifest delivery to one of our sites, as compliance pulled it
(the shipper, the manifest, each package with its tag, item, shipped quantity and unit, the
shipper's price, and Metrc's state of it). Metrc keeps changing it until the receiver decides in
Metrc's UI (each package Accepted or Rejected); each change is recorded here. Life::

    PENDING (pulled) -> RECEIVED (each package ACCEPTED, with its received quantity, or REJECTED)

Receiving takes each accepted package in as a batch (the service); it is refused for a package
Metrc already shows rejected or returned (it is not ours to take in).

A delivery is kept by its license: its site is the one holding that license, and is None while
no site does (the delivery waits, unseen, for the site made with that license).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Final

from shared.contracts.transfer_enums import IncomingPackageState, IncomingTransferStatus

from inventory.domain.cultivation.common import check_version, refuse
from inventory.domain.errors import (
    FieldError,
    InvalidQuantityError,
    InvalidStatusTransitionError,
)
from inventory.domain.quantities import to_positive_quantity

__all__ = [
    "IncomingPackage",
    "IncomingTransferState",
    "Manifest",
    "PackageDecision",
    "receive",
    "record",
    "with_batches",
]

_NOT_OURS: Final = frozenset({"rejected", "returned"})
_PLACES: Final = Decimal("0.0001")


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """The delivery as Metrc shows it (``fingerprint``: compliance's digest of all of it)."""

    license_number: str
    delivery_id: int
    metrc_transfer_id: int
    fingerprint: str
    manifest_number: str | None = None
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipment_type: str | None = None
    estimated_arrival: datetime | None = None
    metrc_received_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class IncomingPackage:
    package_tag: str
    metrc_package_id: int
    shipped_quantity: Decimal
    unit: str
    metrc_state: str
    item_name: str | None = None
    item_category: str | None = None
    item_strain: str | None = None
    wholesale_price: Decimal | None = None
    metrc_received_quantity: Decimal | None = None
    state: IncomingPackageState = IncomingPackageState.PENDING
    received_quantity: Decimal | None = None
    batch_id: str | None = None

    @property
    def unit_cost(self) -> Decimal | None:
        """The shipper's price per shipped unit (four places), where Metrc has a price."""
        if self.wholesale_price is None or self.shipped_quantity <= 0:
            return None
        return (self.wholesale_price / self.shipped_quantity).quantize(_PLACES)

    @property
    def received_cost(self) -> Decimal | None:
        """What the received quantity cost, where Metrc has a price: the shipper's price exactly
        when all of it was received (not the unit cost times the quantity, which misses it by
        the rounding), else its share of it (four places)."""
        price, received = self.wholesale_price, self.received_quantity
        if price is None or received is None or self.shipped_quantity <= 0:
            return None
        if received == self.shipped_quantity:
            return price
        return (price * received / self.shipped_quantity).quantize(_PLACES)


@dataclass(frozen=True, kw_only=True)
class IncomingTransferState:
    transfer_id: str
    site_id: str | None
    """The site holding the license (None while no site does)."""
    manifest: Manifest
    status: IncomingTransferStatus
    packages: tuple[IncomingPackage, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    received_by: str | None = None
    received_at: datetime | None = None


def record(
    held: IncomingTransferState | None,
    manifest: Manifest,
    packages: Sequence[IncomingPackage],
    *,
    transfer_id: str,
    site_id: str | None,
    occurred_at: datetime,
) -> IncomingTransferState | None:
    """The transfer after Metrc's latest report of it; None when the report changes nothing.
    ``site_id``: the site holding the license now (a transfer keeps the site it has).

    A pending transfer takes Metrc's packages as they are now; a received one keeps what was
    received here and takes only Metrc's view of each package (its state, received quantity,
    price), so a person sees where Metrc and Canopy differ."""
    if held is None:
        return IncomingTransferState(
            transfer_id=transfer_id,
            site_id=site_id,
            manifest=manifest,
            status=IncomingTransferStatus.PENDING,
            packages=tuple(packages),
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )
    if held.manifest.fingerprint == manifest.fingerprint:
        return None
    if held.status is IncomingTransferStatus.PENDING:
        kept = tuple(packages)
    else:
        reported = {p.package_tag: p for p in packages}
        kept = tuple(
            p
            if p.package_tag not in reported
            else replace(
                p,
                metrc_state=reported[p.package_tag].metrc_state,
                metrc_received_quantity=reported[p.package_tag].metrc_received_quantity,
                wholesale_price=reported[p.package_tag].wholesale_price,
            )
            for p in held.packages
        )
    return replace(
        held,
        site_id=held.site_id or site_id,
        manifest=manifest,
        packages=kept,
        version=held.version + 1,
        updated_at=max(occurred_at, held.updated_at),
    )


@dataclass(frozen=True, kw_only=True)
class PackageDecision:
    package_tag: str
    accepted: bool = True
    received_quantity: Decimal | str | None = None


def _received(
    package: IncomingPackage, decision: PackageDecision, field: str, errors: list[FieldError]
) -> Decimal | None:
    if not decision.accepted:
        if decision.received_quantity is not None:
            errors.append(FieldError(field, "is only for an accepted package"))
        return None
    if package.metrc_state.strip().casefold() in _NOT_OURS:
        errors.append(
            FieldError(
                field.rsplit(".", 1)[0] + ".accepted",
                f"Metrc shows package {package.package_tag} {package.metrc_state}: it cannot"
                " be accepted here",
            )
        )
        return None
    wanted = decision.received_quantity
    if wanted is None:
        accepted_in_metrc = package.metrc_state.strip().casefold() == "accepted"
        wanted = (
            package.metrc_received_quantity
            if accepted_in_metrc and package.metrc_received_quantity is not None
            else package.shipped_quantity
        )
    try:
        return to_positive_quantity(wanted, field=field)
    except InvalidQuantityError as error:
        errors.append(FieldError(field, str(error)))
        return None


def receive(
    state: IncomingTransferState,
    decisions: Sequence[PackageDecision],
    *,
    version: int | None,
    actor: str,
    occurred_at: datetime,
) -> IncomingTransferState:
    """PENDING -> RECEIVED: each package ACCEPTED with its received quantity (in its shipped
    unit; default what Metrc says was received, else what was shipped) or REJECTED; packages
    ``decisions`` does not name are accepted, unless Metrc shows them rejected or returned. The
    service fills in each accepted package's batch (``with_batches``).

    Raises:
        OptimisticLockConflictError: ``version`` is not the transfer's.
        InvalidStatusTransitionError: The transfer was received already.
        ValidationError: Every problem of the decisions at once (a package not on the
            transfer or named twice, a quantity that is not positive, a quantity on a
            rejected package, a package Metrc shows rejected or returned accepted).
    """
    check_version(version, state.version)
    if state.status is not IncomingTransferStatus.PENDING:
        raise InvalidStatusTransitionError(
            current=state.status, new=IncomingTransferStatus.RECEIVED
        )
    errors: list[FieldError] = []
    by_tag = {p.package_tag: p for p in state.packages}
    chosen: dict[str, tuple[int, PackageDecision]] = {}
    for n, decision in enumerate(decisions):
        if decision.package_tag not in by_tag:
            errors.append(FieldError(f"packages.{n}.packageTag", "is not on the transfer"))
        elif decision.package_tag in chosen:
            errors.append(FieldError(f"packages.{n}.packageTag", "is named twice"))
        else:
            chosen[decision.package_tag] = (n, decision)
    received: list[IncomingPackage] = []
    for package in state.packages:
        # Not named: accepted, unless Metrc shows it rejected or returned (not ours to take in).
        unnamed = PackageDecision(
            package_tag=package.package_tag,
            accepted=package.metrc_state.strip().casefold() not in _NOT_OURS,
        )
        n, decision = chosen.get(package.package_tag, (-1, unnamed))
        field = f"packages.{n}.receivedQuantity"
        quantity = _received(package, decision, field, errors)
        received.append(
            replace(
                package,
                state=(
                    IncomingPackageState.ACCEPTED
                    if decision.accepted
                    else IncomingPackageState.REJECTED
                ),
                received_quantity=quantity,
            )
        )
    refuse(errors)
    return replace(
        state,
        status=IncomingTransferStatus.RECEIVED,
        packages=tuple(received),
        received_by=actor,
        received_at=occurred_at,
        version=state.version + 1,
        updated_at=max(occurred_at, state.updated_at),
    )


def with_batches(state: IncomingTransferState, batches: dict[str, str]) -> IncomingTransferState:
    """Each accepted package with the batch it became (``batches``: tag -> batch id)."""
    return replace(
        state,
        packages=tuple(replace(p, batch_id=batches.get(p.package_tag)) for p in state.packages),
    )
