"""The fake and the sandbox tell one story field for field.

The contract suite checks each rule on each backend; this test catches what no rule names: a field
one backend fills and the other leaves empty. One scripted story (lookups, packages, cultivation,
a transfer) runs against ``FakeMetrc`` and against the sandbox through ``MetrcClient``; every
answer is compared whole, with only what must differ made comparable: Ids and tag labels (each
backend numbers its own) become ordinals, and instants become ``<time>``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from compliance.adapters.metrc import (
    FakeMetrc,
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestWaste,
    MetrcClient,
    MetrcControl,
    MetrcCredentials,
    MetrcPort,
    PackageAdjust,
    PackageCreate,
    PackageIngredient,
    PackageLocationChange,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
)
from compliance.adapters.metrc.testing import GROWER, STORE, SandboxProcess, contract_world
from pydantic import BaseModel, SecretStr

_TAG = re.compile(r"^[0-9A-Z]{24}$")
_INSTANT_KEYS = ("date_time", "last_modified")


class Normalised:
    """Makes one backend's answers comparable with the other's."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[int, int]] = {}
        self.labels: dict[str, str] = {}

    def __call__(self, value: Any, key: str = "") -> Any:
        if isinstance(value, BaseModel):
            # Declared fields only: Metrc's extra facility flags are not part of the contract.
            return {name: self(getattr(value, name), name) for name in type(value).model_fields}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        if isinstance(value, dict):
            return {k: self(v, k) for k, v in value.items()}
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (key in ("id", "ids") or key.endswith("_id"))
        ):
            # Numbered per field: Ids of different kinds may collide on one backend only.
            seen = self.ids.setdefault(key, {})
            return f"{key}#{seen.setdefault(value, len(seen))}"
        if isinstance(value, datetime) and any(k in key for k in _INSTANT_KEYS):
            return "<time>"
        if isinstance(value, str):
            parts = value.split(", ")
            if all(_TAG.match(part) for part in parts):
                return ", ".join(
                    self.labels.setdefault(part, f"tag#{len(self.labels)}") for part in parts
                )
        return value


async def story(metrc: MetrcPort, control: MetrcControl, day: date) -> list[tuple[str, Any]]:
    """What a compliance service does in a day, and everything Metrc answers along the way."""
    said: list[tuple[str, Any]] = []

    async def read(name: str, answer: Any) -> None:
        said.append((name, await answer))

    await read("facilities", metrc.list_facilities())
    await read("items", metrc.list_items(GROWER))
    await read("categories", metrc.list_item_categories(GROWER))
    await read("strains", metrc.list_strains(GROWER))
    await read("locations", metrc.list_locations(GROWER))
    await read("units", metrc.list_units_of_measure())
    await read("reasons", metrc.list_package_adjust_reasons(GROWER))
    await read("transfer types", metrc.list_transfer_types(GROWER))
    package_tags = [t.label for t in await metrc.list_available_tags(GROWER)]
    plant_tags = [t.label for t in await metrc.list_available_tags(GROWER, "plant")]
    await read("store tags", metrc.list_available_tags(STORE))
    flower = next(
        p for p in await metrc.list_packages(GROWER) if p.item_name == "Blue Dream Flower"
    )

    # packages
    await read(
        "create",
        metrc.create_packages(
            GROWER,
            [
                PackageCreate(
                    tag=package_tags[0],
                    item="Blue Dream Flower",
                    quantity=Decimal("12.5"),
                    unit_of_measure="Grams",
                    actual_date=day,
                    location="Vault",
                    note="opening",
                    expiration_date=day + timedelta(days=365),
                ),
                PackageCreate(
                    tag=package_tags[1],
                    item="Blue Dream Flower",
                    quantity=Decimal("1"),
                    unit_of_measure="Ounces",
                    actual_date=day,
                    is_production_batch=True,
                    production_batch_number="PB-1",
                    ingredients=[
                        PackageIngredient(
                            package=flower.label, quantity=Decimal("1"), unit_of_measure="Ounces"
                        )
                    ],
                ),
            ],
        ),
    )
    await read(
        "adjust",
        metrc.adjust_packages(
            GROWER,
            [
                PackageAdjust(
                    label=package_tags[0],
                    quantity=Decimal("-2.5"),
                    unit_of_measure="Grams",
                    adjustment_reason="Theft",
                    adjustment_date=day,
                    reason_note="canopy:1",
                )
            ],
        ),
    )
    await read(
        "move",
        metrc.change_package_locations(
            GROWER,
            [PackageLocationChange(label=package_tags[0], location="Back Room", move_date=day)],
        ),
    )
    await read("adjustments", metrc.list_package_adjustments(GROWER))

    # cultivation
    await read(
        "planting",
        metrc.create_plant_batch_plantings(
            GROWER,
            [
                PlantBatchPlanting(
                    name="BD-1",
                    type="Seed",
                    count=4,
                    strain="Blue Dream",
                    location="Grow Room",
                    actual_date=day,
                )
            ],
        ),
    )
    await read(
        "to plants",
        metrc.change_plant_batch_growth_phase(
            GROWER,
            [
                PlantBatchGrowthPhaseChange(
                    name="BD-1",
                    count=2,
                    starting_tag=plant_tags[0],
                    growth_phase="Vegetative",
                    new_location="Grow Room",
                    growth_date=day,
                )
            ],
        ),
    )
    await read(
        "flowering",
        metrc.change_plant_growth_phases(
            GROWER,
            [
                PlantGrowthPhaseChange(
                    label=plant_tags[0],
                    growth_phase="Flowering",
                    new_location="Grow Room",
                    growth_date=day,
                )
            ],
        ),
    )
    await read(
        "harvest",
        metrc.harvest_plants(
            GROWER,
            [
                PlantHarvest(
                    plant=plant_tags[0],
                    weight=Decimal("250"),
                    unit_of_weight="Grams",
                    drying_location="Dry Room",
                    actual_date=day,
                )
            ],
        ),
    )
    [harvest] = await metrc.list_harvests(GROWER)
    await read(
        "waste",
        metrc.record_harvest_waste(
            GROWER,
            [
                HarvestWaste(
                    id=harvest.id,
                    waste_type="Fibrous",
                    unit_of_weight="Grams",
                    waste_weight=Decimal("10"),
                    actual_date=day,
                )
            ],
        ),
    )
    await read(
        "harvest package",
        metrc.create_harvest_packages(
            GROWER,
            [
                HarvestPackageCreate(
                    tag=package_tags[2],
                    item="Blue Dream Flower",
                    unit_of_weight="Grams",
                    actual_date=day,
                    location="Packing Room",
                    ingredients=[
                        HarvestPackageIngredient(
                            harvest_id=harvest.id, weight=Decimal("200"), unit_of_weight="Grams"
                        )
                    ],
                )
            ],
        ),
    )
    await read("batches", metrc.list_plant_batches(GROWER))
    await read("vegetative", metrc.list_plants(GROWER, "vegetative"))
    await read("harvested", metrc.list_plants(GROWER, "inactive"))
    await read("harvests", metrc.list_harvests(GROWER))

    # a transfer to the store, accepted
    departure = datetime(2030, 1, 2, 15, tzinfo=UTC)
    template = TransferTemplateCreate(
        name="To the store",
        transporter_facility_license_number=GROWER,
        driver_name="Sam",
        vehicle_make="Ford",
        vehicle_model="Transit",
        vehicle_license_plate_number="CANOPY1",
        destinations=[
            TransferDestination(
                recipient_license_number=STORE,
                transfer_type_name="wholesale",
                planned_route="I-25 north",
                estimated_departure_date_time=departure,
                estimated_arrival_date_time=departure + timedelta(hours=2),
                invoice_number="INV-1",
                packages=[
                    TransferTemplatePackage(
                        package_label=package_tags[1],
                        wholesale_price=Decimal("100.00"),
                        gross_weight=Decimal("30"),
                        gross_unit_of_weight_name="Grams",
                    )
                ],
            )
        ],
    )
    [template_id] = (await metrc.create_outgoing_transfer_templates(GROWER, [template])).ids
    await read("templates", metrc.list_outgoing_transfer_templates(GROWER))
    [destination] = await metrc.list_transfer_template_deliveries(template_id)
    said.append(("template deliveries", [destination]))
    await read("template packages", metrc.list_transfer_template_delivery_packages(destination.id))
    sent = await control.send_transfer_template(template_id)
    await read("in transit", metrc.list_packages(GROWER, "intransit"))
    await control.receive_delivery(sent.delivery_ids[0], accept=True)
    await read("outgoing", metrc.list_transfers(GROWER, "outgoing"))
    await read("incoming", metrc.list_transfers(STORE, "incoming"))
    await read("deliveries", metrc.list_transfer_deliveries(sent.transfer_id))
    await read("delivered", metrc.list_transfer_delivery_packages(sent.delivery_ids[0]))
    await read("store packages", metrc.list_packages(STORE))

    # every package where it ended, and the rest of the grower's lists
    await read("active", metrc.list_packages(GROWER))
    await read("inactive", metrc.list_packages(GROWER, "inactive"))
    await read("items after", metrc.list_items(GROWER))
    await read("strains after", metrc.list_strains(GROWER))
    return said


@pytest.fixture
async def sandbox_client(sandbox: SandboxProcess) -> AsyncIterator[MetrcClient]:
    world = contract_world()
    await sandbox.load(world)
    async with MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(world.vendor_key), user_key=SecretStr(world.user_key)
        ),
        timeout=httpx.Timeout(5.0, connect=2.0),
    ) as client:
        yield client


async def test_the_fake_and_the_sandbox_answer_one_story_alike(
    sandbox: SandboxProcess, sandbox_client: MetrcClient
) -> None:
    world = contract_world()
    day = world.today(GROWER)
    fake = FakeMetrc.from_world(world)

    told_by_fake = await story(fake, fake, day)
    told_by_sandbox = await story(sandbox_client, sandbox, day)

    fake_view, sandbox_view = Normalised(), Normalised()
    differ = [
        f"{step}{where}: fake {mine!r}, sandbox {theirs!r}"
        for (step, fake_answer), (_, sandbox_answer) in zip(
            told_by_fake, told_by_sandbox, strict=True
        )
        for where, mine, theirs in differences(fake_view(fake_answer), sandbox_view(sandbox_answer))
    ]
    assert not differ, "\n".join(differ)


def differences(mine: Any, theirs: Any, where: str = "") -> list[tuple[str, Any, Any]]:
    """Every leaf where two normalised answers differ, with its path."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return [
            found
            for key in sorted(mine.keys() | theirs.keys())
            for found in differences(mine.get(key), theirs.get(key), f"{where}.{key}")
        ]
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return [
            found
            for index, (a, b) in enumerate(zip(mine, theirs, strict=True))
            for found in differences(a, b, f"{where}[{index}]")
        ]
    return [] if mine == theirs else [(where, mine, theirs)]
