"""A stored row as a record: the fields named like the row's columns are copied, the rest (a
renamed column, an enum, parsed JSON) are given by the caller. For asyncpg's records and
SQLAlchemy's row mappings alike."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

__all__ = ["from_row"]


class _Row(Protocol):
    """A row by column name: an asyncpg record, a SQLAlchemy row mapping, a dict."""

    def __getitem__(self, column: str, /) -> Any: ...


def from_row(kind: type[R], row: _Row, /, **given: Any) -> R:
    """``kind`` (a dataclass) from the row's columns named like its fields, and ``given`` (what is
    renamed or converted). Every field comes from one or the other: a field with no column of
    its name and nothing given is a ``KeyError`` naming it, even where the field has a default,
    so a column dropped from a query cannot quietly become the default."""
    return kind(**{name: row[name] for name in _names(kind) if name not in given}, **given)


@cache
def _names(kind: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.init)
