"""How the inbox consumer sorts failures: poison (the message itself is bad), transient (the
database or the network is away), or anything else (a bug, a constraint violation), and how it
paces retries."""

from __future__ import annotations

import random
from dataclasses import dataclass

import asyncpg

__all__ = ["PoisonMessageError", "RetryPolicy", "is_transient"]


class PoisonMessageError(Exception):
    """Raised by a handler when the message can never be processed: dead-letter it, don't retry."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_initial: float = 0.2
    backoff_max: float = 10.0

    def delay(self, attempt: int) -> float:
        capped = min(self.backoff_max, self.backoff_initial * 2 ** max(0, attempt - 1))
        # Full jitter keeps a fleet of consumers from retrying in lockstep against one database.
        return random.uniform(capped / 2, capped)


# Errors that mean "try again later", not "this message is bad". asyncpg's plain InterfaceError
# is a connection or pool that is closed (or closing); its subclasses (DataError: a value the
# statement cannot take, ...) are not. OutdatedSchemaCacheError: a migration changed a type
# under a prepared statement, which asyncpg re-prepares on the next try.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    OSError,
    asyncpg.exceptions.OutdatedSchemaCacheError,
)

# SQLSTATE classes that mean "try again later": connection exceptions (08), insufficient
# resources (53), operator intervention such as a server starting up or shutting down (57P),
# serialization failures and deadlocks (40001, 40P01), lock not available (55P03).
TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01", "55P03")


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what caused it, without loops."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        pending.extend([current.__cause__, current.__context__])
    return seen


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` (or anything in its chain) says the database or network is away."""
    for cause in _causes(error):
        if isinstance(cause, TRANSIENT_ERRORS) or type(cause) is asyncpg.InterfaceError:
            return True
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATES):
            return True
    return False
