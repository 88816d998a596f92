"""Response helpers shared by the resource routers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from starlette.responses import Response

from metrc_sandbox.context import Ctx
from metrc_sandbox.errors import not_found
from metrc_sandbox.jsonio import MetrcJSONResponse
from metrc_sandbox.model import Record
from metrc_sandbox.paging import filter_last_modified, page

T = TypeVar("T")
RecordT = TypeVar("RecordT", bound=Record)


def respond(document: Any) -> Response:
    return MetrcJSONResponse(document)


def listing(
    ctx: Ctx,
    rows: Sequence[T],
    render: Callable[[T], dict[str, Any]],
    *,
    last_modified: Callable[[T], datetime] | None = None,
) -> Response:
    """A v2 paged list; ``last_modified`` enables the lastModifiedStart/End filter."""
    if last_modified is not None:
        rows = filter_last_modified(ctx.request, ctx.config, rows, last_modified)
    return respond(page(ctx.request, ctx.config, rows, render))


def record_stamp(record: Record) -> datetime:
    return record.last_modified


def written(ids: list[int]) -> Response:
    return respond({"Ids": ids, "Warnings": None})


def empty() -> Response:
    """The "No response" of Metrc's docs: 200 with an empty body."""
    return Response(status_code=200)


def parse_id(raw: str, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise not_found(f"No {what} found with Id {raw}.") from None
