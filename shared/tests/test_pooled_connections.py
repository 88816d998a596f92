"""The pool hands connections back without asyncpg's reset query (see shared/database/pool.py):
that is only safe while no code of any service, nor of shared, leaves session state on a
pooled connection. The outbox relay's advisory lock and LISTEN are on a connection of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import compliance
import inventory
import reporting

import shared

SOURCES = [Path(package.__file__).parent for package in (shared, inventory, compliance, reporting)]
# Not on the pool: the relay opens its own connection (it holds a session-level advisory lock).
OWN_CONNECTION = {Path(shared.__file__).parent / "outbox" / "relay.py"}
SESSION_SET = "a session SET (SET LOCAL ends with its transaction)"
SQL_SESSION_STATE = {
    # At the start of a statement (UPDATE ... SET is not one).
    SESSION_SET: re.compile(
        r"(^|;)\s*SET\s+(SESSION\s+)?(?!LOCAL\b)[a-z_.]+\s*(=|\bTO\b)", re.IGNORECASE
    ),
    "set_config() for the session": re.compile(r"set_config\([^)]*false", re.IGNORECASE),
    "LISTEN": re.compile(r"(^|;)\s*LISTEN\b", re.IGNORECASE),
    "an advisory lock": re.compile(r"pg_(try_)?advisory_lock", re.IGNORECASE),
    "a cursor": re.compile(r"\bDECLARE\b", re.IGNORECASE),
    "a temporary table": re.compile(r"\bCREATE\s+TEMP", re.IGNORECASE),
}
CONNECTION_METHODS = {"cursor", "add_listener", "add_log_listener", "set_type_codec"}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def session_state(source: str) -> list[str]:
    """What ``source`` (Python) does that would outlive a transaction on its connection."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [what for what, rx in SQL_SESSION_STATE.items() if rx.search(node.value)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CONNECTION_METHODS
        ):
            found.append(f".{node.func.attr}()")
    return found


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = []
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            if "migrations" in path.parts or path in OWN_CONNECTION:
                continue  # alembic and the relay run on connections of their own
            found += [f"{path}: {what}" for what in session_state(path.read_text())]
    assert not found, found


def test_the_guard_sees_what_it_looks_for() -> None:
    assert session_state('q = "SET statement_timeout = 5"') == [SESSION_SET]
    assert session_state('q = """\n  SET SESSION search_path TO x"""') == [SESSION_SET]
    assert session_state('q = "SELECT 1; SET work_mem = 1"') == [SESSION_SET]
    assert session_state('q = "LISTEN outbox"') == ["LISTEN"]
    assert session_state('q = "SELECT pg_advisory_lock(1)"') == ["an advisory lock"]
    assert session_state('q = "DECLARE c CURSOR FOR SELECT 1"') == ["a cursor"]
    assert session_state("conn.cursor('SELECT 1')") == [".cursor()"]
    # Fine: ends with the transaction, or not a session statement at all, or documentation.
    assert session_state("q = \"SET LOCAL lock_timeout = '1s'\"") == []
    assert session_state('q = "UPDATE batch SET status = $2, on_hand_qty = $3"') == []
    assert session_state('q = """\n    UPDATE batch\n    SET status = $2"""') == []
    assert session_state('"""No LISTEN, no SET x = 1 here."""') == []
    assert session_state("if query.cursor: pass") == []
