"""Package writes on the wire: status codes, empty bodies, the row-error array, the body rules.

Metrc's package rules themselves (tags, ingredients, units, adjustments, the lifecycle, every row
message) are the contract suite's, ``services/compliance/tests/test_metrc_packages.py``, which runs
them against this sandbox through the real client and against the in-memory fake alike.
"""

from __future__ import annotations

from typing import Any

TODAY_SAFE = "2024-06-01"


def _create(
    tag: str, source: str | None, quantity: Any = 10, unit: str = "Grams", **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Tag": tag,
        "Location": "Vault",
        "Item": "Flower",
        "Quantity": quantity,
        "UnitOfMeasure": unit,
        "ActualDate": TODAY_SAFE,
        **extra,
    }
    if source is not None:
        row["Ingredients"] = [{"Package": source, "Quantity": quantity, "UnitOfMeasure": unit}]
    return row


def _adjust(label: str, quantity: Any, reason: str = "Drying", **extra: Any) -> dict[str, Any]:
    return {
        "Label": label,
        "Quantity": quantity,
        "UnitOfMeasure": "Grams",
        "AdjustmentReason": reason,
        "AdjustmentDate": TODAY_SAFE,
        **extra,
    }


def test_create_from_ingredients_deducts_the_source_and_returns_ids(sbx: Any) -> None:
    source = sbx.packages()[0]
    tags = sbx.package_tags()
    response = sbx.write(
        "POST",
        "/packages/v2/",
        [_create(tags[0], source["Label"], "12.25"), _create(tags[1], source["Label"], "0.75")],
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"Ids", "Warnings"}
    assert body["Warnings"] is None
    first, second = (sbx.get(f"/packages/v2/{i}").json() for i in body["Ids"])
    assert (first["Label"], second["Label"]) == (tags[0], tags[1])
    assert first["Quantity"] == 12.25
    assert first["SourcePackageLabels"] == source["Label"]
    assert sbx.package(source["Label"])["Quantity"] == 87
    assert tags[0] not in sbx.package_tags()


def test_one_bad_row_rejects_the_whole_request_and_reports_every_bad_row(sbx: Any) -> None:
    before = sbx.state()
    source = sbx.packages()[0]["Label"]
    tags = sbx.package_tags()
    rows = [
        _create(tags[0], source, 5),
        _create(tags[1], source, -5),
        _create(tags[2], "1A4FF01000000000000000999", 5),
        _create(tags[3], source, 5, "Each"),
    ]
    response = sbx.write("POST", "/packages/v2/", rows)
    assert response.status_code == 400
    errors = response.json()
    assert {e["row"] for e in errors} == {1, 2, 3}
    messages = " | ".join(e["message"] for e in errors)
    assert "Quantity cannot be negative" in messages
    assert "Package 1A4FF01000000000000000999 does not exist in the current Facility." in messages
    assert "Unit of Measure Each" in messages
    after = sbx.state()
    assert after["packages"] == before["packages"]
    assert after["tags"] == before["tags"]


def test_missing_fields_are_named(sbx: Any) -> None:
    errors = sbx.write("POST", "/packages/v2/", [{"Tag": sbx.package_tags()[0]}]).json()
    messages = {e["message"] for e in errors}
    assert {
        "Item was not specified.",
        "Quantity was not specified.",
        "UnitOfMeasure was not specified.",
        "ActualDate was not specified.",
    } <= messages


def test_more_than_ten_objects_is_413(sbx: Any) -> None:
    rows = [_create(t, None) for t in sbx.package_tags()[:11]]
    response = sbx.write("POST", "/packages/v2/", rows)
    assert response.status_code == 413
    assert "Message" in response.json()
    sbx.configure(max_write_objects=11)
    assert sbx.write("POST", "/packages/v2/", rows).status_code == 200


def test_body_must_be_a_json_array(sbx: Any) -> None:
    single = _create(sbx.package_tags()[0], None)
    assert sbx.write("POST", "/packages/v2/", single).status_code == 400
    assert sbx.write("POST", "/packages/v2/", []).status_code == 400
    raw = sbx.api.post(
        "/packages/v2/",
        params={"licenseNumber": sbx.A},
        content=b"[{",
        headers={"content-type": "application/json"},
    )
    assert raw.status_code == 400


def test_field_names_bind_case_insensitively(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    row = {
        "label": label,
        "quantity": -1,
        "unitOfMeasure": "grams",
        "adjustmentReason": "drying",
        "adjustmentDate": TODAY_SAFE,
    }
    assert sbx.write("POST", "/packages/v2/adjust", [row]).status_code == 200
    assert sbx.package(label)["Quantity"] == 99


def test_adjust_reason_rules(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    rows = [
        {k: v for k, v in _adjust(label, -1).items() if k != "AdjustmentReason"},
        _adjust(label, -1, "Because"),
        _adjust(label, -1, "Entry Error"),
        _adjust(label, -1, "Entry Error", ReasonNote="typo on intake"),
        _adjust(label, 0),
    ]
    errors = sbx.write("POST", "/packages/v2/adjust", rows).json()
    assert errors == [
        {"row": 0, "message": "AdjustmentReason was not specified."},
        {"row": 1, "message": "Adjustment Reason Because is not valid."},
        {"row": 2, "message": "ReasonNote is required for the Adjustment Reason Entry Error."},
        {"row": 4, "message": "Quantity cannot be 0."},
    ]
    reasons = sbx.get("/packages/v2/adjust/reasons").json()["Data"]
    assert {"Name": "Entry Error", "RequiresNote": True}.items() <= next(
        r for r in reasons if r["Name"] == "Entry Error"
    ).items()


def test_move_location_is_empty_200(sbx: Any) -> None:
    sbx.write(
        "POST", "/locations/v2/", [{"Name": "Shelf", "LocationTypeName": "Packing"}]
    ).raise_for_status()
    label = sbx.packages()[0]["Label"]
    response = sbx.write(
        "PUT",
        "/packages/v2/location",
        [{"Label": label, "Location": "Shelf", "MoveDate": TODAY_SAFE}],
    )
    assert (response.status_code, response.content) == (200, b"")
    assert sbx.package(label)["LocationName"] == "Shelf"
    bad = sbx.write(
        "PUT",
        "/packages/v2/location",
        [{"Label": label, "Location": "Dry Room", "MoveDate": TODAY_SAFE}],
    )
    assert bad.json() == [{"row": 0, "message": "Location Dry Room cannot hold packages."}]


def test_finish_requires_zero_quantity(sbx: Any) -> None:
    label = sbx.packages()[1]["Label"]
    finish = [{"Label": label, "ActualDate": TODAY_SAFE}]
    response = sbx.write("PUT", "/packages/v2/finish", finish)
    assert response.status_code == 400
    assert "must be 0" in response.json()[0]["message"]
    sbx.write("POST", "/packages/v2/adjust", [_adjust(label, "-50.5")]).raise_for_status()
    done = sbx.write("PUT", "/packages/v2/finish", finish)
    assert (done.status_code, done.content) == (200, b"")
    assert label not in [p["Label"] for p in sbx.packages("active")]
    inactive = {p["Label"]: p for p in sbx.packages("inactive")}
    assert inactive[label]["IsFinished"] is True
    assert inactive[label]["FinishedDate"] == TODAY_SAFE
    assert sbx.write("POST", "/packages/v2/adjust", [_adjust(label, 1)]).json() == [
        {"row": 0, "message": f"Package {label} is finished."}
    ]
    again = sbx.write("PUT", "/packages/v2/finish", finish).json()
    assert again == [{"row": 0, "message": f"Package {label} is finished."}]

    unfinish = sbx.write("PUT", "/packages/v2/unfinish", [{"Label": label}])
    assert (unfinish.status_code, unfinish.content) == (200, b"")
    assert label in [p["Label"] for p in sbx.packages("active")]
    assert sbx.write("PUT", "/packages/v2/unfinish", [{"Label": label}]).json() == [
        {"row": 0, "message": f"Package {label} is not finished."}
    ]


def test_discontinue_makes_a_package_inactive(sbx: Any) -> None:
    package = sbx.packages()[0]
    response = sbx.api.delete(f"/packages/v2/{package['Id']}", params={"licenseNumber": sbx.A})
    assert (response.status_code, response.content) == (200, b"")
    inactive = {p["Label"]: p for p in sbx.packages("inactive")}
    assert inactive[package["Label"]]["IsFinished"] is False
    assert inactive[package["Label"]]["ArchivedDate"] is not None
    status = {p["Label"]: p["status"] for p in sbx.state()["packages"]}
    assert status[package["Label"]] == "inactive"
    again = sbx.api.delete(f"/packages/v2/{package['Id']}", params={"licenseNumber": sbx.A})
    assert again.status_code == 400
    foreign = next(p for p in sbx.state()["packages"] if p["license_number"] == sbx.C)
    assert (
        sbx.api.delete(f"/packages/v2/{foreign['Id']}", params={"licenseNumber": sbx.A}).status_code
        == 401
    )


def test_on_hold_packages_are_listed_apart_and_cannot_be_adjusted(sbx: Any) -> None:
    label = sbx.packages()[0]["Label"]
    assert sbx.admin.post(f"/_sandbox/packages/{label}/hold").json()["status"] == "onhold"
    assert [p["Label"] for p in sbx.packages("onhold")] == [label]
    assert label not in [p["Label"] for p in sbx.packages("active")]
    assert sbx.write("POST", "/packages/v2/adjust", [_adjust(label, -1)]).json() == [
        {"row": 0, "message": f"Package {label} is on hold."}
    ]
    sbx.admin.post(f"/_sandbox/packages/{label}/release").raise_for_status()
    assert label in [p["Label"] for p in sbx.packages("active")]


def test_writes_need_a_json_content_type(sbx: Any) -> None:
    response = sbx.api.post(
        "/packages/v2/adjust",
        params={"licenseNumber": sbx.A},
        content=b"[]",
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 415
