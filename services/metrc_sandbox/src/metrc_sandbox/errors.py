"""The error shapes Metrc answers with (METRC.md section 3)."""

from __future__ import annotations

from typing import TypedDict


class RowError(TypedDict):
    row: int
    message: str


class MetrcError(Exception):
    """Answered as ``{"Message": ...}`` with ``status``; the ASP.NET-style generic error."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class RowsRejectedError(Exception):
    """A write in which at least one row failed validation: 400 with one entry per failure."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row error(s)")
        self.errors = errors


def unauthorized(message: str = "Authorization has been denied for this request.") -> MetrcError:
    return MetrcError(401, message)


def bad_request(message: str) -> MetrcError:
    return MetrcError(400, message)


def not_found(message: str) -> MetrcError:
    return MetrcError(404, message)
