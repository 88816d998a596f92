"""Outgoing templates, and the send / accept / reject lifecycle driven through the admin API."""

from __future__ import annotations

from typing import Any

import httpx


def _template(
    sbx: Any, labels: list[str], recipient: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "Name": "Weekly run",
        "TransporterFacilityLicenseNumber": sbx.A,
        "DriverName": "Sam Driver",
        "DriverOccupationalLicenseNumber": "D-1",
        "VehicleMake": "Ford",
        "VehicleModel": "Transit",
        "VehicleLicensePlateNumber": "ABC123",
        "Destinations": [{
            "RecipientLicenseNumber": recipient or sbx.B,
            "TransferTypeName": "Wholesale",
            "PlannedRoute": "I-25 south",
            "EstimatedDepartureDateTime": "2024-06-01T09:00:00-06:00",
            "EstimatedArrivalDateTime": "2024-06-01T11:00:00-06:00",
            "Transporters": [],
            "Packages": [{"PackageLabel": label, "WholesalePrice": "120.50"} for label in labels],
        }],
        **extra,
    }  # fmt: skip


def _create(sbx: Any, labels: list[str]) -> int:
    response = sbx.write("POST", "/transfers/v2/templates/outgoing", [_template(sbx, labels)])
    assert response.status_code == 200, response.text
    [template_id] = response.json()["Ids"]
    return int(template_id)


def test_transfer_types(sbx: Any) -> None:
    names = {t["Name"] for t in sbx.get("/transfers/v2/types").json()["Data"]}
    assert {"Transfer", "Wholesale"} <= names


def test_template_is_listed_with_deliveries_and_packages_stay_active(sbx: Any) -> None:
    labels = [p["Label"] for p in sbx.packages()[:2]]
    template_id = _create(sbx, labels)
    [listed] = sbx.get("/transfers/v2/templates/outgoing").json()["Data"]
    assert (listed["Id"], listed["Name"], listed["RecipientFacilityLicenseNumber"]) == (
        template_id,
        "Weekly run",
        sbx.B,
    )
    deliveries = sbx.get(f"/transfers/v2/templates/outgoing/{template_id}/deliveries", None).json()[
        "Data"
    ]
    assert len(deliveries) == 1
    packages = sbx.get(
        f"/transfers/v2/templates/outgoing/deliveries/{deliveries[0]['Id']}/packages", None
    ).json()["Data"]
    assert [p["PackageLabel"] for p in packages] == labels
    assert packages[0]["ShipperWholesalePrice"] == 120.5
    assert {p["Label"] for p in sbx.packages("active")} >= set(labels)


def test_template_rows_are_validated(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    rows = [
        _template(sbx, [label], recipient="NOT-A-LICENSE"),
        _template(sbx, [label], recipient=sbx.A),
        _template(sbx, ["1A4FF01000000000000000999"]),
        {**_template(sbx, [label]), "Name": None},
    ]
    errors = sbx.write("POST", "/transfers/v2/templates/outgoing", rows).json()
    assert errors == [
        {"row": 0, "message": "Recipient license number NOT-A-LICENSE is not valid."},
        {"row": 1, "message": "A transfer cannot be sent to the shipping Facility itself."},
        {
            "row": 2,
            "message": "Package 1A4FF01000000000000000999 does not exist in the current Facility.",
        },
        {"row": 3, "message": "Name was not specified."},
    ]
    assert sbx.get("/transfers/v2/templates/outgoing").json()["TotalRecords"] == 0


def test_update_and_archive_template(sbx: Any) -> None:
    labels = [p["Label"] for p in sbx.packages()[:2]]
    template_id = _create(sbx, labels[:1])
    [delivery] = sbx.get(f"/transfers/v2/templates/outgoing/{template_id}/deliveries", None).json()[
        "Data"
    ]
    update = _template(sbx, labels, TransferTemplateId=template_id, Name="Renamed")
    update["Destinations"][0]["TransferDestinationId"] = delivery["Id"]
    response = sbx.write("PUT", "/transfers/v2/templates/outgoing", [update])
    assert (response.status_code, response.content) == (200, b"")
    [listed] = sbx.get("/transfers/v2/templates/outgoing").json()["Data"]
    assert (listed["Name"], listed["PackageCount"]) == ("Renamed", 2)
    archived = sbx.api.delete(
        f"/transfers/v2/templates/outgoing/{template_id}", params={"licenseNumber": sbx.A}
    )
    assert (archived.status_code, archived.content) == (200, b"")
    assert sbx.get("/transfers/v2/templates/outgoing").json()["Data"] == []


def test_send_accept_moves_packages_to_the_recipient(sbx: Any) -> None:
    labels = [p["Label"] for p in sbx.packages()[:2]]
    template_id = _create(sbx, labels)
    sent = sbx.admin.post(f"/_sandbox/transfers/{template_id}/send").json()
    assert sent["manifest_number"] == "0000000001"
    assert {p["Label"] for p in sbx.packages("intransit")} == set(labels)
    assert set(labels).isdisjoint(p["Label"] for p in sbx.packages("active"))
    adjust = [
        {
            "Label": labels[0],
            "Quantity": -1,
            "UnitOfMeasure": "Grams",
            "AdjustmentReason": "Drying",
            "AdjustmentDate": "2024-06-01",
        }
    ]
    assert (
        sbx.write("POST", "/packages/v2/adjust", adjust)
        .json()[0]["message"]
        .endswith("is in transit.")
    )

    [outgoing] = sbx.get("/transfers/v2/outgoing").json()["Data"]
    [incoming] = sbx.get("/transfers/v2/incoming", sbx.B).json()["Data"]
    assert outgoing["ManifestNumber"] == incoming["ManifestNumber"] == "0000000001"
    assert outgoing["DeliveryId"] == sent["delivery_ids"][0]
    assert incoming["ShipperFacilityLicenseNumber"] == sbx.A
    deliveries = sbx.get(f"/transfers/v2/{outgoing['Id']}/deliveries", None).json()["Data"]
    assert [d["Id"] for d in deliveries] == sent["delivery_ids"]
    shipped = sbx.get(f"/transfers/v2/deliveries/{deliveries[0]['Id']}/packages", None).json()[
        "Data"
    ]
    assert {p["ShipmentPackageState"] for p in shipped} == {"Shipped"}
    assert sbx.admin.post(f"/_sandbox/transfers/{template_id}/send").status_code == 409

    accepted = sbx.admin.post(f"/_sandbox/transfers/deliveries/{deliveries[0]['Id']}/accept")
    assert accepted.json()["state"] == "Accepted"
    assert {p["Label"] for p in sbx.packages("active", sbx.B)} == set(labels)
    received = sbx.package(labels[0], sbx.B)
    assert received["ReceivedFromManifestNumber"] == "0000000001"
    assert received["ReceivedFromFacilityLicenseNumber"] == sbx.A
    assert sbx.get(f"/packages/v2/{labels[0]}").status_code == 401  # no longer the shipper's
    after = sbx.get(f"/transfers/v2/deliveries/{deliveries[0]['Id']}/packages", None).json()["Data"]
    assert {p["ShipmentPackageState"] for p in after} == {"Accepted"}
    assert (
        sbx.admin.post(f"/_sandbox/transfers/deliveries/{deliveries[0]['Id']}/accept").status_code
        == 409
    )


def test_reject_returns_packages_to_the_shipper(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    template_id = _create(sbx, [label])
    sent = sbx.admin.post(f"/_sandbox/transfers/{template_id}/send").json()
    rejected = sbx.admin.post(f"/_sandbox/transfers/deliveries/{sent['delivery_ids'][0]}/reject")
    assert rejected.json()["state"] == "Rejected"
    assert label in {p["Label"] for p in sbx.packages("active")}
    states = sbx.state()["manifests"][0]["deliveries"][0]["packages"]
    assert [p["state"] for p in states] == ["Rejected"]


def test_deliveries_of_other_users_are_401(sbx: Any, base_url: str) -> None:
    template_id = _create(sbx, [sbx.packages()[0]["Label"]])
    sent = sbx.admin.post(f"/_sandbox/transfers/{template_id}/send").json()
    other = httpx.Client(base_url=base_url, auth=("other-vendor", "other-user"))
    with other:
        assert other.get(f"/transfers/v2/{sent['transfer_id']}/deliveries").status_code == 401
        assert (
            other.get(f"/transfers/v2/deliveries/{sent['delivery_ids'][0]}/packages").status_code
            == 401
        )
        assert (
            other.get(f"/transfers/v2/templates/outgoing/{template_id}/deliveries").status_code
            == 401
        )
