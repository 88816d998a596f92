"""Real Kafka and PostgreSQL for tests: attach to what the environment names, else start the native stack.

``KAFKA_BOOTSTRAP_SERVERS`` and ``TEST_DATABASE_ADMIN_URL`` (a superuser URL) win. Otherwise the
project's own scripts under deploy/ start a broker and a cluster on test-only ports
(``CANOPY_TEST_KAFKA_PORT``, 29092; ``CANOPY_TEST_PG_PORT``, 55433) in ``.stack/test``. What a run
started, it stops when it ends (:meth:`release`), unless ``CANOPY_TEST_KEEP_STACK=1`` keeps it for
the next run's speed; either way the run says so at its end, and ``make down`` stops a kept one.
A server that was already running is left as it was. Nothing is skipped: if the infrastructure
cannot start, the tests fail and say why (a taken port names the process holding it).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

import asyncpg

__all__ = ["KEEP_STACK", "KafkaServer", "PostgresServer", "repo_root"]

KEEP_STACK = "CANOPY_TEST_KEEP_STACK"
"""Set to 1 to leave the test stack a run started running after it, for the next run's speed."""


def repo_root() -> Path:
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "deploy" / "kafka.sh").is_file():
            return candidate
    raise RuntimeError(
        "run the tests from inside the Canopy repository (deploy/kafka.sh not found)"
    )


def _test_stack_dir() -> Path:
    return repo_root() / ".stack" / "test"


def _keep() -> bool:
    return os.environ.get(KEEP_STACK, "") not in ("", "0")


def _running(script: str, env: dict[str, str]) -> bool:
    completed = subprocess.run(
        [str(repo_root() / "deploy" / script), "status"],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=False,
    )
    return completed.returncode == 0


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


@dataclass(kw_only=True)
class _NativeServer:
    """A server of the native stack the tests may stop, kill and start again (only when they
    started it themselves): its deploy/ script does the work."""

    _script: ClassVar[str]
    _what: ClassVar[str]
    _name: ClassVar[str]
    controllable: bool
    _env: dict[str, str] = field(default_factory=dict)
    started_here: bool = False

    def _control(self, action: str) -> None:
        if not self.controllable:
            raise RuntimeError(
                f"this {self._what} belongs to the environment; the tests cannot control it"
            )
        _run(self._script, action, self._env)

    def start(self) -> None:
        self._control("start")

    def stop(self) -> None:
        self._control("stop")

    def kill(self) -> None:
        self._control("kill")

    @property
    def _where(self) -> str:
        raise NotImplementedError

    def _bring_up(self) -> Self:
        """Start the server unless it runs already (then the run leaves it running at its end)."""
        self.started_here = not _running(self._script, self._env)
        self.start()
        return self

    def release(self) -> str:
        """At the end of a run: stop the server if this run started it (see the module)."""
        name, where = self._name, self._where
        if not self.controllable:
            return f"{name} at {where}: the environment's, left as it is"
        if not self.started_here:
            return f"{name} on {where}: left running, as it was before this run"
        if _keep():
            return (
                f"{name} on {where}: kept running for the next run ({KEEP_STACK}=1);"
                " `make down` stops it"
            )
        self.stop()
        return f"{name} on {where}: stopped (this run started it)"


@dataclass(kw_only=True)
class KafkaServer(_NativeServer):
    """A broker the tests may stop, kill and start again (only when they started it themselves)."""

    _script = "kafka.sh"
    _what = "broker"
    _name = "Kafka"
    bootstrap: str

    @classmethod
    def acquire(cls, *, stack_dir: Path | None = None) -> KafkaServer:
        if external := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            return cls(bootstrap=external, controllable=False)
        port = os.environ.get("CANOPY_TEST_KAFKA_PORT", "29092")
        env = {"KAFKA_PORT": port, "CANOPY_STACK_DIR": str(stack_dir or _test_stack_dir())}
        return cls(bootstrap=f"127.0.0.1:{port}", controllable=True, _env=env)._bring_up()

    @property
    def _where(self) -> str:
        return self.bootstrap


@dataclass(kw_only=True)
class PostgresServer(_NativeServer):
    """A cluster the tests may stop, kill and start again (only when they started it themselves)."""

    _script = "postgres.sh"
    _what = "database"
    _name = "PostgreSQL"
    admin_url: str
    _templates: dict[str, str] = field(default_factory=dict)
    """This run's template databases by what they hold (see :meth:`copy_of_template`)."""

    @classmethod
    def acquire(cls, *, port: str | None = None, stack_dir: Path | None = None) -> PostgresServer:
        if external := os.environ.get("TEST_DATABASE_ADMIN_URL"):
            return cls(admin_url=external, controllable=False)
        port = port or os.environ.get("CANOPY_TEST_PG_PORT", "55433")
        env = {
            "PG_PORT": port,
            "PG_FAST": "1",
            "CANOPY_STACK_DIR": str(stack_dir or _test_stack_dir()),
        }
        return cls(
            admin_url=f"postgresql://postgres:postgres@127.0.0.1:{port}/postgres",
            controllable=True,
            _env=env,
        )._bring_up()

    @property
    def _where(self) -> str:
        return self.admin_url.rsplit("@", 1)[-1].split("/", 1)[0]

    def log_file(self) -> Path | None:
        """The server's own log (None for the environment's server)."""
        if not self.controllable:
            return None
        completed = subprocess.run(
            [str(repo_root() / "deploy" / "postgres.sh"), "logfile"],
            env={**os.environ, **self._env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return Path(completed.stdout.strip())

    def url_for(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        base, _ = self.admin_url.rsplit("/", 1)
        return f"{base.replace('postgresql://', driver + '://', 1)}/{database}"

    async def create_database(self, prefix: str = "test", *, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``; returns its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            await conn.close()
        return name

    async def copy_of_template(
        self, key: str, build: Callable[[str], Awaitable[object]], prefix: str = "test"
    ) -> str:
        """A new database copied from this run's template ``key``; returns its name.

        The first time ``key`` is asked for, ``build(name)`` fills a new database (migrates
        it, say) which then serves as the template of every later copy: ``CREATE DATABASE
        ... TEMPLATE`` takes a fraction of a second, migrating takes seconds. The templates
        are dropped when the run releases the server."""
        template = self._templates.get(key)
        if template is None:
            template = await self.create_database("tpl")
            try:
                await build(template)
            except BaseException:
                await self.drop_database(template)
                raise
            self._templates[key] = template
        return await self.create_database(prefix, template=template)

    def release(self) -> str:
        """Drop this run's templates, then as any server (see :class:`_NativeServer`)."""
        left = ""
        if self._templates:
            # On a loop of its own in a thread of its own: a benchmark may release from inside its
            # running loop, where this thread cannot run another.
            with ThreadPoolExecutor(max_workers=1) as thread:
                try:
                    thread.submit(asyncio.run, self._drop_templates()).result()
                except (OSError, asyncpg.PostgresError) as error:
                    left = f" (its template databases were not all dropped: {error})"
            self._templates.clear()
        return super().release() + left

    async def _drop_templates(self) -> None:
        for name in self._templates.values():
            await self.drop_database(name)

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
