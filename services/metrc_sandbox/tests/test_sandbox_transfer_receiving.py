"""A manifest from template to receipt: partial acceptance at the second facility, the rejected
list, wholesale prices, transporters, the printable manifest, paging, and the fault knobs."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

TEMPLATES = "/transfers/v2/templates/outgoing"


def _template(sbx: Any, labels: list[str], name: str = "Weekly run") -> dict[str, Any]:
    return {
        "Name": name,
        "TransporterFacilityLicenseNumber": sbx.A,
        "DriverName": "Sam Driver",
        "DriverOccupationalLicenseNumber": "D-1",
        "DriverLicenseNumber": "DL-9",
        "VehicleMake": "Ford",
        "VehicleModel": "Transit",
        "VehicleLicensePlateNumber": "ABC123",
        "Destinations": [{
            "RecipientLicenseNumber": sbx.B,
            "TransferTypeName": "Wholesale",
            "PlannedRoute": "I-25 south",
            "EstimatedDepartureDateTime": "2024-06-01T09:00:00-06:00",
            "EstimatedArrivalDateTime": "2024-06-01T11:00:00-06:00",
            "Transporters": [{
                "TransporterFacilityLicenseNumber": sbx.A,
                "DriverName": "Sam Driver", "DriverOccupationalLicenseNumber": "D-1",
                "DriverLicenseNumber": "DL-9", "VehicleMake": "Ford", "VehicleModel": "Transit",
                "VehicleLicensePlateNumber": "ABC123", "IsLayover": False,
            }],
            "Packages": [{"PackageLabel": label, "WholesalePrice": "120.50"} for label in labels],
        }],
    }  # fmt: skip


def _sent(sbx: Any, labels: list[str]) -> tuple[int, int]:
    """(transfer id, delivery id) of a sent one-destination manifest."""
    response = sbx.write("POST", TEMPLATES, [_template(sbx, labels)])
    assert response.status_code == 200, response.text
    [template_id] = response.json()["Ids"]
    sent = sbx.admin.post(f"/_sandbox/transfers/{template_id}/send").json()
    [delivery_id] = sent["delivery_ids"]
    return int(sent["transfer_id"]), int(delivery_id)


def _receive(sbx: Any, delivery_id: int, packages: list[dict[str, Any]]) -> httpx.Response:
    response: httpx.Response = sbx.admin.post(
        f"/_sandbox/transfers/deliveries/{delivery_id}/receive", json={"packages": packages}
    )
    return response


class TestPartialAcceptance:
    def test_accepted_packages_move_with_the_received_quantity_and_rejected_ones_come_back(
        self, sbx: Any
    ) -> None:
        first, second = (p["Label"] for p in sbx.packages()[:2])
        _, delivery_id = _sent(sbx, [first, second])
        answer = _receive(
            sbx,
            delivery_id,
            [
                {"label": first, "accepted": True, "received_quantity": "99.5"},
                {"label": second, "accepted": False},
            ],
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "delivery_id": delivery_id,
            "state": "PartiallyAccepted",
            "packages": 2,
            "accepted": 1,
            "rejected": 1,
        }
        assert sbx.package(first, sbx.B)["Quantity"] == 99.5
        assert sbx.package(second)["Quantity"] == 50.5  # back at the shipper, untouched
        assert second in {p["Label"] for p in sbx.packages("active")}
        rows = sbx.get(f"/transfers/v2/deliveries/{delivery_id}/packages", None).json()["Data"]
        states = {
            r["PackageLabel"]: (r["ShipmentPackageState"], r["ReceivedQuantity"]) for r in rows
        }
        assert states == {first: ("Accepted", 99.5), second: ("Rejected", None)}
        [rejected] = sbx.get("/transfers/v2/rejected").json()["Data"]
        assert rejected["DeliveryId"] == delivery_id
        [incoming] = sbx.get("/transfers/v2/incoming", sbx.B).json()["Data"]
        assert (incoming["DeliveryReceivedPackageCount"], incoming["ReceivedPackageCount"]) == (
            2,
            2,
        )

    def test_packages_not_named_are_accepted_as_shipped(self, sbx: Any) -> None:
        labels = [p["Label"] for p in sbx.packages()[:2]]
        _, delivery_id = _sent(sbx, labels)
        assert _receive(sbx, delivery_id, []).json()["state"] == "Accepted"
        assert {p["Label"] for p in sbx.packages("active", sbx.B)} == set(labels)

    def test_bad_receipts_are_refused_and_change_nothing(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        _, delivery_id = _sent(sbx, [label])
        assert _receive(sbx, delivery_id, [{"label": "NOPE"}]).status_code == 422
        negative = [{"label": label, "received_quantity": "-1"}]
        assert _receive(sbx, delivery_id, negative).status_code == 422
        rejected_with_quantity = [{"label": label, "accepted": False, "received_quantity": "1"}]
        assert _receive(sbx, delivery_id, rejected_with_quantity).status_code == 422
        assert _receive(sbx, 9999, []).status_code == 404
        assert label in {p["Label"] for p in sbx.packages("intransit")}
        assert _receive(sbx, delivery_id, []).status_code == 200
        assert _receive(sbx, delivery_id, []).status_code == 409


class TestTransferredPackages:
    def test_shipped_and_accepted_packages_are_listed_for_the_shipper_rejected_ones_not(
        self, sbx: Any
    ) -> None:
        first, second = (p["Label"] for p in sbx.packages()[:2])
        _, delivery_id = _sent(sbx, [first, second])
        shipped = sbx.get("/packages/v2/transferred").json()["Data"]
        assert {(r["PackageLabel"], r["ShipmentPackageStateName"]) for r in shipped} == {
            (first, "Shipped"),
            (second, "Shipped"),
        }
        decisions = [
            {"label": first, "received_quantity": "98"},
            {"label": second, "accepted": False},
        ]
        _receive(sbx, delivery_id, decisions).raise_for_status()
        [row] = sbx.get("/packages/v2/transferred").json()["Data"]
        assert (row["PackageLabel"], row["ShipmentPackageStateName"]) == (first, "Accepted")
        assert (row["ShippedQuantity"], row["ReceivedQuantity"]) == (100, 98)
        assert (row["RecipientFacilityLicenseNumber"], row["ManifestNumber"]) == (
            sbx.B,
            "0000000001",
        )
        assert row["ShipperWholesalePrice"] == 120.5
        assert sbx.get("/packages/v2/transferred", sbx.B).json()["Data"] == []
        stamp = row["LastModified"]
        window = sbx.get("/packages/v2/transferred", lastModifiedStart=stamp, lastModifiedEnd=stamp)
        assert window.json()["TotalRecords"] == 1


class TestDeliveryDetails:
    def test_wholesale_transporters_and_details(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        _, delivery_id = _sent(sbx, [label])
        base = f"/transfers/v2/deliveries/{delivery_id}"
        [price] = sbx.get(f"{base}/packages/wholesale", None).json()["Data"]
        assert (price["PackageLabel"], price["ShipperWholesalePrice"]) == (label, 120.5)
        [transporter] = sbx.get(f"{base}/transporters", None).json()["Data"]
        assert transporter["TransporterFacilityLicenseNumber"] == sbx.A
        assert transporter["TransporterFacilityName"] == "Grower"
        [driver] = sbx.get(f"{base}/transporters/details", None).json()["Data"]
        assert (driver["DriverName"], driver["VehicleLicensePlateNumber"]) == (
            "Sam Driver",
            "ABC123",
        )
        states = sbx.get("/transfers/v2/deliveries/packages/states", None).json()
        assert states == ["Shipped", "Rejected", "Accepted", "Returned"]

    def test_another_users_delivery_is_401(self, sbx: Any, base_url: str) -> None:
        label = sbx.packages()[0]["Label"]
        _, delivery_id = _sent(sbx, [label])
        with httpx.Client(base_url=base_url, auth=("vendor-key", "other-user")) as other:
            response = other.get(f"/transfers/v2/deliveries/{delivery_id}/transporters")
        assert response.status_code == 401


class TestManifest:
    def test_html_lists_the_manifest_for_shipper_and_recipient(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        transfer_id, _ = _sent(sbx, [label])
        for license_number in (sbx.A, sbx.B):
            response = sbx.get(f"/transfers/v2/manifest/{transfer_id}/html", license_number)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
            assert "Manifest 0000000001" in response.text
            assert label in response.text
            assert "Sam Driver" in response.text

    def test_pdf_is_a_base64_pdf_document(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        transfer_id, _ = _sent(sbx, [label])
        document = sbx.get(f"/transfers/v2/manifest/{transfer_id}/pdf").json()
        assert (document["ContentType"], document["HttpStatusCode"]) == ("application/pdf", 200)
        assert document["FileDownloadName"] == "Manifest-0000000001.pdf"
        pdf = base64.b64decode(document["FileContents"])
        assert pdf.startswith(b"%PDF-1.4")
        assert pdf.rstrip().endswith(b"%%EOF")
        assert label.encode() in pdf
        # Every cross-reference entry points at its object, as a PDF reader expects.
        xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
        entries = pdf[xref:].split(b"\n")[3:8]
        for number, entry in enumerate(entries, start=1):
            offset = int(entry.split()[0])
            assert pdf[offset:].startswith(f"{number} 0 obj".encode())

    def test_unknown_and_foreign_manifests(self, sbx: Any, seed_document: dict[str, Any]) -> None:
        third = "SF-SBX-CO-24-8002"
        seed_document["facilities"].append({"license_number": third, "name": "Third"})
        seed_document["users"][0]["facilities"].append(third)
        sbx.admin.post("/_sandbox/reset", json=seed_document).raise_for_status()
        assert sbx.get("/transfers/v2/manifest/77/html").status_code == 404
        label = sbx.packages()[0]["Label"]
        transfer_id, _ = _sent(sbx, [label])
        # The user may act for the third facility, which is no party to this manifest.
        response = sbx.get(f"/transfers/v2/manifest/{transfer_id}/pdf", third)
        assert response.status_code == 401
        assert "not valid for facility" in response.json()["Message"]


class TestPagingAndWindows:
    def test_outgoing_and_templates_page_and_filter_by_last_modified(self, sbx: Any) -> None:
        labels = [p["Label"] for p in sbx.packages()[:3]]
        for index, label in enumerate(labels):
            body = [_template(sbx, [label], name=f"Run {index}")]
            assert sbx.write("POST", TEMPLATES, body).status_code == 200
        page = sbx.get(TEMPLATES, pageNumber=2, pageSize=2).json()
        assert (page["TotalRecords"], page["TotalPages"], page["RecordsOnPage"]) == (3, 2, 1)
        assert page["Data"][0]["Name"] == "Run 2"
        assert sbx.get(TEMPLATES, pageSize=21).status_code == 400
        stamps = [t["LastModified"] for t in sbx.get(TEMPLATES).json()["Data"]]
        window = sbx.get(TEMPLATES, lastModifiedStart=stamps[1], lastModifiedEnd=stamps[2])
        assert [t["Name"] for t in window.json()["Data"]] == ["Run 1", "Run 2"]


class TestFaultKnobs:
    def test_a_lost_template_create_was_applied_and_a_read_back_finds_it(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        sbx.faults({"method": "POST", "path": TEMPLATES, "kind": "lost_response"})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            sbx.write("POST", TEMPLATES, [_template(sbx, [label], name="Lost")])
        assert [t["Name"] for t in sbx.get(TEMPLATES).json()["Data"]] == ["Lost"]

    @pytest.mark.parametrize(
        ("method", "path"),
        [("POST", TEMPLATES), ("PUT", TEMPLATES), ("GET", "/transfers/v2/rejected")],
    )
    def test_status_and_rate_limit_faults(self, sbx: Any, method: str, path: str) -> None:
        sbx.faults(
            {"method": method, "path": path, "kind": "status", "status": 500},
            {"method": method, "path": path, "kind": "rate_limit"},
        )
        body = [_template(sbx, [])] if method != "GET" else None
        call = sbx.api.request(method, path, params={"licenseNumber": sbx.A}, json=body)
        assert call.status_code == 500
        call = sbx.api.request(method, path, params={"licenseNumber": sbx.A}, json=body)
        assert call.status_code == 429
        assert sbx.get(TEMPLATES).json()["Data"] == []
