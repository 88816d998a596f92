"""Plant batches planted from a package, split, adjusted, moved; plants moved, destroyed, partly
harvested; harvests that cannot go below zero; the fault knobs on these writes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

DAY = "2024-06-01"


def _planting(sbx: Any, name: str = "B1", count: int = 10) -> int:
    row = {"Name": name, "Type": "Seed", "Count": count, "Strain": "Blue Dream",
           "Location": "Grow Room", "ActualDate": DAY}  # fmt: skip
    response = sbx.write("POST", "/plantbatches/v2/plantings", [row])
    assert response.status_code == 200, response.text
    return int(response.json()["Ids"][0])


def _batch(sbx: Any, batch_id: int) -> dict[str, Any]:
    response = sbx.get(f"/plantbatches/v2/{batch_id}")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def _seed_package(sbx: Any, quantity: int = 20) -> str:
    item = {"ItemCategory": "Seeds", "Name": "BD Seeds", "UnitOfMeasure": "Each",
            "Strain": "Blue Dream"}  # fmt: skip
    assert sbx.write("POST", "/items/v2/", [item]).status_code == 200
    tag = sbx.package_tags()[0]
    row = {"Tag": tag, "Item": "BD Seeds", "Quantity": quantity, "UnitOfMeasure": "Each",
           "ActualDate": DAY, "Location": "Vault"}  # fmt: skip
    assert sbx.write("POST", "/packages/v2/", [row]).status_code == 200
    return str(tag)


def _from_package(label: str, **changes: Any) -> dict[str, Any]:
    return {
        "PackageLabel": label,
        "PackageAdjustmentAmount": 6,
        "PackageAdjustmentUnitOfMeasureName": "Each",
        "PlantBatchName": "From seeds",
        "PlantBatchType": "Seed",
        "PlantCount": 6,
        "LocationName": "Grow Room",
        "StrainName": "Blue Dream",
        "PlantedDate": DAY,
        "UnpackagedDate": DAY,
        **changes,
    }


class TestPlantingFromAPackage:
    def test_the_batch_records_its_source_and_the_package_goes_down(self, sbx: Any) -> None:
        label = _seed_package(sbx)
        response = sbx.write("POST", "/packages/v2/plantings", [_from_package(label)])
        assert response.status_code == 200, response.text
        batch = _batch(sbx, response.json()["Ids"][0])
        assert (batch["Name"], batch["UntrackedCount"], batch["SourcePackageLabel"]) == (
            "From seeds",
            6,
            label,
        )
        assert sbx.package(label)["Quantity"] == 14

    def test_more_than_the_package_holds_is_refused_and_nothing_changes(self, sbx: Any) -> None:
        label = _seed_package(sbx, quantity=5)
        response = sbx.write("POST", "/packages/v2/plantings", [_from_package(label)])
        assert response.status_code == 400
        assert response.json() == [
            {"row": 0, "message": f"Package {label} holds 5 Each; 6 Each cannot be taken."}
        ]
        assert sbx.package(label)["Quantity"] == 5
        assert sbx.get("/plantbatches/v2/active").json()["Data"] == []

    def test_a_package_of_flower_cannot_be_planted(self, sbx: Any) -> None:
        label = sbx.packages()[0]["Label"]
        row = _from_package(label, PackageAdjustmentUnitOfMeasureName="Grams")
        [error] = sbx.write("POST", "/packages/v2/plantings", [row]).json()
        assert error["message"] == f"Package {label} does not contain seeds or immature plants."

    def test_a_name_in_use_and_missing_fields_are_row_errors(self, sbx: Any) -> None:
        _planting(sbx, name="Taken")
        label = _seed_package(sbx)
        row = _from_package(label, PlantBatchName="taken", PlantCount=None, PlantBatchType="Cut")
        messages = {e["message"] for e in sbx.write("POST", "/packages/v2/plantings", [row]).json()}
        assert messages == {
            "A Plant Batch named taken already exists in the current Facility.",
            "PlantCount was not specified.",
            "PlantBatchType Cut is not valid. Valid values are: Seed, Clone.",
        }


class TestSplitAdjustMove:
    def test_split_makes_a_new_batch_from_untracked_plants(self, sbx: Any) -> None:
        source = _planting(sbx)
        row = {"PlantBatch": "B1", "GroupName": "B1-b", "Count": 4, "Location": "Grow Room",
               "Strain": "Blue Dream", "ActualDate": DAY}  # fmt: skip
        response = sbx.write("POST", "/plantbatches/v2/split", [row])
        assert response.status_code == 200, response.text
        new = _batch(sbx, response.json()["Ids"][0])
        assert (new["Name"], new["UntrackedCount"], new["SourcePlantBatchIds"]) == (
            "B1-b",
            4,
            [source],
        )
        assert new["SourcePlantBatchNames"] == "B1"
        assert _batch(sbx, source)["UntrackedCount"] == 6
        too_many = {**row, "GroupName": "B1-c", "Count": 7}
        [error] = sbx.write("POST", "/plantbatches/v2/split", [too_many]).json()
        assert error["message"] == "Plant Batch B1 has 6 untracked plants; 7 cannot be split off."

    def test_adjust_takes_a_signed_count_and_a_known_reason(self, sbx: Any) -> None:
        batch_id = _planting(sbx)
        row = {"PlantBatchName": "B1", "Quantity": -3, "AdjustmentReason": "Drying",
               "AdjustmentDate": DAY}  # fmt: skip
        response = sbx.write("POST", "/plantbatches/v2/adjust", [row])
        assert response.json() == {"Ids": [batch_id], "Warnings": None}
        assert _batch(sbx, batch_id)["UntrackedCount"] == 7
        bad = [
            {**row, "Quantity": -8},
            {**row, "AdjustmentReason": "Moonlight"},
            {**row, "AdjustmentReason": "Theft"},
            {**row, "Quantity": 0},
        ]
        errors = sbx.write("POST", "/plantbatches/v2/adjust", bad).json()
        assert [(e["row"], e["message"]) for e in errors] == [
            (0, "Plant Batch B1 has 7 untracked plants and cannot be adjusted by -8."),
            (1, "AdjustmentReason Moonlight is not valid. Valid values are: "
                "API Related Error, Drying, Entry Error, Mandatory State Destruction, "
                "Scale Variance, Theft, Typing/Entry Error, Waste."),
            (2, "A ReasonNote is required for the reason Theft."),
            (3, "Quantity cannot be 0."),
        ]  # fmt: skip
        assert _batch(sbx, batch_id)["UntrackedCount"] == 7

    def test_adjusting_to_zero_makes_the_batch_inactive(self, sbx: Any) -> None:
        batch_id = _planting(sbx, count=2)
        row = {"PlantBatchName": "B1", "Quantity": -2, "AdjustmentReason": "Waste",
               "AdjustmentDate": DAY}  # fmt: skip
        assert sbx.write("POST", "/plantbatches/v2/adjust", [row]).status_code == 200
        assert [b["Id"] for b in sbx.get("/plantbatches/v2/inactive").json()["Data"]] == [batch_id]

    def test_move_answers_empty_and_needs_a_location_for_plant_batches(self, sbx: Any) -> None:
        batch_id = _planting(sbx)
        moved = sbx.write(
            "PUT",
            "/plantbatches/v2/location",
            [{"Name": "B1", "Location": "Vault", "MoveDate": DAY}],
        )
        assert (moved.status_code, moved.content) == (200, b"")
        assert _batch(sbx, batch_id)["LocationName"] == "Vault"
        drying = {"Name": "B1", "Location": "Dry Room", "MoveDate": DAY}
        [error] = sbx.write("PUT", "/plantbatches/v2/location", [drying]).json()
        assert error["message"] == "Location Dry Room cannot hold plant batches."

    def test_a_future_date_is_refused_at_the_facility(self, sbx: Any) -> None:
        _planting(sbx)
        row = {"Name": "B1", "Location": "Vault", "MoveDate": "2999-01-01"}
        [error] = sbx.write("PUT", "/plantbatches/v2/location", [row]).json()
        assert error["message"] == "MoveDate 2999-01-01 cannot be a future date."


def _flowering(sbx: Any, count: int) -> list[str]:
    _planting(sbx, count=count)
    start = sbx.plant_tags()[0]
    row = {"Name": "B1", "Count": count, "StartingTag": start, "GrowthPhase": "Flowering",
           "NewLocation": "Grow Room", "GrowthDate": DAY}  # fmt: skip
    response = sbx.write("POST", "/plantbatches/v2/growthphase", [row])
    assert response.status_code == 200, response.text
    return [sbx.get(f"/plants/v2/{i}").json()["Label"] for i in response.json()["Ids"]]


class TestPlants:
    def test_move_by_label_answers_empty(self, sbx: Any) -> None:
        [label] = _flowering(sbx, 1)
        row = {"Label": label, "Location": "Vault", "ActualDate": DAY}
        moved = sbx.write("PUT", "/plants/v2/location", [row])
        assert (moved.status_code, moved.content) == (200, b"")
        assert sbx.get(f"/plants/v2/{label}").json()["LocationName"] == "Vault"

    def test_destroy_takes_a_body_and_the_plant_leaves_the_growth_list(self, sbx: Any) -> None:
        labels = _flowering(sbx, 2)
        row = {"Label": labels[0], "WasteMethodName": "Compost", "WasteMaterialMixed": "Soil",
               "WasteWeight": 120, "WasteUnitOfMeasureName": "Grams",
               "WasteReasonName": "Male Plants", "ReasonNote": "males", "ActualDate": DAY}  # fmt: skip
        response = sbx.api.request(
            "DELETE", "/plants/v2/", params={"licenseNumber": sbx.A}, json=[row]
        )
        assert response.status_code == 200, response.text
        assert [p["Label"] for p in sbx.get("/plants/v2/flowering").json()["Data"]] == labels[1:]
        destroyed = sbx.get(f"/plants/v2/{labels[0]}").json()
        assert (destroyed["State"], destroyed["DestroyedDate"]) == ("Destroyed", DAY)
        again = sbx.api.request(
            "DELETE", "/plants/v2/", params={"licenseNumber": sbx.A}, json=[row]
        )
        assert again.json() == [{"row": 0, "message": f"Plant {labels[0]} has been destroyed."}]

    def test_destroy_checks_the_waste_method_and_reason(self, sbx: Any) -> None:
        [label] = _flowering(sbx, 1)
        row = {"Label": label, "WasteMethodName": "Fire", "WasteWeight": 1,
               "WasteUnitOfMeasureName": "Each", "WasteReasonName": "Boredom",
               "ActualDate": DAY}  # fmt: skip
        response = sbx.api.request(
            "DELETE", "/plants/v2/", params={"licenseNumber": sbx.A}, json=[row]
        )
        assert {e["message"] for e in response.json()} == {
            "WasteMethodName Fire is not valid. Valid values are: Grinder, Compost.",
            "WasteReasonName Boredom is not valid. Valid values are: "
            "Contamination, Male Plants, Pest Infestation.",
            "WasteUnitOfMeasureName Each is not a unit of weight.",
        }

    def test_manicure_is_a_partial_harvest_and_the_plant_stays(self, sbx: Any) -> None:
        [label] = _flowering(sbx, 1)
        row = {"Plant": label, "Weight": "12.5", "UnitOfWeight": "Grams",
               "DryingLocation": "Dry Room", "HarvestName": "Trim-1", "ActualDate": DAY}  # fmt: skip
        response = sbx.write("POST", "/plants/v2/manicure", [row])
        assert response.status_code == 200, response.text
        [harvest_id] = response.json()["Ids"]
        harvest = sbx.get(f"/harvests/v2/{harvest_id}").json()
        assert (harvest["Name"], harvest["CurrentWeight"], harvest["PlantCount"]) == (
            "Trim-1",
            12.5,
            1,
        )
        plant = sbx.get(f"/plants/v2/{label}").json()
        assert (plant["State"], plant["HarvestCount"]) == ("Tracked", 1)
        sbx.write("POST", "/plants/v2/manicure", [{**row, "Weight": "7.5"}]).raise_for_status()
        assert sbx.get(f"/harvests/v2/{harvest_id}").json()["CurrentWeight"] == 20

    def test_waste_lists(self, sbx: Any) -> None:
        reasons = sbx.get("/plants/v2/waste/reasons").json()["Data"]
        assert [r["Name"] for r in reasons] == ["Contamination", "Male Plants", "Pest Infestation"]
        assert sbx.get("/plantbatches/v2/waste/reasons").json()["TotalRecords"] == 3
        methods = sbx.get("/plants/v2/waste/methods/all", None).json()["Data"]
        assert [m["Name"] for m in methods] == ["Grinder", "Compost"]


class TestHarvestWeight:
    def test_packages_and_waste_never_take_a_harvest_below_zero(self, sbx: Any) -> None:
        [label] = _flowering(sbx, 1)
        cut = {"Plant": label, "Weight": 100, "UnitOfWeight": "Grams", "DryingLocation": "Dry Room",
               "HarvestName": "H", "ActualDate": DAY}  # fmt: skip
        sbx.write("PUT", "/plants/v2/harvest", [cut]).raise_for_status()
        [harvest] = sbx.get("/harvests/v2/active").json()["Data"]
        tags = sbx.package_tags()[:2]

        def package(tag: str, weight: str) -> dict[str, Any]:
            return {"Tag": tag, "Item": "Flower", "UnitOfWeight": "Grams", "ActualDate": DAY,
                    "Ingredients": [{"HarvestId": harvest["Id"], "Weight": weight,
                                     "UnitOfWeight": "Grams"}]}  # fmt: skip

        # Two rows that each fit but together do not: all-or-nothing, nothing applied.
        both = sbx.write(
            "POST", "/harvests/v2/packages", [package(tags[0], "60"), package(tags[1], "60")]
        )
        assert both.status_code == 400
        assert sbx.get(f"/harvests/v2/{harvest['Id']}").json()["CurrentWeight"] == 100
        exact = sbx.write(
            "POST", "/harvests/v2/packages", [package(tags[0], "60"), package(tags[1], "40")]
        )
        assert exact.status_code == 200, exact.text
        after = sbx.get(f"/harvests/v2/{harvest['Id']}").json()
        assert (after["CurrentWeight"], after["TotalPackagedWeight"], after["PackageCount"]) == (
            0,
            100,
            2,
        )
        waste = {"Id": harvest["Id"], "WasteType": "Fibrous", "UnitOfWeight": "Grams",
                 "WasteWeight": "0.1", "ActualDate": DAY}  # fmt: skip
        assert sbx.write("POST", "/harvests/v2/waste", [waste]).status_code == 400


WRITES = [
    ("POST", "/packages/v2/plantings"),
    ("POST", "/plantbatches/v2/split"),
    ("POST", "/plantbatches/v2/adjust"),
    ("PUT", "/plantbatches/v2/location"),
    ("PUT", "/plants/v2/location"),
    ("DELETE", "/plants/v2/"),
    ("POST", "/plants/v2/manicure"),
]


class TestFaultKnobs:
    @pytest.mark.parametrize(("method", "path"), WRITES)
    def test_a_status_fault_answers_before_anything_is_read(
        self, sbx: Any, method: str, path: str
    ) -> None:
        sbx.faults({"method": method, "path": path, "kind": "status", "status": 503})
        response = sbx.write(method, path, [{}])
        assert response.status_code == 503
        assert "Message" in response.json()

    @pytest.mark.parametrize(("method", "path"), WRITES)
    def test_a_rate_limit_fault_is_429_with_retry_after(
        self, sbx: Any, method: str, path: str
    ) -> None:
        sbx.faults({"method": method, "path": path, "kind": "rate_limit"})
        response = sbx.write(method, path, [{}])
        assert response.status_code == 429
        assert response.headers["Retry-After"]

    def test_a_lost_split_was_applied_and_its_replay_is_refused(self, sbx: Any) -> None:
        _planting(sbx)
        row = {"PlantBatch": "B1", "GroupName": "B1-b", "Count": 4, "Location": "Grow Room",
               "Strain": "Blue Dream", "ActualDate": DAY}  # fmt: skip
        sbx.faults({"method": "POST", "path": "/plantbatches/v2/split", "kind": "lost_response"})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            sbx.write("POST", "/plantbatches/v2/split", [row])
        names = {b["Name"] for b in sbx.get("/plantbatches/v2/active").json()["Data"]}
        assert names == {"B1", "B1-b"}
        replay = sbx.write("POST", "/plantbatches/v2/split", [row]).json()
        assert replay == [
            {
                "row": 0,
                "message": "A Plant Batch named B1-b already exists in the current Facility.",
            }
        ]

    def test_a_lost_adjust_applied_once(self, sbx: Any) -> None:
        batch_id = _planting(sbx)
        row = {"PlantBatchName": "B1", "Quantity": -1, "AdjustmentReason": "Drying",
               "AdjustmentDate": DAY}  # fmt: skip
        sbx.faults({"method": "POST", "path": "/plantbatches/v2/adjust", "kind": "lost_response"})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            sbx.write("POST", "/plantbatches/v2/adjust", [row])
        assert _batch(sbx, batch_id)["UntrackedCount"] == 9
        stats = sbx.state()["requests"]["POST /plantbatches/v2/adjust"]
        assert (stats["requests"], stats["applied"]) == (1, 1)

    def test_a_store_cannot_use_plant_writes(self, sbx: Any) -> None:
        row = {"Name": "B1", "Location": "Sales Floor", "MoveDate": DAY}
        response = sbx.write("PUT", "/plantbatches/v2/location", [row], license_number=sbx.B)
        assert response.status_code == 401


class TestPagingAndWindows:
    def test_plant_lists_page_and_every_change_moves_last_modified(self, sbx: Any) -> None:
        labels = _flowering(sbx, 5)
        page = sbx.get("/plants/v2/flowering", pageNumber=2, pageSize=2).json()
        assert (page["TotalRecords"], page["TotalPages"], page["RecordsOnPage"]) == (5, 3, 2)
        assert [p["Label"] for p in page["Data"]] == labels[2:4]
        before = {
            p["Label"]: p["LastModified"] for p in sbx.get("/plants/v2/flowering").json()["Data"]
        }
        row = {"Label": labels[4], "Location": "Vault", "ActualDate": DAY}
        sbx.write("PUT", "/plants/v2/location", [row]).raise_for_status()
        moved = sbx.get(f"/plants/v2/{labels[4]}").json()["LastModified"]
        assert moved > max(before.values())
        window = sbx.get("/plants/v2/flowering", lastModifiedStart=moved, lastModifiedEnd=moved)
        assert [p["Label"] for p in window.json()["Data"]] == [labels[4]]

    def test_a_split_batch_is_in_the_window_of_its_change(self, sbx: Any) -> None:
        _planting(sbx)
        stamp = sbx.get("/plantbatches/v2/active").json()["Data"][0]["LastModified"]
        row = {"PlantBatch": "B1", "GroupName": "B2", "Count": 1, "Location": "Grow Room",
               "Strain": "Blue Dream", "ActualDate": DAY}  # fmt: skip
        sbx.write("POST", "/plantbatches/v2/split", [row]).raise_for_status()
        batches = sbx.get("/plantbatches/v2/active").json()["Data"]
        latest = max(b["LastModified"] for b in batches)
        assert latest > stamp
        window = sbx.get(
            "/plantbatches/v2/active", lastModifiedStart=latest, lastModifiedEnd=latest
        )
        assert {b["Name"] for b in window.json()["Data"]} <= {"B1", "B2"}
        assert sbx.get("/plantbatches/v2/active", pageSize=1).json()["TotalPages"] == 2

    def test_the_new_facility_lists_are_paged_and_need_a_license(self, sbx: Any) -> None:
        envelope = {"Data", "Total", "TotalRecords", "PageSize", "RecordsOnPage", "Page",
                    "CurrentPage", "TotalPages"}  # fmt: skip
        for path in ("/plants/v2/waste/reasons", "/plantbatches/v2/waste/reasons",
                     "/transfers/v2/rejected"):  # fmt: skip
            assert set(sbx.get(path).json()) == envelope, path
            assert sbx.get(path, None).status_code == 400, path
            assert sbx.get(path, pageSize=21).status_code == 400, path
        methods = sbx.get("/plants/v2/waste/methods/all", None, pageSize=1).json()
        assert (methods["TotalPages"], methods["RecordsOnPage"]) == (2, 1)
