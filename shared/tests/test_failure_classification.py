"""Which failures are worth retrying forever, and which mean the message itself is bad: keyed on
asyncpg's errors and PostgreSQL's SQLSTATEs, anywhere in the exception's chain."""

from __future__ import annotations

import asyncpg
from shared.messaging import is_transient


def raised_from(error: Exception) -> Exception:
    """How a handler's own error surfaces when it wraps a database error."""
    wrapper = RuntimeError("could not apply the event")
    wrapper.__cause__ = error
    return wrapper


def test_a_server_still_recovering_is_transient() -> None:
    assert is_transient(asyncpg.CannotConnectNowError("not yet accepting connections"))


def test_a_server_shutting_down_is_transient() -> None:
    assert is_transient(asyncpg.AdminShutdownError("terminating connection"))


def test_a_connection_lost_in_the_middle_of_a_statement_is_transient() -> None:
    assert is_transient(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert is_transient(asyncpg.InterfaceError("connection is closed"))


def test_serialization_failures_deadlocks_and_lock_timeouts_are_transient() -> None:
    assert is_transient(asyncpg.SerializationError("could not serialize"))
    assert is_transient(asyncpg.DeadlockDetectedError("deadlock detected"))
    assert is_transient(asyncpg.LockNotAvailableError("could not obtain lock"))


def test_too_many_connections_is_transient() -> None:
    assert is_transient(asyncpg.TooManyConnectionsError("sorry, too many clients"))


def test_a_refused_connection_or_a_timeout_is_transient() -> None:
    assert is_transient(ConnectionRefusedError(111, "refused"))
    assert is_transient(TimeoutError())


def test_a_transient_cause_behind_a_handlers_own_error_is_found() -> None:
    assert is_transient(raised_from(asyncpg.CannotConnectNowError("starting up")))


def test_a_constraint_violation_is_not_transient() -> None:
    assert not is_transient(asyncpg.UniqueViolationError("duplicate key"))
    assert not is_transient(raised_from(asyncpg.ForeignKeyViolationError("no such row")))


def test_a_value_the_statement_cannot_take_is_not_transient() -> None:
    assert not is_transient(asyncpg.DataError("invalid input for query argument $1"))


def test_a_bug_is_not_transient() -> None:
    assert not is_transient(ValueError("bug"))
    assert not is_transient(KeyError("missing"))
