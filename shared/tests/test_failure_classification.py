"""Which failures are worth retrying forever, and which mean the message itself is bad."""

from __future__ import annotations

import asyncpg
from shared.messaging.consumer import _is_transient
from sqlalchemy.exc import DBAPIError, IntegrityError


def wrapped(error: Exception) -> DBAPIError:
    # How SQLAlchemy's asyncpg dialect surfaces a driver error: DBAPIError wrapping an adapter
    # error whose cause is asyncpg's own exception.
    adapter = Exception(str(error))
    adapter.__cause__ = error
    return DBAPIError("SELECT 1", {}, adapter)


def test_a_server_still_recovering_is_transient() -> None:
    assert _is_transient(wrapped(asyncpg.CannotConnectNowError("not yet accepting connections")))


def test_a_server_shutting_down_is_transient() -> None:
    assert _is_transient(wrapped(asyncpg.AdminShutdownError("terminating connection")))


def test_serialization_failures_and_deadlocks_are_transient() -> None:
    assert _is_transient(wrapped(asyncpg.SerializationError("could not serialize")))
    assert _is_transient(wrapped(asyncpg.DeadlockDetectedError("deadlock detected")))


def test_a_refused_connection_is_transient() -> None:
    assert _is_transient(ConnectionRefusedError(111, "refused"))


def test_a_constraint_violation_is_not_transient() -> None:
    violation = asyncpg.UniqueViolationError("duplicate key")
    assert not _is_transient(IntegrityError("INSERT", {}, violation))
    assert not _is_transient(wrapped(violation))


def test_a_bug_is_not_transient() -> None:
    assert not _is_transient(ValueError("bug"))
    assert not _is_transient(KeyError("missing"))
