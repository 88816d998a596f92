"""Locations, items, strains, plant batches, plants and harvests."""

from __future__ import annotations

from typing import Any

DAY = "2024-06-01"


def test_locations_create_update_archive(sbx: Any) -> None:
    created = sbx.write("POST", "/locations/v2/", [{"Name": "Cage", "LocationTypeName": "Default"}])
    [location_id] = created.json()["Ids"]
    assert sbx.get(f"/locations/v2/{location_id}").json()["Name"] == "Cage"
    dup = sbx.write("POST", "/locations/v2/", [{"Name": "cage", "LocationTypeName": "Default"}])
    assert dup.status_code == 400
    bad_type = sbx.write("POST", "/locations/v2/", [{"Name": "X", "LocationTypeName": "Moon"}])
    assert bad_type.json() == [{"row": 0, "message": "Location Type Moon is not valid."}]
    renamed = sbx.write(
        "PUT",
        "/locations/v2/",
        [{"Id": location_id, "Name": "Big Cage", "LocationTypeName": "Packing"}],
    )
    assert (renamed.status_code, renamed.content) == (200, b"")
    assert sbx.get(f"/locations/v2/{location_id}").json()["LocationTypeName"] == "Packing"
    archived = sbx.api.delete(f"/locations/v2/{location_id}", params={"licenseNumber": sbx.A})
    assert (archived.status_code, archived.content) == (200, b"")
    assert location_id in [x["Id"] for x in sbx.get("/locations/v2/inactive").json()["Data"]]
    types = sbx.get("/locations/v2/types").json()["Data"]
    assert {t["Name"] for t in types} >= {"Default", "Planting"}


def test_location_with_packages_cannot_be_archived(sbx: Any) -> None:
    vault = next(x for x in sbx.get("/locations/v2/active").json()["Data"] if x["Name"] == "Vault")
    response = sbx.api.delete(f"/locations/v2/{vault['Id']}", params={"licenseNumber": sbx.A})
    assert response.status_code == 400


def test_items_and_strains(sbx: Any) -> None:
    strain = sbx.write(
        "POST",
        "/strains/v2/",
        [
            {
                "Name": "Sour Diesel",
                "TestingStatus": "None",
                "IndicaPercentage": 30,
                "SativaPercentage": 70,
            }
        ],
    )
    [strain_id] = strain.json()["Ids"]
    body = sbx.get(f"/strains/v2/{strain_id}").json()
    assert body["Genetics"] == "30% Indica / 70% Sativa"
    item = sbx.write(
        "POST",
        "/items/v2/",
        [
            {
                "ItemCategory": "Concentrate",
                "Name": "Wax",
                "UnitOfMeasure": "Grams",
                "Strain": "Sour Diesel",
            }
        ],
    )
    [item_id] = item.json()["Ids"]
    got = sbx.get(f"/items/v2/{item_id}").json()
    assert (got["ProductCategoryName"], got["QuantityType"], got["StrainName"]) == (
        "Concentrate",
        "WeightBased",
        "Sour Diesel",
    )
    errors = sbx.write(
        "POST",
        "/items/v2/",
        [
            {"ItemCategory": "Buds", "Name": "No Strain", "UnitOfMeasure": "Grams"},
            {
                "ItemCategory": "Buds",
                "Name": "Counted",
                "UnitOfMeasure": "Each",
                "Strain": "Sour Diesel",
            },
            {"ItemCategory": "Flowers", "Name": "Typo", "UnitOfMeasure": "Grams"},
        ],
    ).json()
    assert [e["row"] for e in errors] == [0, 1, 2]
    assert "Strain is required" in errors[0]["message"]
    assert "Unit of Measure Each is not valid" in errors[1]["message"]
    assert errors[2]["message"].startswith(
        "The Item Category Flowers is invalid. Valid values are: Buds"
    )
    categories = sbx.get("/items/v2/categories").json()["Data"]
    assert {"Buds", "Shake/Trim", "Concentrate", "Infused Edible", "Immature Plants"} <= {
        c["Name"] for c in categories
    }


def _plant(sbx: Any, name: str = "B1", count: int = 5) -> None:
    row = {
        "Name": name,
        "Type": "Clone",
        "Count": count,
        "Strain": "Blue Dream",
        "Location": "Grow Room",
        "ActualDate": DAY,
    }
    assert sbx.write("POST", "/plantbatches/v2/plantings", [row]).status_code == 200


def _grow(
    sbx: Any, count: int, phase: str = "Vegetative", name: str = "B1"
) -> tuple[list[int], list[str]]:
    start = sbx.plant_tags()[0]
    row = {
        "Name": name,
        "Count": count,
        "StartingTag": start,
        "GrowthPhase": phase,
        "NewLocation": "Grow Room",
        "GrowthDate": DAY,
    }
    response = sbx.write("POST", "/plantbatches/v2/growthphase", [row])
    assert response.status_code == 200, response.text
    ids: list[int] = response.json()["Ids"]
    return ids, [sbx.get(f"/plants/v2/{i}").json()["Label"] for i in ids]


def test_plantings_then_growth_phase_consumes_sequential_plant_tags(sbx: Any) -> None:
    _plant(sbx)
    batch = sbx.get("/plantbatches/v2/active").json()["Data"][0]
    assert (batch["Name"], batch["UntrackedCount"], batch["PlantBatchTypeName"]) == (
        "B1",
        5,
        "Clone",
    )
    tags = sbx.plant_tags()
    ids, labels = _grow(sbx, 3)
    assert labels == tags[:3]
    assert sbx.plant_tags()[0] == tags[3]
    veg = sbx.get("/plants/v2/vegetative").json()["Data"]
    assert [p["Id"] for p in veg] == ids
    assert veg[0]["PlantBatchName"] == "B1"
    assert veg[0]["GrowthPhase"] == "Vegetative"
    batch = sbx.get(f"/plantbatches/v2/{batch['Id']}").json()
    assert (batch["UntrackedCount"], batch["TrackedCount"]) == (2, 3)


def test_growth_phase_with_a_used_starting_tag_fails(sbx: Any) -> None:
    _plant(sbx)
    _, labels = _grow(sbx, 1)
    row = {
        "Name": "B1",
        "Count": 2,
        "StartingTag": labels[0],
        "GrowthPhase": "Vegetative",
        "NewLocation": "Grow Room",
        "GrowthDate": DAY,
    }
    errors = sbx.write("POST", "/plantbatches/v2/growthphase", [row]).json()
    assert errors == [{"row": 0, "message": f"Tag {labels[0]} has already been used."}]


def test_growth_phase_cannot_take_more_plants_than_the_batch_has(sbx: Any) -> None:
    _plant(sbx, count=2)
    row = {
        "Name": "B1",
        "Count": 3,
        "StartingTag": sbx.plant_tags()[0],
        "GrowthPhase": "Flowering",
        "NewLocation": "Grow Room",
        "GrowthDate": DAY,
    }
    assert (
        "has 2 untracked plants"
        in sbx.write("POST", "/plantbatches/v2/growthphase", [row]).json()[0]["message"]
    )


def test_destroy_plant_batch_uses_a_json_body_on_delete(sbx: Any) -> None:
    _plant(sbx, count=4)
    row = {
        "PlantBatch": "B1",
        "Count": 4,
        "WasteMethodName": "Compost",
        "WasteMaterialMixed": "Soil",
        "WasteReasonName": "Male Plants",
        "ReasonNote": "",
        "WasteWeight": 2,
        "WasteUnitOfMeasure": "Grams",
        "ActualDate": DAY,
    }
    response = sbx.write("DELETE", "/plantbatches/v2/", [row])
    assert response.status_code == 200
    [batch_id] = response.json()["Ids"]
    assert sbx.get("/plantbatches/v2/active").json()["Data"] == []
    assert sbx.get(f"/plantbatches/v2/{batch_id}").json()["DestroyedCount"] == 4


def test_a_store_cannot_grow_plants(sbx: Any) -> None:
    row = {
        "Name": "B9",
        "Type": "Seed",
        "Count": 1,
        "Strain": "Blue Dream",
        "Location": "Sales Floor",
        "ActualDate": DAY,
    }
    assert sbx.write("POST", "/plantbatches/v2/plantings", [row], sbx.B).status_code == 401


def test_grow_harvest_package_waste_finish(sbx: Any) -> None:
    _plant(sbx, count=2)
    ids, labels = _grow(sbx, 2)
    flower = [
        {"Id": ids[0], "GrowthPhase": "Flowering", "NewLocation": "Grow Room", "GrowthDate": DAY},
        {
            "Label": labels[1],
            "GrowthPhase": "Flowering",
            "NewLocation": "Grow Room",
            "GrowthDate": DAY,
        },
    ]
    response = sbx.write("PUT", "/plants/v2/growthphase", flower)
    assert (response.status_code, response.content) == (200, b"")
    assert len(sbx.get("/plants/v2/flowering").json()["Data"]) == 2
    harvest_rows = [
        {
            "Plant": label,
            "Weight": 500,
            "UnitOfWeight": "Grams",
            "DryingLocation": "Dry Room",
            "HarvestName": "H-1",
            "ActualDate": DAY,
        }
        for label in labels
    ]
    assert sbx.write("PUT", "/plants/v2/harvest", harvest_rows).status_code == 200
    assert sbx.get("/plants/v2/flowering").json()["Data"] == []
    assert {p["State"] for p in sbx.get("/plants/v2/inactive").json()["Data"]} == {"Harvested"}
    [harvest] = sbx.get("/harvests/v2/active").json()["Data"]
    assert (harvest["Name"], harvest["PlantCount"], harvest["CurrentWeight"]) == ("H-1", 2, 1000)

    tag = sbx.package_tags()[0]
    package_row = {
        "Tag": tag,
        "Location": "Vault",
        "Item": "Flower",
        "UnitOfWeight": "Grams",
        "ActualDate": DAY,
        "Ingredients": [
            {
                "HarvestId": harvest["Id"],
                "HarvestName": "H-1",
                "Weight": 1,
                "UnitOfWeight": "Pounds",
            }
        ],
    }
    made = sbx.write("POST", "/harvests/v2/packages", [package_row])
    assert made.status_code == 200
    package = sbx.package(tag)
    assert package["Quantity"] == 453.59237
    assert package["SourceHarvestNames"] == "H-1"
    too_much = {
        **package_row,
        "Tag": sbx.package_tags()[0],
        "Ingredients": [{"HarvestId": harvest["Id"], "Weight": 600, "UnitOfWeight": "Grams"}],
    }
    assert (
        "remaining" in sbx.write("POST", "/harvests/v2/packages", [too_much]).json()[0]["message"]
    )

    waste = [
        {
            "Id": harvest["Id"],
            "WasteType": "Plant Material",
            "UnitOfWeight": "Grams",
            "WasteWeight": 40,
            "ActualDate": DAY,
        }
    ]
    assert sbx.write("POST", "/harvests/v2/waste", waste).status_code == 200
    harvest = sbx.get(f"/harvests/v2/{harvest['Id']}").json()
    assert (harvest["CurrentWeight"], harvest["TotalWasteWeight"], harvest["PackageCount"]) == (
        506.40763,
        40,
        1,
    )
    assert sbx.get("/harvests/v2/waste", harvestId=harvest["Id"]).json()["TotalRecords"] == 1

    finished = sbx.write("PUT", "/harvests/v2/finish", [{"Id": harvest["Id"], "ActualDate": DAY}])
    assert finished.json() == {"Ids": [harvest["Id"]], "Warnings": None}
    assert [h["Id"] for h in sbx.get("/harvests/v2/inactive").json()["Data"]] == [harvest["Id"]]
    assert "finished" in sbx.write("POST", "/harvests/v2/waste", waste).json()[0]["message"]
    assert sbx.write("PUT", "/harvests/v2/unfinish", [{"Id": harvest["Id"]}]).status_code == 200
    assert [h["Id"] for h in sbx.get("/harvests/v2/active").json()["Data"]] == [harvest["Id"]]


def test_vegetative_plants_cannot_be_harvested(sbx: Any) -> None:
    _plant(sbx, count=1)
    _, labels = _grow(sbx, 1)
    row = {
        "Plant": labels[0],
        "Weight": 1,
        "UnitOfWeight": "Grams",
        "DryingLocation": "Dry Room",
        "ActualDate": DAY,
    }
    assert sbx.write("PUT", "/plants/v2/harvest", [row]).json() == [
        {"row": 0, "message": f"Plant {labels[0]} is not in the Flowering phase."}
    ]
