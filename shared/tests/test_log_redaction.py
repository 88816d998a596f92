"""No log line carries a statement's parameters: a failing statement logged with its traceback,
or as a ``%s`` argument, shows the error's class and SQLSTATE but none of the values, whichever
handler formats it (pytest's capture here, the services' JSON lines in production)."""

from __future__ import annotations

import json
import logging
import sys

import asyncpg
import pytest
from shared.telemetry import JsonLogFormatter
from shared.testing.log_audit import register_secret
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared import log_redaction

CANARY = "canary-secret-7f3a9c"
log = logging.getLogger("test.log_redaction")


@pytest.fixture(autouse=True)
def redaction_installed() -> None:
    # What every service process does as it configures logging (shared.telemetry).
    log_redaction.install()
    # And the run's log audit (the test process and PostgreSQL's own log) must not find it.
    register_secret(CANARY)


@pytest.fixture
async def dsn(database_url: str) -> str:
    plain = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(plain)
    await conn.execute("CREATE TABLE secrets (id int PRIMARY KEY, value text NOT NULL UNIQUE)")
    await conn.execute("INSERT INTO secrets VALUES (1, $1)", CANARY)
    await conn.close()
    return plain


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    plain = logging.Formatter("%(message)s")
    lines = []
    for record in caplog.records:
        lines.append(plain.format(record))
        lines.append(JsonLogFormatter().format(record))
    return "\n".join(lines)


async def _failures(dsn: str) -> list[BaseException]:
    """Failing statements whose error text quotes a parameter, one of each kind."""
    failures: list[BaseException] = []
    conn = await asyncpg.connect(dsn)
    try:
        for statement, argument in (
            ("INSERT INTO secrets VALUES (2, $1)", CANARY),  # detail: Key (value)=(...)
            ("SELECT $1::int", CANARY),  # client side: invalid input for query argument $1
            ("SELECT $1::uuid", CANARY + "-not-a-uuid"),  # server: invalid input syntax
        ):
            try:
                await conn.fetch(statement, argument)
            except Exception as error:
                failures.append(error)
    finally:
        await conn.close()
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        async with engine.begin() as sa:
            await sa.execute(text("INSERT INTO secrets VALUES (3, :v)"), {"v": CANARY})
    except Exception as error:
        failures.append(error)
    finally:
        await engine.dispose()
    return failures


async def test_a_failing_statement_logged_with_its_traceback_shows_no_parameter(
    dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failures = await _failures(dsn)
    assert len(failures) == 4
    assert all(CANARY in str(error) for error in failures), "each error's own text quotes it"
    for error in failures:
        try:
            raise RuntimeError("while handling a request") from error
        except RuntimeError:
            log.exception("unhandled error")
        log.error("statement failed: %s", error)
        log.warning("statement failed: %r", error)
    logged = _everything_logged(caplog)
    assert CANARY not in logged
    assert "[parameters" not in logged
    assert "SQLSTATE 23505" in logged  # unique violation: what an operator needs is still there
    assert "constraint secrets_value_key" in logged
    assert 'File "' in logged, "the traceback's frames are kept"


async def test_an_uncaught_database_error_in_a_service_process_is_logged_redacted(
    dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (error, *_) = await _failures(dsn)
    hook = sys.excepthook
    log_redaction.install(uncaught=True)
    try:
        sys.excepthook(type(error), error, error.__traceback__)
    finally:
        sys.excepthook = hook
    logged = _everything_logged(caplog)
    assert "uncaught exception" in logged
    assert CANARY not in logged


def test_the_json_formatter_writes_the_redacted_traceback() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    record.exc_text = "redacted"
    record.exc_info = (ValueError, ValueError(CANARY), None)
    assert json.loads(JsonLogFormatter().format(record))["exception"] == "redacted"
