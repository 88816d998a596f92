"""v2 list conventions: the paging envelope and the lastModified window (METRC.md 1.6, 1.7)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from starlette.requests import Request

from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.errors import bad_request

T = TypeVar("T")


def query_param(request: Request, name: str) -> str | None:
    """Query values by case-insensitive name, as ASP.NET binds them."""
    folded = name.casefold()
    for key, value in request.query_params.multi_items():
        if key.casefold() == folded:
            return value
    return None


def _positive_int(request: Request, name: str) -> int | None:
    raw = query_param(request, name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"The value '{raw}' is not valid for {name}.") from None
    if value < 1:
        raise bad_request(f"{name} must be greater than 0.")
    return value


def page(
    request: Request,
    config: SandboxConfig,
    rows: Sequence[T],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``rows`` (already in Id order) wrapped in Metrc's envelope.

    Without pageSize Metrc disables paging and returns every row in one page.
    """
    page_size = _positive_int(request, "pageSize")
    page_number = _positive_int(request, "pageNumber") or 1
    total = len(rows)
    if page_size is None:
        selected = rows if page_number == 1 else rows[:0]
        effective_size = total
        total_pages = 1 if total else 0
    else:
        if page_size > config.max_page_size:
            raise bad_request(
                f"The value of pageSize ({page_size}) cannot exceed {config.max_page_size}."
            )
        start = (page_number - 1) * page_size
        selected = rows[start : start + page_size]
        effective_size = page_size
        total_pages = -(-total // page_size)
    data = [render(row) for row in selected]
    return {
        "Data": data,
        "Total": total,
        "TotalRecords": total,
        "PageSize": effective_size,
        "RecordsOnPage": len(data),
        "Page": page_number,
        "CurrentPage": page_number,
        "TotalPages": total_pages,
    }


def _timestamp(request: Request, name: str) -> datetime | None:
    raw = query_param(request, name)
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        # An unencoded "+" of an offset arrives as a space; Metrc misreads it the same way.
        raise bad_request(f"The value '{raw}' is not valid for {name}.") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def last_modified_window(
    request: Request, config: SandboxConfig
) -> tuple[datetime, datetime] | None:
    start = _timestamp(request, "lastModifiedStart")
    end = _timestamp(request, "lastModifiedEnd")
    if start is None and end is None:
        return None
    if start is None:
        raise bad_request("lastModifiedStart must be specified when lastModifiedEnd is.")
    if end is None:
        end = datetime.now(UTC)
    if end < start:
        raise bad_request("lastModifiedEnd cannot be earlier than lastModifiedStart.")
    if end - start > timedelta(hours=config.last_modified_max_hours):
        raise bad_request(
            "The time period between lastModifiedStart and lastModifiedEnd cannot exceed "
            f"{config.last_modified_max_hours:g} hours."
        )
    return start, end


def filter_last_modified(
    request: Request,
    config: SandboxConfig,
    rows: Sequence[T],
    stamp: Callable[[T], datetime],
) -> list[T]:
    window = last_modified_window(request, config)
    if window is None:
        return list(rows)
    start, end = window
    return [row for row in rows if start <= stamp(row) <= end]
