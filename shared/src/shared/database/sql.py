"""SQL with named parameters: ``{name}`` in the text, ``$n`` for asyncpg.

A statement written with names reads like what it does (a 60-parameter write stays legible), and
every value is still a bound parameter: the names become ``$1``, ``$2`` ... in order of first use,
once, when the module defines the statement, and :meth:`Sql.args` lays the values out in that
order. A literal brace in the SQL is written twice (``'{{}}'::jsonb``).

Modules that build statements with SQLAlchemy Core stay with Core; a module uses one style.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Sql"]


class _Numbered(dict[str, str]):
    """Placeholder names -> ``$n``, numbered in order of first use."""

    def __missing__(self, name: str) -> str:
        self[name] = f"${len(self) + 1}"
        return self[name]


class Sql:
    """One statement: ``Sql("SELECT ... WHERE id = {id}")``; run it with
    ``conn.fetch(statement.text, *statement.args({"id": batch_id}))``."""

    __slots__ = ("names", "text")

    def __init__(self, template: str) -> None:
        numbers = _Numbered()
        self.text: str = template.format_map(numbers)
        self.names: tuple[str, ...] = tuple(numbers)

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The values of the statement's parameters, in ``$n`` order (KeyError names a missing one)."""
        return [values[name] for name in self.names]

    def __repr__(self) -> str:
        return f"Sql({self.text!r})"
