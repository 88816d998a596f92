"""Facilities, units of measure and available tags: the bare-array endpoints."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, views
from metrc_sandbox.context import CallerDep, FacilityDep
from metrc_sandbox.routes.common import respond

router = APIRouter()


@router.get("/facilities/v2/")
async def facilities(ctx: CallerDep) -> Response:
    return respond(
        [
            views.facility_view(facility)
            for facility in ctx.state.facilities.values()
            if ctx.can_access(facility.id)
        ]
    )


@router.get("/unitsofmeasure/v2/active")
async def units_active(ctx: CallerDep) -> Response:
    return respond([views.unit_view(u) for u in catalog.UNITS_OF_MEASURE if u.active])


@router.get("/unitsofmeasure/v2/inactive")
async def units_inactive(ctx: CallerDep) -> Response:
    return respond([views.unit_view(u) for u in catalog.UNITS_OF_MEASURE if not u.active])


def _available(ctx: FacilityDep, kind: str) -> Response:
    return respond(
        [
            views.tag_view(tag, ctx.state)
            for tag in ctx.state.tags
            if tag.facility_id == ctx.facility.id and tag.kind == kind and not tag.used
        ]
    )


@router.get("/tags/v2/package/available")
async def package_tags(ctx: FacilityDep) -> Response:
    return _available(ctx, "Package")


@router.get("/tags/v2/plant/available")
async def plant_tags(ctx: FacilityDep) -> Response:
    return _available(ctx, "Plant")
