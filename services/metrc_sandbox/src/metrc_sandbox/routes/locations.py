"""Locations and location types."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, views
from metrc_sandbox.context import FacilityDep
from metrc_sandbox.model import Location
from metrc_sandbox.routes.common import empty, listing, parse_id, record_stamp, respond, written
from metrc_sandbox.rows import RowReader, apply_rows, write
from metrc_sandbox.store import Tx

router = APIRouter()


def _mine(ctx: FacilityDep, active: bool) -> list[Location]:
    return [
        loc
        for loc in ctx.state.locations
        if loc.facility_id == ctx.facility.id and loc.active is active
    ]


@router.get("/locations/v2/active")
async def active(ctx: FacilityDep) -> Response:
    return listing(ctx, _mine(ctx, True), views.location_view, last_modified=record_stamp)


@router.get("/locations/v2/inactive")
async def inactive(ctx: FacilityDep) -> Response:
    return listing(ctx, _mine(ctx, False), views.location_view)


@router.get("/locations/v2/types")
async def types(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.LOCATION_TYPES, views.location_type_view)


@router.get("/locations/v2/{location_id}")
async def one(location_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(location_id, "location")
    found = ctx.own(ctx.state.locations.get(key), "location", f"Id {key}")
    return respond(views.location_view(found))


def _name_and_type(reader: RowReader, exclude: Location | None) -> tuple[str, str] | None:
    name = reader.text("Name")
    type_name = reader.text("LocationTypeName")
    location_type = None
    if type_name is not None:
        location_type = catalog.location_type_named(type_name)
        if location_type is None:
            reader.fail(f"Location Type {type_name} is not valid.")
    if name is not None:
        clash = reader.ctx.state.location_named(reader.ctx.facility.id, name)
        if clash is not None and clash is not exclude:
            reader.fail(f"A Location named {name} already exists in the current Facility.")
    if name is None or location_type is None or not reader.ok:
        return None
    return name, location_type.name


@router.post("/locations/v2/")
async def create(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        fields = _name_and_type(reader, None)
        if fields is None:
            return []
        loc = Location(ctx.state.next_id("location"), ctx.facility.id, fields[0], fields[1])
        return [ctx.state.locations.add(loc, tx).id]

    return written(await write(ctx, row))


@router.put("/locations/v2/")
async def update(ctx: FacilityDep) -> Response:
    def row(reader: RowReader, tx: Tx) -> list[int]:
        location_id = reader.integer("Id")
        if location_id is None:
            return []
        loc = ctx.state.locations.get(location_id)
        if loc is None or loc.facility_id != ctx.facility.id or not loc.active:
            reader.fail(f"Location {location_id} does not exist in the current Facility.")
            return []
        fields = _name_and_type(reader, loc)
        if fields is None:
            return []
        tx.touch(loc)
        loc.name, loc.location_type = fields
        return []

    await write(ctx, row)
    return empty()


@router.delete("/locations/v2/{location_id}")
async def archive(location_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(location_id, "location")
    loc = ctx.own(ctx.state.locations.get(key), "location", f"Id {key}")

    def row(reader: RowReader, tx: Tx) -> list[int]:
        if not loc.active:
            reader.fail(f"Location {loc.name} is already archived.")
            return []
        in_use = any(
            p.location_id == loc.id and p.status in ("active", "onhold") for p in ctx.state.packages
        )
        if in_use:
            reader.fail(f"Location {loc.name} cannot be archived while packages are in it.")
            return []
        tx.touch(loc)
        loc.active = False
        return []

    await apply_rows(ctx, [{}], row)
    return empty()
