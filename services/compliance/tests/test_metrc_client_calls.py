"""Every client call sends the method, path, query and body Metrc documents."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestUnfinish,
    HarvestWaste,
    MetrcClient,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageLocationChange,
    PackageUnfinish,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
    TransferTemplateUpdate,
    TransferTransporter,
    metrc_base_url,
)

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
TAG = "1A4FF0100000022000000001"
D = date(2026, 2, 8)

# A record that satisfies every response model (extra fields are ignored).
ANY_RECORD = {
    "Id": 7,
    "Name": "Thing",
    "Label": TAG,
    "Quantity": 5,
    "UnitOfMeasureName": "Grams",
    "License": {"Number": LICENSE},
    "PackageId": 7,
    "PackageLabel": TAG,
    "AdjustmentQuantity": -1,
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET":
            if request.url.path in ("/packages/v2/" + TAG, "/packages/v2/7", "/plants/v2/" + TAG):
                return httpx.Response(200, json=ANY_RECORD)
            return httpx.Response(
                200, json={"Data": [ANY_RECORD], "TotalRecords": 1, "TotalPages": 1}
            )
        if (
            request.url.path.endswith(("/location", "/finish", "/unfinish"))
            and "packages" in request.url.path
        ):
            return httpx.Response(200)
        return httpx.Response(200, json={"Ids": [1], "Warnings": None})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


Call = Callable[[MetrcClient], Awaitable[Any]]

READS: list[tuple[Call, str, dict[str, str]]] = [
    (lambda c: c.list_facilities(), "/facilities/v2/", {}),
    (lambda c: c.list_locations(LICENSE), "/locations/v2/active", {"licenseNumber": LICENSE}),
    (lambda c: c.list_items(LICENSE), "/items/v2/active", {"licenseNumber": LICENSE}),
    (lambda c: c.list_item_categories(LICENSE), "/items/v2/categories", {"licenseNumber": LICENSE}),
    (lambda c: c.list_strains(LICENSE), "/strains/v2/active", {"licenseNumber": LICENSE}),
    (lambda c: c.list_units_of_measure(), "/unitsofmeasure/v2/active", {}),
    (
        lambda c: c.list_available_tags(LICENSE),
        "/tags/v2/package/available",
        {"licenseNumber": LICENSE},
    ),
    (
        lambda c: c.list_available_tags(LICENSE, "plant"),
        "/tags/v2/plant/available",
        {"licenseNumber": LICENSE},
    ),
    (lambda c: c.list_packages(LICENSE), "/packages/v2/active", {"pageSize": "20"}),
    (lambda c: c.list_packages(LICENSE, "inactive"), "/packages/v2/inactive", {}),
    (lambda c: c.list_packages(LICENSE, "onhold"), "/packages/v2/onhold", {}),
    (lambda c: c.list_packages(LICENSE, "intransit"), "/packages/v2/intransit", {}),
    (lambda c: c.get_package(LICENSE, 7), "/packages/v2/7", {"licenseNumber": LICENSE}),
    (lambda c: c.get_package(LICENSE, TAG), f"/packages/v2/{TAG}", {"licenseNumber": LICENSE}),
    (lambda c: c.list_package_adjust_reasons(LICENSE), "/packages/v2/adjust/reasons", {}),
    (lambda c: c.list_package_adjustments(LICENSE), "/packages/v2/adjustments", {}),
    (lambda c: c.list_plant_batches(LICENSE), "/plantbatches/v2/active", {}),
    (lambda c: c.list_plant_batches(LICENSE, "inactive"), "/plantbatches/v2/inactive", {}),
    (lambda c: c.list_plants(LICENSE), "/plants/v2/vegetative", {}),
    (lambda c: c.list_plants(LICENSE, "flowering"), "/plants/v2/flowering", {}),
    (lambda c: c.list_plants(LICENSE, "inactive"), "/plants/v2/inactive", {}),
    (lambda c: c.get_plant(LICENSE, TAG), f"/plants/v2/{TAG}", {"licenseNumber": LICENSE}),
    (lambda c: c.list_harvests(LICENSE), "/harvests/v2/active", {}),
    (lambda c: c.list_harvests(LICENSE, "inactive"), "/harvests/v2/inactive", {}),
    (lambda c: c.list_transfer_types(LICENSE), "/transfers/v2/types", {}),
    (lambda c: c.list_transfers(LICENSE, "incoming"), "/transfers/v2/incoming", {}),
    (lambda c: c.list_transfers(LICENSE, "outgoing"), "/transfers/v2/outgoing", {}),
    (lambda c: c.list_transfer_deliveries(12), "/transfers/v2/12/deliveries", {}),
    (lambda c: c.list_transfer_delivery_packages(34), "/transfers/v2/deliveries/34/packages", {}),
    (lambda c: c.list_outgoing_transfer_templates(LICENSE), "/transfers/v2/templates/outgoing", {}),
    (
        lambda c: c.list_transfer_template_deliveries(5),
        "/transfers/v2/templates/outgoing/5/deliveries",
        {},
    ),
    (
        lambda c: c.list_transfer_template_delivery_packages(6),
        "/transfers/v2/templates/outgoing/deliveries/6/packages",
        {},
    ),
]


@pytest.mark.parametrize(("call", "path", "params"), READS)
async def test_reads_hit_the_documented_paths(
    make_client: ClientFactory, call: Call, path: str, params: dict[str, str]
) -> None:
    recorder = Recorder()
    client = make_client(recorder)

    result = await call(client)

    assert recorder.last.method == "GET"
    assert recorder.last.url.path == path
    for key, value in params.items():
        assert recorder.last.url.params[key] == value
    scoped = path.startswith(
        (
            "/facilities",
            "/unitsofmeasure",
            "/transfers/v2/1",
            "/transfers/v2/d",
            "/transfers/v2/templates/outgoing/",
        )
    )
    assert ("licenseNumber" in recorder.last.url.params) is not scoped
    assert result is not None


def _template() -> TransferTemplateCreate:
    return TransferTemplateCreate(
        name="To the lab",
        destinations=[
            TransferDestination(
                recipient_license_number="SF-SBX-CO-22-8002",
                transfer_type_name="Transfer",
                planned_route="I-25 north",
                estimated_departure_date_time=datetime(2026, 2, 9, 15, tzinfo=UTC),
                estimated_arrival_date_time=datetime(2026, 2, 9, 17, tzinfo=UTC),
                transporters=[TransferTransporter(transporter_facility_license_number=LICENSE)],
                packages=[
                    TransferTemplatePackage(package_label=TAG, wholesale_price=Decimal("12.50"))
                ],
            )
        ],
    )


WRITES: list[tuple[Call, str, str, dict[str, Any]]] = [
    (
        lambda c: c.create_packages(
            LICENSE,
            [
                PackageCreate(
                    tag=TAG,
                    item="Buds",
                    quantity=Decimal("10"),
                    unit_of_measure="Grams",
                    actual_date=D,
                )
            ],
        ),
        "POST",
        "/packages/v2/",
        {"Tag": TAG, "Quantity": 10, "ActualDate": "2026-02-08"},
    ),
    (
        lambda c: c.adjust_packages(
            LICENSE,
            [
                PackageAdjust(
                    label=TAG,
                    quantity=Decimal("-2.5"),
                    unit_of_measure="Grams",
                    adjustment_reason="Drying",
                    adjustment_date=D,
                    reason_note="canopy:1",
                )
            ],
        ),
        "POST",
        "/packages/v2/adjust",
        {"Label": TAG, "Quantity": Decimal("-2.5"), "ReasonNote": "canopy:1"},
    ),
    (
        lambda c: c.change_package_locations(
            LICENSE, [PackageLocationChange(label=TAG, location="Vault", move_date=D)]
        ),
        "PUT",
        "/packages/v2/location",
        {"Label": TAG, "Location": "Vault", "MoveDate": "2026-02-08"},
    ),
    (
        lambda c: c.finish_packages(LICENSE, [PackageFinish(label=TAG, actual_date=D)]),
        "PUT",
        "/packages/v2/finish",
        {"Label": TAG, "ActualDate": "2026-02-08"},
    ),
    (
        lambda c: c.unfinish_packages(LICENSE, [PackageUnfinish(label=TAG)]),
        "PUT",
        "/packages/v2/unfinish",
        {"Label": TAG},
    ),
    (
        lambda c: c.create_plant_batch_plantings(
            LICENSE,
            [
                PlantBatchPlanting(
                    name="B1",
                    type="Clone",
                    count=10,
                    strain="Blue Dream",
                    location="Veg",
                    actual_date=D,
                )
            ],
        ),
        "POST",
        "/plantbatches/v2/plantings",
        {"Name": "B1", "Type": "Clone", "Count": 10},
    ),
    (
        lambda c: c.change_plant_batch_growth_phase(
            LICENSE,
            [
                PlantBatchGrowthPhaseChange(
                    name="B1",
                    count=2,
                    starting_tag=TAG,
                    growth_phase="Vegetative",
                    new_location="Veg",
                    growth_date=D,
                )
            ],
        ),
        "POST",
        "/plantbatches/v2/growthphase",
        {"StartingTag": TAG, "GrowthPhase": "Vegetative"},
    ),
    (
        lambda c: c.destroy_plant_batches(
            LICENSE,
            [
                PlantBatchDestroy(
                    plant_batch="B1", count=1, waste_weight=Decimal("0.5"), actual_date=D
                )
            ],
        ),
        "DELETE",
        "/plantbatches/v2/",
        {"PlantBatch": "B1", "Count": 1, "WasteWeight": Decimal("0.5")},
    ),
    (
        lambda c: c.change_plant_growth_phases(
            LICENSE,
            [
                PlantGrowthPhaseChange(
                    label=TAG, growth_phase="Flowering", new_location="Flower", growth_date=D
                )
            ],
        ),
        "PUT",
        "/plants/v2/growthphase",
        {"Label": TAG, "GrowthPhase": "Flowering"},
    ),
    (
        lambda c: c.harvest_plants(
            LICENSE,
            [
                PlantHarvest(
                    plant=TAG,
                    weight=Decimal("512.3"),
                    unit_of_weight="Grams",
                    drying_location="Dry",
                    actual_date=D,
                )
            ],
        ),
        "PUT",
        "/plants/v2/harvest",
        {"Plant": TAG, "Weight": Decimal("512.3")},
    ),
    (
        lambda c: c.create_harvest_packages(
            LICENSE,
            [
                HarvestPackageCreate(
                    tag=TAG,
                    item="Buds",
                    unit_of_weight="Grams",
                    actual_date=D,
                    ingredients=[
                        HarvestPackageIngredient(
                            harvest_id=3, weight=Decimal("100"), unit_of_weight="Grams"
                        )
                    ],
                )
            ],
        ),
        "POST",
        "/harvests/v2/packages",
        {"Tag": TAG, "Ingredients": [{"HarvestId": 3, "Weight": 100, "UnitOfWeight": "Grams"}]},
    ),
    (
        lambda c: c.record_harvest_waste(
            LICENSE,
            [
                HarvestWaste(
                    id=3,
                    waste_type="Plant Material",
                    unit_of_weight="Grams",
                    waste_weight=Decimal("4"),
                    actual_date=D,
                )
            ],
        ),
        "POST",
        "/harvests/v2/waste",
        {"Id": 3, "WasteType": "Plant Material"},
    ),
    (
        lambda c: c.finish_harvests(LICENSE, [HarvestFinish(id=3, actual_date=D)]),
        "PUT",
        "/harvests/v2/finish",
        {"Id": 3},
    ),
    (
        lambda c: c.unfinish_harvests(LICENSE, [HarvestUnfinish(id=3)]),
        "PUT",
        "/harvests/v2/unfinish",
        {"Id": 3},
    ),
    (
        lambda c: c.create_outgoing_transfer_templates(LICENSE, [_template()]),
        "POST",
        "/transfers/v2/templates/outgoing",
        {"Name": "To the lab"},
    ),
    (
        lambda c: c.update_outgoing_transfer_templates(
            LICENSE, [TransferTemplateUpdate(**_template().model_dump(), transfer_template_id=9)]
        ),
        "PUT",
        "/transfers/v2/templates/outgoing",
        {"TransferTemplateId": 9},
    ),
]


@pytest.mark.parametrize(("call", "method", "path", "fields"), WRITES)
async def test_writes_send_a_json_array_in_metrc_field_names(
    make_client: ClientFactory, call: Call, method: str, path: str, fields: dict[str, Any]
) -> None:
    recorder = Recorder()
    client = make_client(recorder)

    await call(client)

    request = recorder.last
    assert (request.method, request.url.path) == (method, path)
    assert request.url.params["licenseNumber"] == LICENSE
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content, parse_float=Decimal)
    assert isinstance(body, list)
    assert len(body) == 1
    for key, value in fields.items():
        assert body[0][key] == value


async def test_a_transfer_template_body_nests_destinations_transporters_and_packages(
    make_client: ClientFactory,
) -> None:
    recorder = Recorder()
    client = make_client(recorder)

    await client.create_outgoing_transfer_templates(LICENSE, [_template()])

    body = json.loads(recorder.last.content, parse_float=Decimal)
    destination = body[0]["Destinations"][0]
    assert destination["EstimatedDepartureDateTime"] == "2026-02-09T15:00:00Z"
    assert destination["Packages"] == [{"PackageLabel": TAG, "WholesalePrice": Decimal("12.50")}]
    assert destination["Transporters"][0]["TransporterFacilityLicenseNumber"] == LICENSE
    assert destination["Transporters"][0]["IsLayover"] is False


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.discontinue_package(LICENSE, 77), "/packages/v2/77"),
        (
            lambda c: c.delete_outgoing_transfer_template(LICENSE, 9),
            "/transfers/v2/templates/outgoing/9",
        ),
    ],
)
async def test_deletes_by_id_have_no_body(
    make_client: ClientFactory, call: Call, path: str
) -> None:
    recorder = Recorder()
    client = make_client(recorder)

    await call(client)

    assert recorder.last.method == "DELETE"
    assert recorder.last.url.path == path
    assert recorder.last.content == b""


async def test_writes_return_metrc_ids_in_order(make_client: ClientFactory) -> None:
    client = make_client(lambda r: httpx.Response(200, json={"Ids": [5, 6], "Warnings": "careful"}))
    result = await client.create_packages(
        LICENSE,
        [
            PackageCreate(
                tag=TAG, item="Buds", quantity=Decimal(1), unit_of_measure="Grams", actual_date=D
            ),
            PackageCreate(
                tag=TAG[:-1] + "2",
                item="Buds",
                quantity=Decimal(1),
                unit_of_measure="Grams",
                actual_date=D,
            ),
        ],
    )
    assert result.ids == [5, 6]
    assert result.warnings == "careful"


async def test_labels_with_unsafe_characters_are_escaped_in_paths(
    make_client: ClientFactory,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    client = make_client(handler)
    await client.find_package(LICENSE, "A/B C")
    assert seen[0].url.raw_path.startswith(b"/packages/v2/A%2FB%20C?")


def test_base_urls_follow_the_state_pattern() -> None:
    assert metrc_base_url("CO") == "https://api-co.metrc.com"
    assert metrc_base_url("ny", sandbox=True) == "https://sandbox-api-ny.metrc.com"
    with pytest.raises(ValueError, match="two-letter"):
        metrc_base_url("colorado")


# --- read-back helpers --------------------------------------------------------------------------


async def test_find_package_returns_none_when_metrc_has_no_such_tag(
    make_client: ClientFactory,
) -> None:
    client = make_client(lambda r: httpx.Response(404, json={"Message": "Package not found"}))
    assert await client.find_package(LICENSE, TAG) is None


async def test_find_package_returns_the_package_when_the_tag_was_used(
    make_client: ClientFactory,
) -> None:
    client = make_client(Recorder())
    found = await client.find_package(LICENSE, TAG)
    assert found is not None
    assert found.label == TAG


async def test_recent_packages_reads_a_short_window_in_every_status(
    make_client: ClientFactory,
) -> None:
    recorder = Recorder()
    now = datetime(2026, 2, 8, 12, tzinfo=UTC)
    client = make_client(recorder, now=lambda: now)

    found = await client.recent_packages(LICENSE, within=timedelta(minutes=10))

    assert [p.id for p in found] == [7]
    assert [r.url.path for r in recorder.requests] == [
        "/packages/v2/active",
        "/packages/v2/onhold",
        "/packages/v2/intransit",
        "/packages/v2/inactive",
    ]
    params = recorder.requests[0].url.params
    assert params["lastModifiedStart"] == "2026-02-08T11:48:00Z"
    assert params["lastModifiedEnd"] == "2026-02-08T12:02:00Z"


async def test_adjustments_since_filters_by_label_and_day(make_client: ClientFactory) -> None:
    rows = [
        {
            "PackageLabel": TAG,
            "AdjustmentQuantity": -1,
            "AdjustmentDate": "2026-02-08T00:00:00+00:00",
            "AdjustmentNote": "canopy:1",
        },
        {
            "PackageLabel": TAG,
            "AdjustmentQuantity": -2,
            "AdjustmentDate": "2026-02-07T00:00:00+00:00",
        },
        {
            "PackageLabel": "OTHER",
            "AdjustmentQuantity": -3,
            "AdjustmentDate": "2026-02-08T00:00:00+00:00",
        },
    ]
    client = make_client(
        lambda r: httpx.Response(200, json={"Data": rows, "TotalPages": 1, "TotalRecords": 3})
    )

    # 13:00 UTC on the 8th is the 8th everywhere (01:00 at UTC-12): the 7th is not looked at.
    found = await client.package_adjustments_since(
        LICENSE, TAG, datetime(2026, 2, 8, 13, tzinfo=UTC)
    )
    assert [a.adjustment_note for a in found] == ["canopy:1"]
    assert found[0].adjustment_quantity == Decimal(-1)

    # 02:00 UTC on the 8th is still the evening of the 7th in Colorado, where an adjustment sent
    # then carries the 7th as its AdjustmentDate: the read-back must see it.
    evening = await client.package_adjustments_since(
        LICENSE, TAG, datetime(2026, 2, 8, 2, tzinfo=UTC)
    )
    assert [a.adjustment_quantity for a in evening] == [Decimal(-1), Decimal(-2)]


async def test_identical_adjustment_lines_on_different_pages_are_not_merged(
    make_client: ClientFactory,
) -> None:
    row = {"PackageId": 7, "PackageLabel": TAG, "AdjustmentQuantity": -1, "AdjustmentNote": "a"}
    other = {**row, "AdjustmentNote": "b"}

    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["pageNumber"])
        return httpx.Response(
            200, json={"Data": [row if number == 1 else other], "TotalPages": 2, "TotalRecords": 2}
        )

    client = make_client(handler)
    found = await client.list_package_adjustments(LICENSE)
    assert sorted(a.adjustment_note or "" for a in found) == ["a", "b"]


async def test_find_plant_batch_matches_names_case_insensitively_active_then_inactive(
    make_client: ClientFactory,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        name = (
            "Other"
            if request.url.path.endswith("active") and "inactive" not in request.url.path
            else "b-17"
        )
        return httpx.Response(
            200, json={"Data": [{"Id": 1, "Name": name}], "TotalPages": 1, "TotalRecords": 1}
        )

    client = make_client(handler)

    batch = await client.find_plant_batch(LICENSE, "B-17")
    assert batch is not None
    assert batch.name == "b-17"
    assert await client.find_plant_batch(LICENSE, "nope") is None
