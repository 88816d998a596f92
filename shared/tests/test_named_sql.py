"""SQL with named parameters (``shared.database.Sql``): ``:name`` in the text, asyncpg's ``$n``
on the wire, values always bound."""

from __future__ import annotations

import asyncpg
import pytest
from shared.database import Sql, asyncpg_dsn


def test_names_become_positions_in_order_of_first_use_and_a_repeated_name_is_one() -> None:
    statement = Sql("SELECT :b, :a, CAST(:b AS text), '{}'::jsonb, now()::date")
    assert statement.text == "SELECT $1, $2, CAST($1 AS text), '{}'::jsonb, now()::date"
    assert statement.names == ("b", "a")
    assert statement.args({"a": 1, "b": 2}) == (2, 1)


def test_a_missing_value_and_a_value_no_placeholder_takes_are_both_refused() -> None:
    statement = Sql("SELECT :id")
    with pytest.raises(KeyError, match="id"):
        statement.args({})
    with pytest.raises(KeyError, match="no placeholder for \\['idd'\\]"):
        statement.args({"id": 1, "idd": 2})


async def test_values_are_bound_never_formatted_into_the_text(database_url: str) -> None:
    statement = Sql("SELECT CAST(:value AS text) AS v")
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        value = "'; DROP TABLE x; --"
        assert await conn.fetchval(statement.text, *statement.args({"value": value})) == value
    finally:
        await conn.close()
