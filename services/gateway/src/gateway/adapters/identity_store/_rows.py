"""A stored row as one of the identity store's records."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import RowMapping

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def record(kind: type[R], row: RowMapping, **given: Any) -> R:
    """``kind`` (a dataclass) from the row's columns named like its fields, and ``given`` (what is
    renamed or converted)."""
    return kind(**{f.name: row[f.name] for f in fields(kind) if f.name not in given}, **given)
