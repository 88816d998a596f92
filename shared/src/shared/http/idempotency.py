"""Idempotency-Key over HTTP: the first request with a key stores its answer in the same
transaction as its effects (``uow.idempotency_keys``, see ``shared.database.idempotency_keys``);
a replay gets that answer back, and nothing happens twice.

::

    key = idempotency_key(request)          # None when the client sent none
    if key is None:
        answer = await in_transaction(factory, work)
        return json_response(answer)
    claim = IdempotencyClaim(scope=caller.actor, key=key, request_hash=await fingerprint(request))
    return await respond_once(factory, claim, work, status_code=201, refusal=answer_for)

"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response

from shared.contracts.routes import IDEMPOTENCY_KEY_HEADER
from shared.database import IdempotencyKeys, StoredResponse, Transactional
from shared.errors import ServiceError
from shared.http.errors import problem, validation_details
from shared.http.responses import Answer, json_text

__all__ = [
    "IdempotencyClaim",
    "IdempotencyKeyReusedError",
    "KeyedUnitOfWork",
    "fingerprint",
    "idempotency_key",
    "respond_once",
    "run_once",
]


class KeyedUnitOfWork(Transactional, Protocol):
    """What :func:`run_once` needs: ``shared.database.UnitOfWork``, or a service's port of it."""

    @property
    def idempotency_keys(self) -> IdempotencyKeys: ...
    def savepoint(self) -> AbstractAsyncContextManager[None]: ...


U = TypeVar("U", bound=KeyedUnitOfWork)
A = TypeVar("A", bound=Answer)


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """An Idempotency-Key with what identifies the request it was first used for; ``scope``
    (the caller) keeps one caller's keys apart from another's."""

    scope: str
    key: str
    request_hash: str


class IdempotencyKeyReusedError(ServiceError):
    def __init__(self, key: str) -> None:
        super().__init__(
            "IDEMPOTENCY_KEY_REUSED",
            f"This {IDEMPOTENCY_KEY_HEADER} was already used with a different request",
            status=422,
            details={"idempotency_key": key},
        )


async def run_once(
    unit_of_work: Callable[[], U],
    claim: IdempotencyClaim,
    work: Callable[[U], Awaitable[A]],
    *,
    status_code: int,
    refusal: Callable[[Exception], StoredResponse | None],
) -> tuple[StoredResponse, bool]:
    """Run ``work`` once per key: its answer, or its refusal by a business rule (what
    ``refusal`` turns into a stored answer), is stored with the effects in one transaction and
    returned to every replay. Returns the answer and whether it is a replay.

    Errors ``refusal`` does not answer (None: a bug, corrupt data, an outage) are not stored: the
    transaction rolls back with the key, so a retry runs the request again.

    Raises:
        IdempotencyKeyReusedError: The key was used before for a different request.
    """
    async with unit_of_work() as uow:
        store = uow.idempotency_keys
        existing = await store.claim(claim.scope, claim.key, claim.request_hash)
        if existing is not None:
            if existing.request_hash != claim.request_hash:
                raise IdempotencyKeyReusedError(claim.key)
            # A claimed key always has its answer: the claim and the answer commit together.
            assert existing.response is not None
            return existing.response, True
        try:
            async with uow.savepoint():
                answer = await work(uow)
            response = StoredResponse(status=status_code, body=json_text(answer))
        except Exception as error:
            refused = refusal(error)
            if refused is None:
                raise
            response = refused
        await store.complete(claim.scope, claim.key, response)
        await uow.commit()
        return response, False


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key (None without one); 422 when empty or over 255 characters."""
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255:
        raise ServiceError(
            "VALIDATION_ERROR",
            f"{IDEMPOTENCY_KEY_HEADER} must be 1 to 255 characters",
            status=422,
            details=validation_details(
                [problem(IDEMPOTENCY_KEY_HEADER, "must be 1 to 255 characters", "header")]
            ),
        )
    return key


async def fingerprint(request: Request) -> str:
    """What makes a request the same request: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode()):
        digest.update(part + b"\0")
    digest.update(await request.body())
    return digest.hexdigest()


async def respond_once(
    unit_of_work: Callable[[], U],
    claim: IdempotencyClaim,
    work: Callable[[U], Awaitable[A]],
    *,
    status_code: int = 200,
    refusal: Callable[[Exception], StoredResponse | None],
) -> Response:
    """:func:`run_once` answered over HTTP, with ``Idempotent-Replayed: true`` on a replay."""
    stored, replayed = await run_once(
        unit_of_work, claim, work, status_code=status_code, refusal=refusal
    )
    return Response(
        stored.body,
        status_code=stored.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true" if replayed else "false"},
    )
