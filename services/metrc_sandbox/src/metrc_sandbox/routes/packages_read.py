"""Package lists, single packages, adjustment history and adjust reasons."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, views
from metrc_sandbox.context import FacilityDep
from metrc_sandbox.errors import not_found
from metrc_sandbox.model import Package
from metrc_sandbox.routes.common import listing, record_stamp, respond
from metrc_sandbox.tags import is_tag_label

router = APIRouter()


def _with_status(ctx: FacilityDep, *statuses: str) -> list[Package]:
    return [
        p for p in ctx.state.packages if p.facility_id == ctx.facility.id and p.status in statuses
    ]


def _list(ctx: FacilityDep, *statuses: str) -> Response:
    return listing(
        ctx,
        _with_status(ctx, *statuses),
        lambda p: views.package_view(p, ctx.state),
        last_modified=record_stamp,
    )


@router.get("/packages/v2/active")
async def active(ctx: FacilityDep) -> Response:
    return _list(ctx, "active")


@router.get("/packages/v2/inactive")
async def inactive(ctx: FacilityDep) -> Response:
    return _list(ctx, "finished", "inactive")


@router.get("/packages/v2/onhold")
async def onhold(ctx: FacilityDep) -> Response:
    return _list(ctx, "onhold")


@router.get("/packages/v2/intransit")
async def intransit(ctx: FacilityDep) -> Response:
    return _list(ctx, "intransit")


@router.get("/packages/v2/types")
async def types() -> Response:
    return respond(list(catalog.PACKAGE_TYPES))


@router.get("/packages/v2/adjust/reasons")
async def adjust_reasons(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.ADJUST_REASONS, views.reason_view)


@router.get("/packages/v2/adjustments")
async def adjustments(ctx: FacilityDep) -> Response:
    rows = [a for a in ctx.state.adjustments if a.facility_id == ctx.facility.id]
    return listing(ctx, rows, lambda a: views.adjustment_view(a, ctx.state))


@router.get("/packages/v2/{id_or_label}")
async def one(id_or_label: str, ctx: FacilityDep) -> Response:
    # Metrc shares one route between Ids and labels: digits are an Id, a 24-char tag a label.
    if id_or_label.isdigit():
        found = ctx.state.packages.get(int(id_or_label))
        key = f"Id {id_or_label}"
    elif is_tag_label(id_or_label):
        found = ctx.state.packages.get_key(id_or_label)
        key = f"label {id_or_label}"
    else:
        raise not_found(f"No package found with {id_or_label}.")
    package = ctx.own(found, "package", key)
    return respond(views.package_view(package, ctx.state))
