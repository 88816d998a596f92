"""The run's log audit finds what must never be logged: each kind of leak, in a log record of the
test process or in a process's log file, and shows the line with the secret masked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from shared.testing.log_audit import LogAudit


def _private_logger(name: str) -> logging.Logger:
    # Not propagated: these leaks are on purpose, and the run's own audit must not see them.
    logger = logging.getLogger(name)
    logger.propagate = False
    return logger


LEAKS = [
    "[SQL: INSERT INTO api_keys ...] [parameters: ('k', 'a3f...')]",
    "invalid input for query argument $8: datetime.datetime(9999, 12, 31) (out of range)",
    "DETAIL:  Key (email)=(someone@example.com) already exists.",
    'new row violates check constraint "x"; Failing row contains (1, secret).',
    "Authorization: Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
    "key cnp_0123456789ab_Zx9ycQ-7kLmN0pQrStUvWx was used",
    "refresh rt_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ_ rotated",
    "-----BEGIN PRIVATE KEY-----",
    "hash $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "connecting to postgresql://gateway:canopy-dev-gateway@127.0.0.1:55432/gateway",
    "stored 5c454778afe78ddec405ee90aeaa0355368dd1c1f4ef7c6c62c8e35db5d10f07",
]


@pytest.mark.parametrize("line", LEAKS)
def test_each_kind_of_leak_in_a_log_record_is_found(line: str) -> None:
    audit = LogAudit()
    logger = _private_logger("test.log_audit.records")
    logger.addHandler(handler := audit.handler())
    try:
        logger.warning("something happened: %s", line)
    finally:
        logger.removeHandler(handler)
    (finding,) = audit.findings()
    assert finding.startswith("test process: ")


def test_a_registered_secret_is_found_in_a_process_log_and_masked(tmp_path: Path) -> None:
    audit = LogAudit()
    log = tmp_path / "service.log"
    log.write_text("old line with the password correct horse\n")
    audit.watch(log, from_end=True)  # what was there before the run is not the run's
    audit.secrets.add("correct horse")
    with log.open("a") as handle:
        handle.write("login failed for correct horse\nall fine here\n")
    (finding,) = audit.findings()
    assert finding == f"{log}: a secret of the run: login failed for <secret>"


def test_a_traceback_is_scanned_too() -> None:
    audit = LogAudit()
    logger = _private_logger("test.log_audit.tracebacks")
    logger.addHandler(handler := audit.handler())
    try:
        try:
            raise ValueError("DETAIL:  Key (code)=(B-1) already exists.")
        except ValueError:
            logger.exception("unhandled error")
    finally:
        logger.removeHandler(handler)
    assert len(audit.findings()) == 1


def test_ordinary_lines_are_not_findings() -> None:
    audit = LogAudit()
    audit.lines += [
        "inventory: API key 7c8b6cd58ed2 created",
        "request 0b20515fe4564a749e34869866b7c728 trace 4bf92f3577b34da6a3ce929d0e0e4736",
        "UniqueViolationError: SQLSTATE 23505, constraint vendor_name_key, message withheld",
        "http://127.0.0.1:8001/v1/batches?cursor=WyI5OTk5Il0=",
    ]
    assert audit.findings() == []
