"""The example payloads of the cultivation events (the JSON Schemas' ``examples``): one plant
batch and one harvest, as each event shows them after its change."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from shared.events.models import with_example

SITE: dict[str, Any] = {
    "id": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
    "name": "Eugene farm",
    "license_number": "OR-123456",
    "state": "OR",
}
LOCATION: dict[str, Any] = {
    "id": "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    "site_id": SITE["id"],
    "zone": "Clone room",
    "rack": None,
    "shelf": None,
    "bin": None,
    "label": "Clone room",
}
AT = "2026-03-02T17:30:00Z"
DAY = "2026-03-02"
ACTOR = "user-17"
PLANT_BATCH_ID = "3c1f0b8e-2d4a-4e6b-9f7c-8a9b0c1d2e3f"


def plant_batch(version: int, count: int, **changes: Any) -> dict[str, Any]:
    return {
        "plant_batch_id": PLANT_BATCH_ID,
        "name": "BD-2026-03-A",
        "type": "Clone",
        "strain": "Blue Dream",
        "site": SITE,
        "location": LOCATION,
        "planted_date": DAY,
        "count": count,
        "tracked_count": 0,
        "destroyed_count": 0,
        "source": "CLONES",
        "parent_plant_batch_id": None,
        "version": version,
        "created_at": AT,
        "updated_at": AT,
        **changes,
    }


def plant_row(version: int, kind: str, change: int, before: int, **extra: Any) -> dict[str, Any]:
    return {
        "version": version,
        "sequence": 0,
        "type": kind,
        "change": change,
        "before": before,
        "after": before + change,
        "location": LOCATION,
        "actual_date": DAY,
        "actor": ACTOR,
        "occurred_at": AT,
        **extra,
    }


HARVEST_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def harvest(version: int, **changes: Any) -> dict[str, Any]:
    return {
        "harvest_id": HARVEST_ID,
        "name": "BD-H-2026-05-10",
        "site": SITE,
        "drying_location": {**LOCATION, "zone": "Dry room", "label": "Dry room"},
        "unit_of_weight": "Grams",
        "harvest_date": "2026-05-10",
        "wet_weight": "1000.0000",
        "waste_weight": "50.0000",
        "packaged_weight": "0.0000",
        "current_weight": "950.0000",
        "plant_count": 1,
        "strains": ["Blue Dream"],
        "status": "ACTIVE",
        "finished_date": None,
        "version": version,
        "created_at": AT,
        "updated_at": AT,
        **changes,
    }


def weight_row(
    version: int, kind: str, change: str, before: str, after: str, **extra: Any
) -> dict[str, Any]:
    return {
        "version": version,
        "sequence": 0,
        "type": kind,
        "change": change,
        "before": before,
        "after": after,
        "actual_date": "2026-05-10",
        "actor": ACTOR,
        "occurred_at": AT,
        **extra,
    }


def plant_batch_example(
    batch: dict[str, Any], rows: list[dict[str, Any]], **fields: Any
) -> ConfigDict:
    return _example("plant_batch", batch, rows, fields)


def harvest_example(
    record: dict[str, Any], rows: list[dict[str, Any]], **fields: Any
) -> ConfigDict:
    return _example("harvest", record, rows, fields)


def _example(
    subject: str, record: dict[str, Any], rows: list[dict[str, Any]], fields: dict[str, Any]
) -> ConfigDict:
    """An event's example: its record after the change, the ledger rows it wrote, the actor
    and time, and the event's own fields."""
    return with_example(
        {subject: record, "movements": rows, "actor": ACTOR, "occurred_at": AT, **fields}
    )


PLANT = {
    "plant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    "tag": "1A4FF0100000022000000101",
    "plant_batch_id": PLANT_BATCH_ID,
    "plant_batch_name": "BD-2026-03-A",
    "strain": "Blue Dream",
    "weight": "1000.0000",
}
