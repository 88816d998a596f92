"""The incoming transfer aggregate, without I/O: Metrc's reports recorded once per change (a
received transfer keeps what was received here), receiving with default and chosen quantities,
and every refusal at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from inventory.domain import (
    InvalidStatusTransitionError,
    OptimisticLockConflictError,
    ValidationError,
)
from inventory.domain.transfers.incoming import (
    IncomingPackage,
    IncomingTransferState,
    Manifest,
    PackageDecision,
    receive,
    record,
)
from shared.contracts.transfer_enums import IncomingPackageState, IncomingTransferStatus

NOW = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
TAG_A = "1A4FF0300000022000000901"
TAG_B = "1A4FF0300000022000000902"
MANIFEST = Manifest(license_number="CO-2", delivery_id=7, metrc_transfer_id=70, fingerprint="f1")


def package(tag: str, state: str = "Shipped", **more: object) -> IncomingPackage:
    fields: dict[str, object] = {
        "package_tag": tag,
        "metrc_package_id": 1,
        "shipped_quantity": Decimal("25"),
        "unit": "Grams",
        "metrc_state": state,
        **more,
    }
    return IncomingPackage(**fields)  # type: ignore[arg-type]


def pending(*packages: IncomingPackage) -> IncomingTransferState:
    state = record(
        None, MANIFEST, packages or (package(TAG_A), package(TAG_B)),
        transfer_id="t", site_id="s", occurred_at=NOW,
    )  # fmt: skip
    assert state is not None
    return state


class TestRecording:
    def test_a_report_with_the_same_fingerprint_changes_nothing(self) -> None:
        state = pending()
        again = record(
            state, MANIFEST, [package(TAG_A)], transfer_id="t", site_id="s", occurred_at=NOW
        )
        assert again is None

    def test_a_received_transfer_takes_only_metrcs_view_of_each_package(self) -> None:
        rejected = [PackageDecision(package_tag=TAG_B, accepted=False)]
        state = receive(pending(), rejected, version=1, actor="u", occurred_at=NOW)
        later = record(
            state, replace(MANIFEST, fingerprint="f2"),
            [package(TAG_A, "Accepted", metrc_received_quantity=Decimal("24")),
             package(TAG_B, "Rejected")],
            transfer_id="t", site_id="s", occurred_at=NOW,
        )  # fmt: skip
        assert later is not None
        assert [(p.metrc_state, p.state, p.received_quantity) for p in later.packages] == [
            ("Accepted", IncomingPackageState.ACCEPTED, Decimal("25")),
            ("Rejected", IncomingPackageState.REJECTED, None),
        ]
        assert (later.status, later.version) == (IncomingTransferStatus.RECEIVED, 3)


class TestReceiving:
    def test_unnamed_packages_are_accepted_with_what_metrc_says_was_received(self) -> None:
        state = pending(
            package(TAG_A, "Accepted", metrc_received_quantity=Decimal("24.5")), package(TAG_B)
        )
        chosen = [PackageDecision(package_tag=TAG_B, received_quantity="9.1234")]
        done = receive(state, chosen, version=None, actor="u", occurred_at=NOW)
        assert [(p.state, p.received_quantity) for p in done.packages] == [
            (IncomingPackageState.ACCEPTED, Decimal("24.5")),
            (IncomingPackageState.ACCEPTED, Decimal("9.1234")),
        ]
        assert (done.status, done.received_by) == (IncomingTransferStatus.RECEIVED, "u")

    def test_every_problem_is_reported_at_once_and_a_second_receipt_is_refused(self) -> None:
        state = pending(package(TAG_A), package(TAG_B, "Rejected"))
        with pytest.raises(ValidationError) as refused:
            receive(
                state,
                [
                    PackageDecision(package_tag="1A4FF0300000022000000999"),
                    PackageDecision(package_tag=TAG_A, received_quantity="-1"),
                    PackageDecision(package_tag=TAG_A),
                    PackageDecision(package_tag=TAG_B),
                ],
                version=None, actor="u", occurred_at=NOW,
            )  # fmt: skip
        assert [e.field for e in refused.value.errors] == [
            "packages.0.packageTag",
            "packages.2.packageTag",
            "packages.1.receivedQuantity",
            "packages.3.accepted",
        ]
        with pytest.raises(OptimisticLockConflictError):
            receive(state, [], version=2, actor="u", occurred_at=NOW)
        done = receive(pending(), [], version=1, actor="u", occurred_at=NOW)
        with pytest.raises(InvalidStatusTransitionError):
            receive(done, [], version=None, actor="u", occurred_at=NOW)

    def test_the_unit_cost_is_the_shipped_price_per_shipped_unit(self) -> None:
        priced = package(
            TAG_A, shipped_quantity=Decimal("453.5924"), wholesale_price=Decimal("1000")
        )
        assert priced.unit_cost == Decimal("2.2046")
        assert package(TAG_B).unit_cost is None

    def test_a_package_received_whole_costs_the_shippers_price_exactly_not_the_rounded_units(
        self,
    ) -> None:
        three = package(TAG_A, shipped_quantity=Decimal(3), wholesale_price=Decimal("1000.00"))
        whole = replace(three, received_quantity=Decimal(3))
        assert whole.unit_cost == Decimal("333.3333")
        assert whole.unit_cost * 3 == Decimal("999.9999")
        assert whole.received_cost == Decimal("1000.00")
        # Part of it: its share of the price, to four places.
        assert replace(three, received_quantity=Decimal(2)).received_cost == Decimal("666.6667")
        assert three.received_cost is None  # not received yet
        assert replace(package(TAG_B), received_quantity=Decimal(25)).received_cost is None
