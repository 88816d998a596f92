"""No log line carries a statement's parameters: database errors are logged by type and SQLSTATE.

The text of a database error quotes values. PostgreSQL's detail does ("Key (email)=(a@b.example)
already exists", "Failing row contains (...)"), asyncpg's client-side errors do ("invalid input
for query argument $8: datetime.datetime(9999, ...)"), and SQLAlchemy's add the whole parameter
list unless the engine hides it. Any of them reaching a log through ``log.exception`` or a
``%s`` argument would put a secret hash, a password hash or a customer's data in the logs.

:func:`install` replaces the log record factory, so every record of the process, whichever
handler formats it (the JSON formatter, uvicorn's, pytest's capture), carries the redacted
traceback in ``exc_text`` and redacted arguments: the error's class, its SQLSTATE and the
constraint, table and column it names; never its message. Tracebacks keep their frames.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import asyncpg
from sqlalchemy.exc import StatementError

__all__ = ["install", "is_database_error", "redacted", "redacted_traceback"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, StatementError)
_NAMED_BY = ("constraint_name", "table_name", "column_name")


def is_database_error(error: BaseException) -> bool:
    """An error of the database driver or of SQLAlchemy's statement execution."""
    if isinstance(error, _DATABASE_ERRORS):
        return True
    # SQLAlchemy's asyncpg adapter wraps the driver's errors in classes of its own.
    return type(error).__module__.startswith("sqlalchemy.dialects.postgresql")


def _driver_errors(error: BaseException) -> Iterator[BaseException]:
    yield error
    if (orig := getattr(error, "orig", None)) is not None:
        yield orig
    yield from _chain(error)


def redacted(error: BaseException) -> str:
    """What may be logged of a database error: class, SQLSTATE, the names it refers to."""
    return f"{type(error).__name__}: {_described(error)}"


def _described(error: BaseException) -> str:
    parts = []
    sqlstate = ""
    names: dict[str, str] = {}
    for source in _driver_errors(error):
        sqlstate = sqlstate or str(getattr(source, "sqlstate", None) or "")
        for attribute in _NAMED_BY:
            value = getattr(source, attribute, None)
            if value and attribute not in names:
                names[attribute] = str(value)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    parts += [f"{attribute.removesuffix('_name')} {value}" for attribute, value in names.items()]
    parts.append("message withheld: it can quote statement parameters")
    return ", ".join(parts)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        pending += list(getattr(current, "exceptions", ()))


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return "<exception str() failed>"


def _qualified(kind: type[BaseException]) -> str:
    module = kind.__module__
    return (
        kind.__qualname__ if module in ("__main__", "builtins") else f"{module}.{kind.__qualname__}"
    )


def _withheld(error: BaseException) -> list[BaseException]:
    """The database errors of ``error``'s chain and everything they were caused by: the
    driver's own exceptions quote values too ("invalid UUID '...'" from the codec that
    encoded a parameter)."""
    withheld: dict[int, BaseException] = {}
    for found in _chain(error):
        if is_database_error(found) and id(found) not in withheld:
            withheld.update((id(e), e) for e in _chain(found))
    return list(withheld.values())


def _safe(error: BaseException) -> str:
    """The text that stands in for ``error``'s message, after its class name."""
    if is_database_error(error):
        return _described(error)
    return "message withheld: raised within a database call"


def redacted_traceback(exc_info: ExcInfo) -> str | None:
    """The traceback with the text of every database error (and of what caused it) replaced,
    or None when the chain holds no database error (the usual formatting applies then)."""
    kind, value, tb = exc_info
    withheld = _withheld(value)
    if not withheld:
        return None
    text = "".join(traceback.format_exception(kind, value, tb)).rstrip("\n")
    for error in withheld:
        message = _text(error)
        if message:
            name = _qualified(type(error))
            text = text.replace(f"{name}: {message}", f"{name}: {_safe(error)}")
    return text


def _redact_record(record: logging.LogRecord) -> None:
    if isinstance(record.args, tuple):
        record.args = tuple(
            redacted(a) if isinstance(a, BaseException) and is_database_error(a) else a
            for a in record.args
        )
    if isinstance(record.msg, BaseException) and is_database_error(record.msg):
        record.msg = redacted(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        safe = redacted_traceback(record.exc_info)
        if safe is not None:
            record.exc_text = safe
            if isinstance(record.msg, str):
                for error in _withheld(record.exc_info[1]):
                    if message := _text(error):
                        record.msg = record.msg.replace(message, _safe(error))


_installed = False


def install(*, uncaught: bool = False) -> None:
    """Redact database errors in every log record of this process (idempotent). With
    ``uncaught``, an exception that ends the process is logged (hence redacted) instead of
    printed by the interpreter."""
    global _installed
    if uncaught:
        sys.excepthook = _log_uncaught
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    logging.getLogger("canopy").critical("uncaught exception", exc_info=(kind, value, tb))
