"""Real Kafka and PostgreSQL for tests: attach to what the environment names, else start the native stack.

``KAFKA_BOOTSTRAP_SERVERS`` and ``TEST_DATABASE_ADMIN_URL`` (a superuser URL) win. Otherwise the
project's own scripts under deploy/ start a broker and a cluster on test-only ports in
``.stack/test`` (left running between sessions for speed; ``make down`` stops them). Nothing is
skipped: if the infrastructure cannot start, the tests fail and say why.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

__all__ = ["KafkaServer", "PostgresServer", "repo_root"]


def repo_root() -> Path:
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "deploy" / "kafka.sh").is_file():
            return candidate
    raise RuntimeError(
        "run the tests from inside the Canopy repository (deploy/kafka.sh not found)"
    )


def _run(script: str, action: str, env: dict[str, str]) -> None:
    completed = subprocess.run(
        [str(repo_root() / "deploy" / script), action],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"deploy/{script} {action} failed ({completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


@dataclass
class KafkaServer:
    """A broker the tests may stop, kill and start again (only when they started it themselves)."""

    bootstrap: str
    controllable: bool
    _env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def acquire(cls) -> KafkaServer:
        if external := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            return cls(bootstrap=external, controllable=False)
        port = os.environ.get("CANOPY_TEST_KAFKA_PORT", "29092")
        env = {"KAFKA_PORT": port, "CANOPY_STACK_DIR": str(repo_root() / ".stack" / "test")}
        server = cls(bootstrap=f"127.0.0.1:{port}", controllable=True, _env=env)
        server.start()
        return server

    def _control(self, action: str) -> None:
        if not self.controllable:
            raise RuntimeError(
                "this broker belongs to the environment; the tests cannot control it"
            )
        _run("kafka.sh", action, self._env)

    def start(self) -> None:
        self._control("start")

    def stop(self) -> None:
        self._control("stop")

    def kill(self) -> None:
        self._control("kill")


@dataclass
class PostgresServer:
    admin_url: str
    controllable: bool
    _env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def acquire(cls) -> PostgresServer:
        if external := os.environ.get("TEST_DATABASE_ADMIN_URL"):
            return cls(admin_url=external, controllable=False)
        port = os.environ.get("CANOPY_TEST_PG_PORT", "55433")
        env = {
            "PG_PORT": port,
            "PG_FAST": "1",
            "CANOPY_STACK_DIR": str(repo_root() / ".stack" / "test"),
        }
        server = cls(
            admin_url=f"postgresql://postgres:postgres@127.0.0.1:{port}/postgres",
            controllable=True,
            _env=env,
        )
        server.start()
        return server

    def _control(self, action: str) -> None:
        if not self.controllable:
            raise RuntimeError(
                "this database belongs to the environment; the tests cannot control it"
            )
        _run("postgres.sh", action, self._env)

    def start(self) -> None:
        self._control("start")

    def stop(self) -> None:
        self._control("stop")

    def kill(self) -> None:
        self._control("kill")

    def url_for(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        base, _ = self.admin_url.rsplit("/", 1)
        return f"{base.replace('postgresql://', driver + '://', 1)}/{database}"

    async def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return name

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
