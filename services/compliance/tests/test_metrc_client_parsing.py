"""Response models, write bodies and error bodies, shape by shape."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    Facility,
    Harvest,
    Item,
    PackageAdjust,
    PackageCreate,
    PackageIngredient,
    Plant,
    PlantBatch,
    Tag,
    Transfer,
    TransferDeliveryPackage,
    UnitOfMeasure,
    WriteResult,
)
from compliance.adapters.metrc._types import parse_metrc_date, parse_metrc_datetime
from compliance.adapters.metrc._wire import decode_json, parse_error_body
from compliance.adapters.metrc.payloads import MetrcPayload, encode_body
from compliance.adapters.metrc.schemas import Package
from pydantic import Field, ValidationError

PACKAGE = b"""{
  "Id": 1, "Label": "ABCDEF012345670000010041", "PackageType": "Product",
  "Quantity": 16.1, "OriginalPackageQuantity": 20.00, "UnitOfMeasureName": "Ounces",
  "UnitOfMeasureAbbreviation": "oz",
  "Item": {"Id": 1, "Name": "Buds", "ProductCategoryName": "Buds", "ProductCategoryType": 0,
           "QuantityType": 0, "DefaultLabTestingState": 0, "ApprovalStatus": 0,
           "UnitOfMeasureName": "Ounces", "ApprovalStatusDateTime": "0001-01-01T00:00:00+00:00"},
  "PackagedDate": "2014-11-29", "ExpirationDate": null, "FinishedDate": "0001-01-01",
  "LastModified": "2026-02-08T07:05:59.8043612+00:00",
  "LabTestingState": "TestPassed", "IsOnHold": false, "SomeFieldMetrcAddedLater": 7
}"""


def test_a_package_reads_decimals_dates_and_nested_int_enums() -> None:
    package = Package.model_validate(decode_json(PACKAGE))

    assert package.quantity == Decimal("16.1")
    assert isinstance(package.quantity, Decimal)
    assert package.original_package_quantity == Decimal("20.00")
    assert package.packaged_date == date(2014, 11, 29)
    assert package.finished_date is None
    assert package.expiration_date is None
    assert package.last_modified == datetime(2026, 2, 8, 7, 5, 59, 804361, tzinfo=UTC)
    assert package.item is not None
    assert package.item.quantity_type == 0
    assert package.item.approval_status_date_time is None
    assert package.item_name == "Buds"
    assert package.lab_testing_state == "TestPassed"


def test_the_same_item_reads_with_string_enums_from_the_items_endpoint() -> None:
    item = Item.model_validate(
        {"Id": 1, "Name": "Buds", "QuantityType": "WeightBased", "ProductCategoryType": "Buds"}
    )
    assert item.quantity_type == "WeightBased"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-08T07:05:59.8043612+00:00", datetime(2026, 2, 8, 7, 5, 59, 804361, tzinfo=UTC)),
        ("2016-10-11T16:50:00Z", datetime(2016, 10, 11, 16, 50, tzinfo=UTC)),
        ("2016-10-10T08:20:45-08:00", datetime(2016, 10, 10, 16, 20, 45, tzinfo=UTC)),
        ("2016-10-11T14:48:30.000", datetime(2016, 10, 11, 14, 48, 30, tzinfo=UTC)),
        ("0001-01-01T00:00:00+00:00", None),
        ("0001-01-01T00:00:00.000", None),
        ("", None),
        (None, None),
    ],
)
def test_date_times_become_aware_utc_or_none(text: str | None, expected: datetime | None) -> None:
    parsed = parse_metrc_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() is not None
        assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-11-29", date(2014, 11, 29)),
        ("2017-01-31T00:00:00Z", date(2017, 1, 31)),
        ("2017-01-31T23:30:00-08:00", date(2017, 1, 31)),
        ("0001-01-01", None),
        ("0001-01-01T00:00:00.000", None),
    ],
)
def test_dates_accept_date_times_and_metrc_nulls(text: str, expected: date | None) -> None:
    assert parse_metrc_date(text) == expected


def test_a_facility_reads_its_license_and_capabilities() -> None:
    facility = Facility.model_validate(
        {
            "FacilityId": 1,
            "Name": "Canopy Test Facility",
            "HireDate": "2014-01-01",
            "License": {
                "Number": "SF-SBX-CO-21-8002",
                "StartDate": "2013-01-01",
                "EndDate": "2028-12-31",
                "LicenseType": "Marijuana Cultivation",
            },
            "FacilityType": {
                "CanGrowPlants": True,
                "CanCreateOpeningBalancePackages": True,
                "IsSalesDeliveryHub": False,
            },
        }
    )
    assert facility.license_number == "SF-SBX-CO-21-8002"
    assert facility.facility_type.can_create_opening_balance_packages is True
    assert facility.facility_type.model_extra == {"IsSalesDeliveryHub": False}


def test_lookup_and_lifecycle_records_read_from_metrc_examples() -> None:
    assert (
        UnitOfMeasure.model_validate(
            {"QuantityType": "WeightBased", "Name": "Grams", "Abbreviation": "g"}
        ).abbreviation
        == "g"
    )
    assert Tag.model_validate(
        {"Id": 1, "Label": "1A4FF0100000022000000001", "TagInventoryTypeName": "MedicalPackage"}
    ).label.startswith("1A4")
    batch = PlantBatch.model_validate(
        {
            "Id": 5,
            "Name": "B1",
            "UntrackedCount": 10,
            "PlantedDate": "2026-01-02",
            "LastModified": "2026-02-08T07:05:59+00:00",
        }
    )
    assert batch.untracked_count == 10
    plant = Plant.model_validate(
        {
            "Id": 9,
            "Label": "1A4FF0000000022000000009",
            "GrowthPhase": "Flowering",
            "HarvestedWetWeight": 123.45,
            "FloweringDate": "0001-01-01",
        }
    )
    assert plant.harvested_wet_weight == Decimal("123.45")
    assert plant.flowering_date is None
    harvest = Harvest.model_validate(
        {"Id": 3, "Name": "H1", "CurrentWeight": 10.5, "HarvestType": "Product"}
    )
    assert harvest.current_weight == Decimal("10.5")
    transfer = Transfer.model_validate(
        {
            "Id": 1,
            "ManifestNumber": "0000000001",
            "EstimatedDepartureDateTime": "0001-01-01T00:00:00.000",
            "CreatedDateTime": "2016-10-11T14:48:30.000",
            "ShipmentTransactionType": "Standard",
        }
    )
    assert transfer.estimated_departure_date_time is None
    assert transfer.created_date_time == datetime(2016, 10, 11, 14, 48, 30, tzinfo=UTC)
    package = TransferDeliveryPackage.model_validate(
        {"PackageId": 1, "PackageLabel": "X", "ShippedQuantity": 1.0, "ShipmentPackageState": 1}
    )
    assert package.shipment_package_state == 1


def test_write_results_read_ids_and_warnings() -> None:
    result = WriteResult.model_validate({"Ids": [10, 11], "Warnings": None})
    assert result.ids == [10, 11]
    assert WriteResult().ids == []


def test_write_bodies_are_arrays_with_exact_decimal_numbers_and_no_nulls() -> None:
    body = encode_body(
        [
            PackageCreate(
                tag="1A4FF0100000022000000002",
                item="Buds",
                quantity=Decimal("0.1") + Decimal("0.2"),
                unit_of_measure="Grams",
                actual_date=date(2026, 2, 8),
                ingredients=[
                    PackageIngredient(
                        package="1A4FF0100000022000000001",
                        quantity=Decimal("0.30"),
                        unit_of_measure="Grams",
                    )
                ],
            ),
            PackageCreate(
                tag="1A4FF0100000022000000003",
                item="Buds",
                quantity=Decimal("1E+2"),
                unit_of_measure="Grams",
                actual_date=date(2026, 2, 8),
            ),
        ]
    )
    text = body.decode()
    assert text.startswith("[{")
    assert '"Quantity":0.3,' in text
    assert '"Quantity":0.30,' in text
    assert '"Quantity":100,' in text
    assert "null" not in text
    rows = json.loads(text, parse_float=Decimal)
    assert rows[0]["Tag"] == "1A4FF0100000022000000002"
    assert rows[0]["ActualDate"] == "2026-02-08"
    assert rows[0]["Ingredients"][0]["Package"] == "1A4FF0100000022000000001"
    assert "Ingredients" not in rows[1]
    assert rows[1]["IsProductionBatch"] is False


def test_a_float_given_to_a_payload_is_kept_as_its_shortest_decimal() -> None:
    adjust = PackageAdjust(
        label="X",
        quantity=0.1,  # type: ignore[arg-type]
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=date(2026, 2, 8),
    )
    assert adjust.quantity == Decimal("0.1")
    assert b'"Quantity":0.1,' in encode_body([adjust])


def test_a_non_finite_quantity_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError, match="finite"):
        PackageAdjust(
            label="X",
            quantity=Decimal("NaN"),
            unit_of_measure="Grams",
            adjustment_reason="Drying",
            adjustment_date=date(2026, 2, 8),
        )
    with pytest.raises(ValueError, match="finite"):
        encode_body([_Raw(quantity=Decimal("Infinity"))])


class _Raw(MetrcPayload):
    """A payload without pydantic's own finiteness check, to reach the encoder's."""

    quantity: Decimal = Field(allow_inf_nan=True)


def test_error_body_as_a_row_list() -> None:
    body = parse_error_body(
        b'[{"row":0,"message":"Plant Batch 15 does not exist in the current Facility."},'
        b'{"row":1,"message":"Tag ABCDEF012345670000013300 is not valid."}]'
    )
    assert body.is_row_list
    assert body.rows == [
        (0, "Plant Batch 15 does not exist in the current Facility."),
        (1, "Tag ABCDEF012345670000013300 is not valid."),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b'{"Message":"Authorization has been denied for this request."}',
        b'{"message":"Authorization has been denied for this request."}',
    ],
)
def test_error_body_as_an_object_with_message(content: bytes) -> None:
    body = parse_error_body(content)
    assert not body.is_row_list
    assert body.message == "Authorization has been denied for this request."
    assert body.rows == [(None, "Authorization has been denied for this request.")]


def test_error_body_as_plain_text_or_html_is_kept_raw_and_truncated() -> None:
    assert (
        parse_error_body(b"The provided API key is only valid for V1 API endpoints.").message
        == "The provided API key is only valid for V1 API endpoints."
    )
    long_html = b"<html>" + b"x" * 5000 + b"</html>"
    assert len(parse_error_body(long_html).message) <= 501


def test_error_body_that_is_empty_or_unexpected_json() -> None:
    assert parse_error_body(b"").message == ""
    assert parse_error_body(b'{"Error": 1}').message == '{"Error": 1}'
    assert parse_error_body(b"[]").rows == []
