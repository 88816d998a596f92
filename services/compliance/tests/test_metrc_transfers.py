"""Metrc's transfer rules, the same on both backends (``FakeMetrc`` and the sandbox through
``MetrcClient``).

Through the API a licensed transfer starts as an outgoing template; a user registers it as a
manifest in Metrc's web UI and the recipient accepts or rejects each delivery there. Tests do those
two steps through ``MetrcControl`` and read the outcome back through the API.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    MetrcAuthError,
    MetrcNotFoundError,
    MetrcPort,
    MetrcRejectedError,
    Package,
    TransferTemplateUpdate,
)
from compliance.adapters.metrc.testing import GROWER, PARTNER, STORE, MetrcBackend
from compliance.adapters.metrc.testing.bodies import (
    DEPARTURE,
    transfer_destination,
    transfer_template,
)


async def flower(metrc: MetrcPort) -> Package:
    return next(p for p in await metrc.list_packages(GROWER) if p.item_name == "Blue Dream Flower")


async def rejected(call: object) -> list[tuple[int | None, str]]:
    with pytest.raises(MetrcRejectedError) as caught:
        await call  # type: ignore[misc]
    return caught.value.rows


async def test_the_transfer_types_of_the_state(backend: MetrcBackend) -> None:
    types = {t.name: t for t in await backend.metrc.list_transfer_types(GROWER)}
    assert set(types) == {"Transfer", "Wholesale", "Transfer to Testing Facility", "Unaffiliated"}
    assert types["Transfer"].for_licensed_shipments is True
    assert types["Unaffiliated"].for_external_outgoing_shipments is True


async def test_a_template_is_listed_with_its_delivery_and_packages_which_stay_active(
    backend: MetrcBackend,
) -> None:
    metrc = backend.metrc
    package = await flower(metrc)

    created = await metrc.create_outgoing_transfer_templates(
        GROWER, [transfer_template("To the partner", transfer_destination(PARTNER, package.label))]
    )

    [listed] = await metrc.list_outgoing_transfer_templates(GROWER)
    assert created.ids == [listed.id]
    assert (listed.name, listed.manifest_number, listed.shipper_facility_license_number) == (
        "To the partner",
        None,
        GROWER,
    )
    assert (listed.delivery_count, listed.package_count, listed.driver_name) == (1, 1, "Sam")
    assert (listed.recipient_facility_license_number, listed.shipment_type_name) == (
        PARTNER,
        "Transfer",
    )
    assert listed.estimated_departure_date_time == DEPARTURE
    [delivery] = await metrc.list_transfer_template_deliveries(listed.id)
    assert listed.delivery_id == delivery.id
    assert (delivery.recipient_facility_license_number, delivery.planned_route) == (
        PARTNER,
        "I-25 north",
    )
    assert (delivery.delivery_package_count, delivery.estimated_arrival_date_time) == (
        1,
        DEPARTURE + timedelta(hours=2),
    )
    [shipped] = await metrc.list_transfer_template_delivery_packages(delivery.id)
    assert (shipped.package_id, shipped.package_label, shipped.item_name) == (
        package.id,
        package.label,
        "Blue Dream Flower",
    )
    assert (shipped.shipped_quantity, shipped.shipped_unit_of_measure_name) == (
        Decimal("100"),
        "Grams",
    )
    assert (shipped.shipment_package_state, shipped.shipper_wholesale_price) == (
        "Shipped",
        Decimal("100.00"),
    )
    assert package.label in {p.label for p in await metrc.list_packages(GROWER)}
    assert await metrc.list_transfers(GROWER, "outgoing") == []


async def test_a_template_is_checked_destination_by_destination(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    package = await flower(metrc)
    unknown = "1A4FF0100000000000009999"

    rows = await rejected(
        metrc.create_outgoing_transfer_templates(
            GROWER,
            [
                transfer_template("a", transfer_destination("NOT-A-LICENSE", package.label)),
                transfer_template("b", transfer_destination(GROWER, package.label)),
                transfer_template(
                    "c", transfer_destination(PARTNER, package.label, transfer_type_name="Gift")
                ),
                transfer_template("d", transfer_destination(PARTNER, unknown)),
                transfer_template("e", transfer_destination(PARTNER, package.label, package.label)),
            ],
        )
    )

    assert rows == [
        (0, "Recipient license number NOT-A-LICENSE is not valid."),
        (1, "A transfer cannot be sent to the shipping Facility itself."),
        (2, "Transfer Type Gift is not valid."),
        (3, f"Package {unknown} does not exist in the current Facility."),
        (4, f"Package {package.label} is listed more than once."),
    ]
    assert await metrc.list_outgoing_transfer_templates(GROWER) == []


async def test_a_template_is_updated_and_archived(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    package = await flower(metrc)
    planned = transfer_template("To the partner", transfer_destination(PARTNER, package.label))
    [template_id] = (await metrc.create_outgoing_transfer_templates(GROWER, [planned])).ids
    [delivery] = await metrc.list_transfer_template_deliveries(template_id)

    renamed = TransferTemplateUpdate(
        **planned.model_dump(exclude={"destinations", "name"}),
        name="To the partner, v2",
        destinations=[
            transfer_destination(
                PARTNER, package.label, planned_route="US-36", transfer_destination_id=delivery.id
            )
        ],
        transfer_template_id=template_id,
    )
    assert (await metrc.update_outgoing_transfer_templates(GROWER, [renamed])).ids == []

    assert [t.name for t in await metrc.list_outgoing_transfer_templates(GROWER)] == [
        "To the partner, v2"
    ]
    [updated] = await metrc.list_transfer_template_deliveries(template_id)
    assert (updated.id, updated.planned_route) == (delivery.id, "US-36")

    assert (await metrc.delete_outgoing_transfer_template(GROWER, template_id)).ids == []
    assert await metrc.list_outgoing_transfer_templates(GROWER) == []
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_template_deliveries(template_id)
    assert await rejected(metrc.delete_outgoing_transfer_template(GROWER, template_id)) == [
        (0, f"Transfer Template {template_id} is already archived.")
    ]
    assert await rejected(metrc.update_outgoing_transfer_templates(GROWER, [renamed])) == [
        (0, f"Transfer Template {template_id} does not exist in the current Facility.")
    ]


async def test_a_sent_template_is_a_manifest_whose_accepted_packages_change_facility(
    backend: MetrcBackend,
) -> None:
    metrc = backend.metrc
    package = await flower(metrc)
    planned = transfer_template("To the store", transfer_destination(STORE, package.label))
    [template_id] = (await metrc.create_outgoing_transfer_templates(GROWER, [planned])).ids

    sent = await backend.control.send_transfer_template(template_id)

    assert [p.label for p in await metrc.list_packages(GROWER, "intransit")] == [package.label]
    assert package.label not in {p.label for p in await metrc.list_packages(GROWER)}
    [outgoing] = await metrc.list_transfers(GROWER, "outgoing")
    [incoming] = await metrc.list_transfers(STORE, "incoming")
    for row in (outgoing, incoming):
        assert (row.id, row.manifest_number, row.originating_template_id) == (
            sent.transfer_id,
            sent.manifest_number,
            template_id,
        )
        assert (row.delivery_id, row.recipient_facility_license_number) == (
            sent.delivery_ids[0],
            STORE,
        )
        assert (row.shipper_facility_license_number, row.package_count) == (GROWER, 1)
        assert row.received_date_time is None
    [delivery] = await metrc.list_transfer_deliveries(sent.transfer_id)
    assert (delivery.id, delivery.manifest_number, delivery.delivery_number) == (
        sent.delivery_ids[0],
        sent.manifest_number,
        1,
    )
    [in_transit] = await metrc.list_transfer_delivery_packages(delivery.id)
    assert (in_transit.package_label, in_transit.shipment_package_state) == (
        package.label,
        "Shipped",
    )
    assert await rejected(
        metrc.update_outgoing_transfer_templates(
            GROWER,
            [TransferTemplateUpdate(**planned.model_dump(), transfer_template_id=template_id)],
        )
    ) == [(0, f"Transfer Template {template_id} was already registered as a manifest.")]

    await backend.control.receive_delivery(delivery.id, accept=True)

    received = await metrc.get_package(STORE, package.label)
    assert (received.quantity, received.location_name) == (Decimal("100"), None)
    assert (
        received.received_from_manifest_number,
        received.received_from_facility_license_number,
    ) == (
        sent.manifest_number,
        GROWER,
    )
    assert received.received_date_time is not None
    assert package.label in {p.label for p in await metrc.list_packages(STORE)}
    with pytest.raises(MetrcAuthError):
        await metrc.get_package(GROWER, package.label)
    assert await metrc.list_packages(GROWER, "intransit") == []
    [accepted] = await metrc.list_transfer_delivery_packages(delivery.id)
    assert (accepted.shipment_package_state, accepted.received_quantity) == (
        "Accepted",
        Decimal("100"),
    )
    [done] = await metrc.list_transfers(GROWER, "outgoing")
    assert (done.received_delivery_count, done.received_package_count) == (1, 1)
    assert done.received_date_time is not None


async def test_rejected_packages_go_back_to_the_shipper(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    package = await flower(metrc)
    planned = transfer_template("To the partner", transfer_destination(PARTNER, package.label))
    [template_id] = (await metrc.create_outgoing_transfer_templates(GROWER, [planned])).ids
    sent = await backend.control.send_transfer_template(template_id)

    await backend.control.receive_delivery(sent.delivery_ids[0], accept=False)

    back = await metrc.get_package(GROWER, package.label)
    assert (back.quantity, back.received_from_manifest_number) == (Decimal("100"), None)
    assert package.label in {p.label for p in await metrc.list_packages(GROWER)}
    [returned] = await metrc.list_transfer_delivery_packages(sent.delivery_ids[0])
    assert (returned.shipment_package_state, returned.received_quantity) == ("Rejected", None)
    # The partner's side is not the user's to read.
    with pytest.raises(MetrcAuthError):
        await metrc.list_transfers(PARTNER, "incoming")


async def test_deliveries_are_found_only_by_their_ids(backend: MetrcBackend) -> None:
    metrc = backend.metrc
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_deliveries(1)
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_delivery_packages(1)
    with pytest.raises(MetrcNotFoundError):
        await metrc.list_transfer_template_delivery_packages(1)
    assert await metrc.list_transfers(GROWER, "incoming") == []
