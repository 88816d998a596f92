"""The one way a kind of submission becomes a Metrc write: ``MetrcWrite`` names the sync log's
operation, the port's call, and how one submission becomes one object of the call's body (a
builder reads the submission's intent with ``intent_of`` or, with the values it was prepared
with, ``prepared``; a value the preparation always resolves is ``needed``); ``send_write`` makes
the call for a request's submissions, in order.

Metrc names a harvest by its Id in some bodies (waste, finish, unfinish, a package's
ingredients) and answers no Id when plants are harvested into it: for those the Id is looked up
by the harvest's name (``find_harvest``, a read, safe to repeat) just before the write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from compliance.adapters.metrc.errors import MetrcRejectedError
from compliance.adapters.metrc.payloads import MetrcPayload
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import WriteResult
from compliance.domain import SentAs, Submission

__all__ = ["MetrcWrite", "intent_of", "needed", "prepared", "send_write"]

Call = Callable[[str, Sequence[Any]], Awaitable[WriteResult]]
T = TypeVar("T")
V = TypeVar("V")


def intent_of(s: Submission, kind: type[T]) -> T:
    """The intent of ``s``, of the type its kind carries."""
    intent = s.intent
    assert isinstance(intent, kind), f"{s.kind} carries a {kind.__name__}"
    return intent


def prepared(s: Submission, kind: type[T]) -> tuple[T, SentAs]:
    """The intent of ``s`` and the Metrc values it was prepared with (``sent_as``)."""
    intent = intent_of(s, kind)
    assert s.sent_as is not None, "a submission is prepared before it is sent"
    return intent, s.sent_as


def needed(value: V | None) -> V:
    """A value the preparation of this kind always resolves (or the write always looks up)."""
    assert value is not None, "resolved before the write"
    return value


@dataclass(frozen=True)
class MetrcWrite:
    operation: str
    """The sync log's name of the write (``plantbatches.plantings``)."""
    call: Callable[[MetrcPort], Call]
    """The port's method that sends the objects (``lambda m: m.create_plant_batch_plantings``)."""
    body: Callable[[Submission, int | None], MetrcPayload]
    """One submission as one object, from what it was prepared with (``sent_as``); the second
    argument is the harvest's Metrc Id when ``harvest_name`` is given, else None."""
    harvest_name: Callable[[Submission], str] | None = None
    """For a body that names a harvest by its Metrc Id: the name it is looked up by."""


async def send_write(
    spec: MetrcWrite, metrc: MetrcPort, license_number: str, subs: Sequence[Submission]
) -> WriteResult:
    """One Metrc write carrying ``subs`` (all of ``spec``'s kind), in order."""
    harvest_ids: list[int | None] = []
    for s in subs:
        named = spec.harvest_name
        harvest_ids.append(
            None if named is None else await _harvest_id(metrc, license_number, named(s))
        )
    bodies = [spec.body(s, i) for s, i in zip(subs, harvest_ids, strict=True)]
    return await spec.call(metrc)(license_number, bodies)


async def _harvest_id(metrc: MetrcPort, license_number: str, name: str) -> int:
    found = await metrc.find_harvest(license_number, name)
    if found is None:
        message = f"Metrc has no harvest named {name}."
        raise MetrcRejectedError(message, rows=[(None, message)])
    return found.id
