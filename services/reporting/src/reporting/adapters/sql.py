"""SQL with named parameters, executed by plain asyncpg.

A statement is written once with ``:name`` placeholders and compiled by SQLAlchemy's asyncpg
dialect into asyncpg's positional form (``$1``, a name used twice is one parameter); values are
passed by name and always bound, never formatted into the text. Casts are written
``CAST(:x AS uuid[])`` (``:x::uuid[]`` would be read as a placeholder named ``x:``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

__all__ = ["Sql"]

_DIALECT: Final = asyncpg_dialect()  # type: ignore[no-untyped-call]


class Sql:
    __slots__ = ("_names", "text")

    def __init__(self, statement: str) -> None:
        compiled = text(statement).compile(dialect=_DIALECT)
        self.text: str = str(compiled)
        self._names: tuple[str, ...] = tuple(compiled.positiontup or ())

    def args(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional arguments for ``values`` (every placeholder must have one; extra
        values are refused, so a misspelt name cannot go unnoticed)."""
        extra = set(values) - set(self._names)
        if extra:
            raise KeyError(f"no placeholder for {sorted(extra)}")
        return tuple(values[name] for name in self._names)
