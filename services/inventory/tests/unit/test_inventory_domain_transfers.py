"""The outgoing transfer aggregate, without I/O: planning checks every field and line at once,
a package ships whole, the life CREATED -> SENT -> settled (or CANCELLED) allows no other step,
and settlement says which packages come back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from inventory.domain import InvalidStatusTransitionError, ValidationError
from inventory.domain.transfers import (
    LineOutcome,
    OutgoingTransfer,
    PlannedLine,
    Shipment,
    TransferLineState,
    TransferStatus,
)

NOW = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
TAG_A = "1A4FF0100000022000000201"
TAG_B = "1A4FF0100000022000000202"

SHIPMENT = Shipment(
    destination_license_number="MAN-000002",
    destination_name="Peak Processing",
    transfer_type="Wholesale",
    planned_route="I-70 east",
    transporter_license_number="CUL-000001",
    driver_name="Sam",
    driver_occupational_license_number="OL-1",
    driver_license_number="DL-1",
    vehicle_make="Ford",
    vehicle_model="Transit",
    vehicle_license_plate="ABC-1",
    estimated_departure=NOW + timedelta(hours=1),
    estimated_arrival=NOW + timedelta(hours=4),
)


def line(tag: str | None = TAG_A, **changes: object) -> PlannedLine:
    fields: dict[str, object] = {
        "batch_id": f"batch-{tag}",
        "batch_code": f"B-{tag}",
        "package_tag": tag,
        "product_name": "Flower",
        "unit": "Grams",
        "on_hand": Decimal("453.5900"),
        **changes,
    }
    return PlannedLine(**fields)  # type: ignore[arg-type]


def plan(*lines: PlannedLine, shipment: Shipment = SHIPMENT) -> OutgoingTransfer:
    state = OutgoingTransfer.plan(
        transfer_id="t-1",
        site_id="s-1",
        site_license="CUL-000001",
        shipment=shipment,
        lines=lines or (line(TAG_A), line(TAG_B)),
        occurred_at=NOW,
    )
    return OutgoingTransfer(state)


def fields_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e.field for e in error.value.errors}


class TestPlanning:
    def test_a_plan_reserves_every_package_whole_at_version_one(self) -> None:
        state = plan(line(TAG_A, wholesale_price=Decimal("1200"))).state
        assert (state.status, state.version) == (TransferStatus.CREATED, 1)
        [only] = state.lines
        assert (only.quantity, only.state) == (Decimal("453.5900"), TransferLineState.RESERVED)
        assert str(only.wholesale_price) == "1200.0000"

    def test_part_of_a_package_is_refused_as_metrc_ships_packages_whole(self) -> None:
        with pytest.raises(ValidationError) as error:
            plan(line(quantity=Decimal("100")))
        assert fields_of(error) == {"lines.0.quantity"}
        assert "ships whole" in error.value.message

    def test_the_whole_quantity_named_explicitly_is_accepted(self) -> None:
        assert plan(line(quantity=Decimal("453.59"))).state.lines[0].quantity == Decimal("453.59")

    def test_every_problem_is_reported_at_once(self) -> None:
        bad = replace(
            SHIPMENT,
            destination_license_number="cul-000001",
            driver_name=" ",
            estimated_arrival=SHIPMENT.estimated_departure,
        )
        with pytest.raises(ValidationError) as error:
            plan(
                line(None),
                line(TAG_B, wholesale_price=Decimal("-1")),
                line(TAG_B, on_hand=Decimal(0)),
                shipment=bad,
            )
        assert fields_of(error) == {
            "destinationLicenseNumber",
            "driverName",
            "estimatedArrival",
            "lines.0.batchId",
            "lines.1.wholesalePrice",
            "lines.2.batchId",
        }

    def test_no_lines_is_refused(self) -> None:
        with pytest.raises(ValidationError) as error:
            OutgoingTransfer.plan(
                transfer_id="t", site_id="s", site_license="X", shipment=SHIPMENT, lines=[],
                occurred_at=NOW,
            )  # fmt: skip
        assert fields_of(error) == {"lines"}

    def test_a_price_with_more_than_four_places_is_refused(self) -> None:
        with pytest.raises(ValidationError) as error:
            plan(line(wholesale_price=Decimal("1.00001")))
        assert fields_of(error) == {"lines.0.wholesalePrice"}


class TestLife:
    def test_sending_ships_every_line_and_counts_a_version(self) -> None:
        state = plan().send(occurred_at=NOW)
        assert (state.status, state.version) == (TransferStatus.SENT, 2)
        assert {x.state for x in state.lines} == {TransferLineState.SHIPPED}

    def test_cancelling_releases_every_line(self) -> None:
        state = plan().cancel(occurred_at=NOW)
        assert state.status is TransferStatus.CANCELLED
        assert {x.state for x in state.lines} == {TransferLineState.RELEASED}

    @pytest.mark.parametrize("step", ["send", "cancel"])
    def test_a_sent_transfer_can_be_neither_sent_nor_cancelled_again(self, step: str) -> None:
        transfer = plan()
        transfer.send(occurred_at=NOW)
        with pytest.raises(InvalidStatusTransitionError):
            getattr(transfer, step)(occurred_at=NOW)

    def test_a_transfer_not_sent_cannot_be_settled(self) -> None:
        with pytest.raises(InvalidStatusTransitionError):
            plan().settle({TAG_A: LineOutcome(accepted=True)}, occurred_at=NOW)

    def test_time_never_goes_backwards(self) -> None:
        state = plan().send(occurred_at=NOW - timedelta(minutes=5))
        assert state.updated_at == NOW


class TestSettlement:
    def sent(self) -> OutgoingTransfer:
        transfer = plan()
        transfer.send(occurred_at=NOW)
        return transfer

    def test_all_accepted_is_accepted_with_the_received_quantities(self) -> None:
        state, back = self.sent().settle(
            {
                TAG_A: LineOutcome(accepted=True, received_quantity=Decimal("450")),
                TAG_B: LineOutcome(accepted=True),
            },
            occurred_at=NOW,
        )
        assert (state.status, back) == (TransferStatus.ACCEPTED, ())
        assert [x.received_quantity for x in state.lines] == [Decimal("450"), Decimal("453.59")]

    def test_some_rejected_is_partial_and_the_rejected_come_back(self) -> None:
        state, back = self.sent().settle(
            {TAG_A: LineOutcome(accepted=True), TAG_B: LineOutcome(accepted=False)},
            occurred_at=NOW,
        )
        assert state.status is TransferStatus.PARTIALLY_ACCEPTED
        assert [x.package_tag for x in back] == [TAG_B]

    def test_all_rejected_is_rejected(self) -> None:
        state, back = self.sent().settle(
            {TAG_A: LineOutcome(accepted=False), TAG_B: LineOutcome(accepted=False)},
            occurred_at=NOW,
        )
        assert (state.status, len(back)) == (TransferStatus.REJECTED, 2)

    def test_an_outcome_missing_or_for_a_stranger_package_is_refused(self) -> None:
        stranger = "1A4FF0100000022000000999"
        with pytest.raises(ValidationError) as error:
            self.sent().settle(
                {TAG_A: LineOutcome(accepted=True), stranger: LineOutcome(accepted=True)},
                occurred_at=NOW,
            )
        assert fields_of(error) == {f"outcomes.{TAG_B}", f"outcomes.{stranger}"}
