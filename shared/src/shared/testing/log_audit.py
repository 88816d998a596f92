"""No log line of a test run holds a secret or a statement parameter: checked over the whole run.

The plugin collects every log record of the test process (the services the tests run in-process
log through it), the log files of the service processes the tests start (:func:`watch_file`),
and what the test stack's PostgreSQL logged during the run; at the end of the run
:func:`findings` scans them all for

* the secrets the tests made (:func:`register_secret`: passwords, API keys, tokens) and what
  any secret looks like (an identity or access token, a Canopy API key, a private key, a
  password hash, a URL with a password in it);
* the traces a statement's parameters leave ("[parameters: ...]", "invalid input for query
  argument $1: ...", "DETAIL:  Key (...)=(...)", "Failing row contains (...)").

A finding fails the run; its line is shown with the secret masked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "LEAK_PATTERNS",
    "LogAudit",
    "register_secret",
    "watch_file",
]

LEAK_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("statement parameters", re.compile(r"\[parameters: |\[SQL parameters")),
    ("a statement argument", re.compile(r"invalid input for query argument \$\d+: ")),
    ("a key's values", re.compile(r"DETAIL:\s+Key \(.*\)=\(")),
    ("a row's values", re.compile(r"Failing row contains \(")),
    ("a token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("an API key", re.compile(r"\bcnp_[0-9a-f]{8,}_[A-Za-z0-9_-]{16,}")),
    ("a refresh token", re.compile(r"\brt_[A-Za-z0-9_-]{40,}")),
    ("a secret's hash", re.compile(r"\b[0-9a-f]{64}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a password hash", re.compile(r"\$argon2(id|i|d)\$")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+]*://[^\s:/@]+:[^\s@/]+@")),
)


@dataclass
class LogAudit:
    """What a run logged, and the secrets it made; see the module."""

    lines: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    offsets: dict[Path, int] = field(default_factory=dict)

    def handler(self) -> logging.Handler:
        audit = self

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                try:
                    text = record.getMessage()
                except Exception:  # a record that cannot format is not ours to fail on
                    text = str(record.msg)
                if record.exc_info and not record.exc_text:
                    record.exc_text = logging.Formatter().formatException(record.exc_info)
                audit.lines.append(f"{record.name}: {text}\n{record.exc_text or ''}")

        return Collect(level=logging.NOTSET)

    def watch(self, path: Path, *, from_end: bool = False) -> None:
        """Scan ``path`` at the end of the run (from its current end, with ``from_end``)."""
        self.files.append(path)
        if from_end and path.exists():
            self.offsets[path] = path.stat().st_size

    def _all_lines(self) -> Iterator[tuple[str, str]]:
        for line in self.lines:
            yield "test process", line
        for path in dict.fromkeys(self.files):
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(self.offsets.get(path, 0))
                text = handle.read().decode("utf-8", "replace")
            for line in text.splitlines():
                yield str(path), line

    def findings(self) -> list[str]:
        """Every line that holds a secret or a parameter: where, what, and the line masked."""
        secrets = sorted((s for s in self.secrets if len(s) >= 8), key=len, reverse=True)
        found: list[str] = []
        for where, line in self._all_lines():
            problems = [name for name, pattern in LEAK_PATTERNS if pattern.search(line)]
            problems += ["a secret of the run" for secret in secrets if secret in line]
            if problems:
                found.append(f"{where}: {', '.join(problems)}: {_masked(line, secrets)[:400]}")
        return found

    def scanned(self) -> tuple[int, int]:
        """(log records of the test process, files) collected so far."""
        return len(self.lines), len(set(self.files))


def _masked(line: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        line = line.replace(secret, "<secret>")
    for _, pattern in LEAK_PATTERNS[4:]:
        line = pattern.sub("<secret>", line)
    return line


_audit: LogAudit | None = None


def current() -> LogAudit | None:
    """The run's audit (None outside a test run with the plugin)."""
    return _audit


def start() -> LogAudit:
    global _audit
    _audit = LogAudit()
    return _audit


def register_secret(value: str) -> None:
    """A secret the run made (a password, a key, a token): no log line may hold it."""
    if _audit is not None and value:
        _audit.secrets.add(value)


def watch_file(path: Path) -> None:
    """A service process's log file, scanned at the end of the run."""
    if _audit is not None:
        _audit.watch(path)
