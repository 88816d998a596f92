"""Idempotency-Key runs on real PostgreSQL: the first answer (or a business refusal) is stored
with the effects and replayed; a key reused for another request is refused; an unexpected error
stores nothing, so a retry runs again."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from shared.database import IDEMPOTENCY_DDL, Database, UnitOfWork
from shared.errors import ServiceError
from shared.http import IdempotencyClaim, StoredResponse, run_once

pytestmark = [pytest.mark.postgres]


class RefusedError(Exception):
    pass


def refusal(error: Exception) -> StoredResponse | None:
    if isinstance(error, RefusedError):
        return StoredResponse(status=422, body='{"error":{"code":"REFUSED"}}')
    return None


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, name="tests")
    async with db.connection() as conn:
        for statement in (*IDEMPOTENCY_DDL, "CREATE TABLE effects (n int)"):
            await conn.execute(statement)
    yield db
    await db.close()


def claim(request_hash: str = "h1", key: str = "k1") -> IdempotencyClaim:
    return IdempotencyClaim(scope="user-1", key=key, request_hash=request_hash)


async def effects(database: Database) -> int:
    async with database.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM effects"))


async def test_a_replay_gets_the_first_answer_and_changes_nothing(database: Database) -> None:
    async def work(uow: UnitOfWork) -> dict[str, int]:
        await uow.conn.execute("INSERT INTO effects VALUES (1)")
        return {"n": await uow.conn.fetchval("SELECT count(*) FROM effects")}

    def factory() -> UnitOfWork:
        return UnitOfWork(database)

    first = await run_once(factory, claim(), work, status_code=201, refusal=refusal)
    again = await run_once(factory, claim(), work, status_code=201, refusal=refusal)
    assert (first[0].status, json.loads(first[0].body), first[1]) == (201, {"n": 1}, False)
    assert (again[0].status, json.loads(again[0].body), again[1]) == (201, {"n": 1}, True)
    assert await effects(database) == 1


async def test_a_refusal_is_stored_and_replayed_without_its_effects(database: Database) -> None:
    async def work(uow: UnitOfWork) -> dict[str, int]:
        await uow.conn.execute("INSERT INTO effects VALUES (1)")
        raise RefusedError

    def factory() -> UnitOfWork:
        return UnitOfWork(database)

    first = await run_once(factory, claim(), work, status_code=200, refusal=refusal)
    again = await run_once(factory, claim(), work, status_code=200, refusal=refusal)
    assert first[0].status == again[0].status == 422
    assert (first[1], again[1]) == (False, True)
    assert await effects(database) == 0


async def test_an_unexpected_error_stores_nothing_so_a_retry_runs_again(database: Database) -> None:
    calls = 0

    async def work(uow: UnitOfWork) -> dict[str, int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return {"n": calls}

    def factory() -> UnitOfWork:
        return UnitOfWork(database)

    with pytest.raises(RuntimeError):
        await run_once(factory, claim(), work, status_code=200, refusal=refusal)
    assert await run_once(factory, claim(), work, status_code=200, refusal=refusal) == (
        StoredResponse(status=200, body='{"n":2}'),
        False,
    )


async def test_a_key_reused_for_another_request_is_refused(database: Database) -> None:
    async def work(uow: UnitOfWork) -> dict[str, int]:
        return {"n": 1}

    def factory() -> UnitOfWork:
        return UnitOfWork(database)

    await run_once(factory, claim("h1"), work, status_code=200, refusal=refusal)
    with pytest.raises(ServiceError) as refused:
        await run_once(factory, claim("h2"), work, status_code=200, refusal=refusal)
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    # Keys are per caller: another caller's same key is another key.
    other = IdempotencyClaim(scope="user-2", key="k1", request_hash="h2")
    assert (await run_once(factory, other, work, status_code=200, refusal=refusal))[1] is False
