"""The outgoing transfer aggregate.

A transfer lists packages of the shipping site, each a batch with its Metrc tag. Metrc moves a
package on a manifest whole (the template names the package, not a quantity), so a line's
quantity is the batch's whole on-hand stock: to ship part of a batch, split it into a batch of its
own first. Life::

    CREATED (quantities reserved) -> SENT (shipped: SALE) -> ACCEPTED | PARTIALLY_ACCEPTED | REJECTED
    CREATED -> CANCELLED (reservations released)

What the receiver did comes from Metrc (compliance follows the manifest); a rejected package's
quantity comes back to its batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Final

from shared.contracts.transfer_enums import TransferLineState, TransferStatus

from inventory.domain.cultivation.common import check_text, check_version, refuse
from inventory.domain.errors import (
    FieldError,
    InvalidQuantityError,
    InvalidStatusTransitionError,
    ValidationError,
)
from inventory.domain.quantities import to_positive_quantity, to_quantity

__all__ = [
    "MAX_LINES",
    "LineOutcome",
    "OutgoingTransfer",
    "PlannedLine",
    "Shipment",
    "TransferLine",
    "TransferState",
    "check_whole_package",
]

MAX_LINES: Final = 200
"""More packages than one manifest carries in practice: a mistake, not a shipment."""
TAG_LENGTH: Final = 24

_NEXT: Final[Mapping[TransferStatus, frozenset[TransferStatus]]] = {
    TransferStatus.CREATED: frozenset({TransferStatus.SENT, TransferStatus.CANCELLED}),
    TransferStatus.SENT: frozenset(
        {TransferStatus.ACCEPTED, TransferStatus.PARTIALLY_ACCEPTED, TransferStatus.REJECTED}
    ),
}


@dataclass(frozen=True, kw_only=True)
class Shipment:
    """Where the packages go and who carries them (Metrc's template fields)."""

    destination_license_number: str
    destination_name: str
    transfer_type: str
    planned_route: str
    transporter_license_number: str
    driver_name: str
    driver_occupational_license_number: str
    driver_license_number: str
    vehicle_make: str
    vehicle_model: str
    vehicle_license_plate: str
    estimated_departure: datetime
    estimated_arrival: datetime
    transporter_name: str | None = None
    phone_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class PlannedLine:
    """A package the operator picked, with what the batch holds now."""

    batch_id: str
    batch_code: str
    package_tag: str | None
    product_name: str
    unit: str
    on_hand: Decimal
    quantity: Decimal | None = None
    """Default: the whole on-hand stock (the only quantity Metrc ships)."""
    wholesale_price: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class TransferLine:
    batch_id: str
    batch_code: str
    package_tag: str
    product_name: str
    quantity: Decimal
    unit: str
    state: TransferLineState
    wholesale_price: Decimal | None = None
    received_quantity: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class TransferState:
    transfer_id: str
    site_id: str
    shipment: Shipment
    status: TransferStatus
    lines: tuple[TransferLine, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    manifest_number: str | None = None
    settlement_problem: str | None = None
    """Why Metrc's report of what the receiver did could not be applied (a person looks)."""


@dataclass(frozen=True, kw_only=True)
class LineOutcome:
    """What Metrc says the receiver did with one package."""

    accepted: bool
    received_quantity: Decimal | None = None


def check_whole_package(line: PlannedLine, field: str, errors: list[FieldError]) -> Decimal:
    """The quantity a line ships: the batch's whole on-hand stock."""
    if line.quantity is None:
        quantity = line.on_hand
    else:
        try:
            quantity = to_positive_quantity(line.quantity, field=f"{field}.quantity")
        except InvalidQuantityError as error:
            errors.append(FieldError(f"{field}.quantity", error.message))
            return line.quantity
    if quantity <= 0:
        errors.append(FieldError(f"{field}.batchId", f"batch {line.batch_code} holds no stock"))
    elif quantity != line.on_hand:
        errors.append(
            FieldError(
                f"{field}.quantity",
                f"a package ships whole on a Metrc manifest: batch {line.batch_code} holds "
                f"{line.on_hand} {line.unit}, {quantity} requested (split the batch first)",
            )
        )
    return line.on_hand


def _money(value: Decimal | None, field: str, errors: list[FieldError]) -> Decimal | None:
    """A non-negative amount as NUMERIC(15,4) holds it (never rounded), or None."""
    if value is None:
        return None
    try:
        amount = to_quantity(value, field=field)
    except InvalidQuantityError as error:
        errors.append(FieldError(field, error.message))
        return None
    if amount < 0:
        errors.append(FieldError(field, "must not be negative"))
    return amount


def _check_shipment(shipment: Shipment, site_license: str, errors: list[FieldError]) -> Shipment:
    def text(field: str, value: str | None, *, required: bool = True) -> str | None:
        return check_text(errors, field, value, required=required)

    cleaned = replace(
        shipment,
        destination_license_number=text(
            "destinationLicenseNumber", shipment.destination_license_number
        )
        or "",
        destination_name=text("destinationName", shipment.destination_name) or "",
        transfer_type=text("transferType", shipment.transfer_type) or "",
        planned_route=text("plannedRoute", shipment.planned_route) or "",
        transporter_license_number=text(
            "transporterLicenseNumber", shipment.transporter_license_number
        )
        or "",
        driver_name=text("driverName", shipment.driver_name) or "",
        driver_occupational_license_number=text(
            "driverOccupationalLicenseNumber", shipment.driver_occupational_license_number
        )
        or "",
        driver_license_number=text("driverLicenseNumber", shipment.driver_license_number) or "",
        vehicle_make=text("vehicleMake", shipment.vehicle_make) or "",
        vehicle_model=text("vehicleModel", shipment.vehicle_model) or "",
        vehicle_license_plate=text("vehicleLicensePlate", shipment.vehicle_license_plate) or "",
        transporter_name=text("transporterName", shipment.transporter_name, required=False),
        phone_number=text("phoneNumber", shipment.phone_number, required=False),
    )
    if cleaned.destination_license_number.upper() == site_license.strip().upper():
        errors.append(
            FieldError("destinationLicenseNumber", "is the shipping facility's own license")
        )
    if shipment.estimated_arrival <= shipment.estimated_departure:
        errors.append(FieldError("estimatedArrival", "must be after the estimated departure"))
    return cleaned


def _check_lines(lines: Sequence[PlannedLine], errors: list[FieldError]) -> list[TransferLine]:
    if not lines:
        errors.append(FieldError("lines", "at least one package is required"))
    elif len(lines) > MAX_LINES:
        errors.append(FieldError("lines", f"at most {MAX_LINES} packages per transfer"))
    seen: set[str] = set()
    made: list[TransferLine] = []
    for n, line in enumerate(lines):
        field = f"lines.{n}"
        if line.batch_id in seen:
            errors.append(FieldError(f"{field}.batchId", "the batch is on the transfer already"))
        seen.add(line.batch_id)
        if line.package_tag is None or len(line.package_tag) != TAG_LENGTH:
            errors.append(
                FieldError(
                    f"{field}.batchId",
                    f"batch {line.batch_code} has no Metrc package tag; a manifest lists packages",
                )
            )
        price = _money(line.wholesale_price, f"{field}.wholesalePrice", errors)
        quantity = check_whole_package(line, field, errors)
        made.append(
            TransferLine(
                batch_id=line.batch_id,
                batch_code=line.batch_code,
                package_tag=line.package_tag or "",
                product_name=line.product_name,
                quantity=quantity,
                unit=line.unit,
                state=TransferLineState.RESERVED,
                wholesale_price=price,
            )
        )
    return made


class OutgoingTransfer:
    def __init__(self, state: TransferState) -> None:
        self._state = state

    @property
    def state(self) -> TransferState:
        return self._state

    def check_version(self, expected: int | None) -> None:
        check_version(expected, self._state.version)

    @classmethod
    def plan(
        cls,
        *,
        transfer_id: str,
        site_id: str,
        site_license: str,
        shipment: Shipment,
        lines: Sequence[PlannedLine],
        occurred_at: datetime,
    ) -> TransferState:
        """A new transfer, every line RESERVED (the service reserves each quantity).

        Raises:
            ValidationError: Every problem of the shipment and the lines at once.
        """
        errors: list[FieldError] = []
        cleaned = _check_shipment(shipment, site_license, errors)
        made = _check_lines(lines, errors)
        refuse(errors)
        return TransferState(
            transfer_id=transfer_id,
            site_id=site_id,
            shipment=cleaned,
            status=TransferStatus.CREATED,
            lines=tuple(made),
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )

    def _to(
        self, status: TransferStatus, lines: tuple[TransferLine, ...], occurred_at: datetime
    ) -> TransferState:
        current = self._state.status
        if status not in _NEXT.get(current, frozenset()):
            raise InvalidStatusTransitionError(current=current, new=status)
        self._state = replace(
            self._state,
            status=status,
            lines=lines,
            version=self._state.version + 1,
            updated_at=max(occurred_at, self._state.updated_at),
        )
        return self._state

    def _lines(self, state: TransferLineState) -> tuple[TransferLine, ...]:
        return tuple(replace(line, state=state) for line in self._state.lines)

    def send(self, *, occurred_at: datetime) -> TransferState:
        """CREATED -> SENT: every line SHIPPED (the service sells each reserved quantity)."""
        return self._to(TransferStatus.SENT, self._lines(TransferLineState.SHIPPED), occurred_at)

    def cancel(self, *, occurred_at: datetime) -> TransferState:
        """CREATED -> CANCELLED: every line RELEASED (the service releases each reservation)."""
        return self._to(
            TransferStatus.CANCELLED, self._lines(TransferLineState.RELEASED), occurred_at
        )

    def settle(
        self, outcomes: Mapping[str, LineOutcome], *, occurred_at: datetime
    ) -> tuple[TransferState, tuple[TransferLine, ...]]:
        """SENT -> ACCEPTED, PARTIALLY_ACCEPTED or REJECTED, as the receiver did with each
        package (keyed by package tag); the lines that came back (REJECTED) are returned too.

        Raises:
            InvalidStatusTransitionError: The transfer is not SENT.
            ValidationError: An outcome for a package not on the transfer, a line without
                one, or a negative received quantity.
        """
        if self._state.status is not TransferStatus.SENT:
            raise InvalidStatusTransitionError(
                current=self._state.status, new=TransferStatus.ACCEPTED
            )
        errors: list[FieldError] = []
        tags = {line.package_tag for line in self._state.lines}
        errors.extend(
            FieldError(f"outcomes.{tag}", "the package is not on the transfer")
            for tag in sorted(set(outcomes) - tags)
        )
        settled: list[TransferLine] = []
        for line in self._state.lines:
            outcome = outcomes.get(line.package_tag)
            if outcome is None:
                errors.append(FieldError(f"outcomes.{line.package_tag}", "no outcome"))
                continue
            received = _money(outcome.received_quantity, f"outcomes.{line.package_tag}", errors)
            if outcome.accepted:
                settled.append(
                    replace(
                        line,
                        state=TransferLineState.ACCEPTED,
                        received_quantity=line.quantity if received is None else received,
                    )
                )
            else:
                settled.append(replace(line, state=TransferLineState.REJECTED))
        if errors:
            raise ValidationError(errors)
        accepted = sum(1 for line in settled if line.state is TransferLineState.ACCEPTED)
        status = (
            TransferStatus.ACCEPTED
            if accepted == len(settled)
            else TransferStatus.REJECTED
            if accepted == 0
            else TransferStatus.PARTIALLY_ACCEPTED
        )
        state = self._to(status, tuple(settled), occurred_at)
        return state, tuple(s for s in settled if s.state is TransferLineState.REJECTED)

    def record_manifest(self, manifest_number: str, *, occurred_at: datetime) -> TransferState:
        """Metrc's manifest number, once the template became a manifest (no status change)."""
        self._state = replace(
            self._state,
            manifest_number=manifest_number,
            version=self._state.version + 1,
            updated_at=max(occurred_at, self._state.updated_at),
        )
        return self._state
