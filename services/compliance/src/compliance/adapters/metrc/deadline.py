"""A deadline for the Metrc calls of one piece of work, such as a manifest round under its claim.

Inside ``with calls_deadline(at):`` (in this task and the tasks it starts) no try of a Metrc call
starts after ``at`` and no wait between tries runs past it: the call gives up with
``MetrcDeadlineError`` instead. Every try is bounded by the client's own limit (its connect and
read timeouts together), so the last write a caller's work can have in flight ends by ``at`` plus
that limit, and Metrc applies it by then plus its lag: a caller whose claim runs out at ``end``
passes ``end`` minus those two.

A context variable rather than an argument: the limit applies to every call the work makes,
through every layer (the port, the batched writes, the read-backs), and the client is shared
with work that has no deadline, such as the push lanes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

__all__ = ["calls_deadline", "current_deadline"]

_DEADLINE: ContextVar[datetime | None] = ContextVar("metrc_calls_deadline", default=None)


@contextmanager
def calls_deadline(at: datetime) -> Iterator[None]:
    """Metrc calls made inside start no try after ``at`` (an aware UTC time); a deadline already
    in force that is earlier stays in force."""
    outer = _DEADLINE.get()
    token = _DEADLINE.set(at if outer is None else min(outer, at))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> datetime | None:
    """The deadline in force for this task's Metrc calls, if any."""
    return _DEADLINE.get()
