"""Basic auth, licenseNumber scoping and the bare-array reference endpoints."""

from __future__ import annotations

from typing import Any

import httpx

DENIED = {"Message": "Authorization has been denied for this request."}


def test_health_needs_no_auth(admin: httpx.Client) -> None:
    assert admin.get("/_sandbox/health").json() == {"status": "ok"}


def test_missing_credentials_are_401_with_a_message(admin: httpx.Client) -> None:
    response = admin.get("/facilities/v2/")
    assert response.status_code == 401
    assert response.json() == DENIED


def test_unknown_user_key_is_401(base_url: str) -> None:
    response = httpx.get(f"{base_url}/facilities/v2/", auth=("vendor-key", "nope"))
    assert response.status_code == 401
    assert response.json() == DENIED


def test_unknown_vendor_key_is_401_even_with_a_valid_user_key(base_url: str) -> None:
    response = httpx.get(f"{base_url}/facilities/v2/", auth=("user-key", "user-key"))
    assert response.status_code == 401


def test_swapped_keys_are_401(base_url: str) -> None:
    # Username is the vendor key and password the user key; a client that swaps them must fail.
    response = httpx.get(f"{base_url}/facilities/v2/", auth=("user-key", "vendor-key"))
    assert response.status_code == 401


def test_facilities_is_a_bare_array_of_the_users_facilities(sbx: Any) -> None:
    response = sbx.get("/facilities/v2/", None)
    assert response.status_code == 200
    facilities = response.json()
    assert isinstance(facilities, list)
    assert [f["License"]["Number"] for f in facilities] == [sbx.A, sbx.B]
    grower, store = facilities
    assert grower["FacilityType"]["CanCreateOpeningBalancePackages"] is True
    assert store["FacilityType"]["CanGrowPlants"] is False


def test_collection_root_without_trailing_slash_is_routed(sbx: Any) -> None:
    assert sbx.get("/facilities/v2", None).status_code == 200


def test_missing_license_number_is_400(sbx: Any) -> None:
    response = sbx.get("/packages/v2/active", None)
    assert response.status_code == 400
    assert "licenseNumber" in response.json()["Message"]


def test_license_number_parameter_name_is_case_insensitive(sbx: Any) -> None:
    response = sbx.api.get("/packages/v2/active", params={"LicenseNumber": sbx.A})
    assert response.status_code == 200


def test_foreign_facility_is_401(sbx: Any) -> None:
    response = sbx.get("/packages/v2/active", sbx.C)
    assert response.status_code == 401
    assert "Message" in response.json()


def test_unknown_facility_is_401(sbx: Any) -> None:
    assert sbx.get("/packages/v2/active", "NO-SUCH-LICENSE").status_code == 401


def test_record_of_another_facility_is_401_by_id_and_by_label(sbx: Any, base_url: str) -> None:
    foreign = next(p for p in sbx.state()["packages"] if p["license_number"] == sbx.C)
    by_id = sbx.get(f"/packages/v2/{foreign['Id']}", sbx.A)
    by_label = sbx.get(f"/packages/v2/{foreign['Label']}", sbx.A)
    assert (by_id.status_code, by_label.status_code) == (401, 401)
    # The same record is fine for its own facility's user.
    other = httpx.get(
        f"{base_url}/packages/v2/{foreign['Label']}",
        params={"licenseNumber": sbx.C},
        auth=("other-vendor", "other-user"),
    )
    assert other.status_code == 200
    assert other.json()["Label"] == foreign["Label"]


def test_unknown_record_is_404(sbx: Any) -> None:
    assert sbx.get("/packages/v2/999").status_code == 404
    assert sbx.get("/items/v2/1").status_code == 404


def test_get_by_id_and_label_return_the_same_bare_object(sbx: Any) -> None:
    package = sbx.packages()[0]
    by_id = sbx.get(f"/packages/v2/{package['Id']}").json()
    by_label = sbx.get(f"/packages/v2/{package['Label']}").json()
    assert by_id == by_label
    assert by_id["Item"]["Name"] == "Flower"


def test_units_of_measure_are_bare_arrays_without_license(sbx: Any) -> None:
    active = sbx.get("/unitsofmeasure/v2/active", None).json()
    inactive = sbx.get("/unitsofmeasure/v2/inactive", None).json()
    assert {"QuantityType": "WeightBased", "Name": "Grams", "Abbreviation": "g"} in active
    assert {"QuantityType": "CountBased", "Name": "Each", "Abbreviation": "ea"} in active
    assert [u["Name"] for u in inactive] == ["Tonns"]


def test_available_tags_are_bare_arrays_of_24_character_labels(sbx: Any) -> None:
    package_tags = sbx.get("/tags/v2/package/available").json()
    plant_tags = sbx.get("/tags/v2/plant/available").json()
    assert len(package_tags) == 40 - 3  # three seeded packages used three tags
    assert len(plant_tags) == 40
    assert all(len(t["Label"]) == 24 and t["Label"].isalnum() for t in package_tags + plant_tags)
    assert package_tags[0]["Label"].startswith("1A4FF01")
    assert plant_tags[0]["Label"].startswith("1A4FF00")
    assert set(package_tags[0]) >= {
        "Id",
        "Label",
        "TagTypeName",
        "TagInventoryTypeName",
        "FacilityId",
    }


def test_tags_need_a_license_and_are_per_facility(sbx: Any) -> None:
    assert sbx.get("/tags/v2/package/available", None).status_code == 400
    assert set(sbx.package_tags(sbx.A)).isdisjoint(sbx.package_tags(sbx.B))


def test_unknown_route_is_404_with_message(sbx: Any) -> None:
    response = sbx.get("/packages/v2/active/extra")
    assert response.status_code == 404
    assert "Message" in response.json()
