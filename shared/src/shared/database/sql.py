"""SQL with named parameters, executed by plain asyncpg.

A statement is written once with ``:name`` placeholders (SQLAlchemy's ``text()`` syntax) and
compiled, once, when the module defines it, by SQLAlchemy's asyncpg dialect into asyncpg's
positional form (``$1``; a name used twice is one parameter). Values are passed by name and
always bound, never formatted into the text, so a 60-parameter write stays legible. Casts are
written ``CAST(:x AS uuid[])``: ``:x::uuid[]`` would not read as the placeholder ``x``.

Modules that build statements with SQLAlchemy Core stay with Core; a module uses one style.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

__all__ = ["Sql"]

_DIALECT: Final = asyncpg_dialect()  # type: ignore[no-untyped-call]


class Sql:
    """One statement: ``Sql("SELECT ... WHERE id = :id")``; run it with
    ``conn.fetch(statement.text, *statement.args({"id": batch_id}))``."""

    __slots__ = ("names", "text")

    def __init__(self, statement: str) -> None:
        compiled = text(statement).compile(dialect=_DIALECT)
        self.text: str = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())

    def args(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional arguments for ``values``: every placeholder must have one (KeyError
        names a missing one) and a value no placeholder takes is refused, so a misspelt name
        cannot go unnoticed."""
        if len(values) != len(self.names):
            extra = set(values) - set(self.names)
            if extra:
                raise KeyError(f"no placeholder for {sorted(extra)}")
        return tuple(values[name] for name in self.names)

    def __repr__(self) -> str:
        return f"Sql({self.text!r})"
