"""The domain's frozen records as JSON (the ``jsonb`` columns) and back.

A record is written as its fields plus ``"type"``, its class name, so a field typed as a union
of records (a submission's intent, a batch's source) reads back as the class it was written
as. Reading follows the field's declared type: ``Decimal`` from its string (never a float),
times and dates from ISO text, UUIDs, enums by value, tuples, mappings, optional values. So a
record read back is equal (``==``) to the one written; the contract tests compare them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, cast
from uuid import UUID

__all__ = ["from_json", "to_json"]

T = TypeVar("T")
TYPE_FIELD = "type"


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, booleans, None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data[TYPE_FIELD] = type(value).__name__
        return data
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def from_json(hint: type[T] | Any, data: Any) -> T:
    """``data`` (from :func:`to_json`) read as ``hint``, a record class or any field type."""
    return cast(T, _read(hint, data))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None:
            if type(None) in options:
                return None
            raise ValueError(f"None is not a {hint}")
        records = [o for o in options if dataclasses.is_dataclass(o)]
        if records and isinstance(data, Mapping):
            return _record(_pick(records, data), data)
        plain = [o for o in options if o is not type(None)]
        if len(plain) != 1:
            raise ValueError(f"cannot tell which of {hint} {data!r} is")
        return _read(plain[0], data)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v) for v in data)
        return tuple(_read(a, v) for a, v in zip(args, data, strict=True))
    if origin is frozenset:
        return frozenset(_read(typing.get_args(hint)[0], v) for v in data)
    if origin in (Mapping, dict, typing.Mapping):
        key, value = typing.get_args(hint)
        return {_read(key, k): _read(value, v) for k, v in data.items()}
    if dataclasses.is_dataclass(hint):
        return _record(_pick([hint], data), data)
    if isinstance(hint, type):
        return _scalar(hint, data)
    if hint is Any:
        return data
    raise TypeError(f"no reading for {hint!r}")


def _scalar(hint: type, data: Any) -> Any:
    if issubclass(hint, Enum):
        return hint(data)
    if hint is Decimal:
        return Decimal(data)
    if hint is UUID:
        return UUID(data)
    if hint is datetime:
        return datetime.fromisoformat(data)
    if hint is date:
        return date.fromisoformat(data)
    if hint is bool or hint is str or hint is int or hint is float:
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise ValueError(f"{data!r} is not a {hint.__name__}")
        return data
    raise TypeError(f"no reading for {hint!r}")


def _pick(candidates: list[Any], data: Mapping[str, Any]) -> type:
    name = data.get(TYPE_FIELD)
    for cls in candidates:
        if cls.__name__ == name:
            return cast(type, cls)
    raise ValueError(f"{name!r} is none of {[c.__name__ for c in candidates]}")


def _record(cls: type, data: Mapping[str, Any]) -> Any:
    hints = _hints(cls)
    values = {
        f.name: _read(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**values)
