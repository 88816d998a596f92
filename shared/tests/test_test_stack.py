"""The test stack's lifecycle: a run stops what it started (or keeps it, saying so, for `make down`
to stop), and a port someone else holds is named with its holder instead of "did not start"."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared.testing.infra import KEEP_STACK, PostgresServer, repo_root
from shared.testing.processes import free_port


def _script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(repo_root() / "deploy" / name), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def listener() -> Iterator[int]:
    """A port held by this very process, as another program would hold it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", free_port()))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    ("script", "variable"), [("postgres.sh", "PG_PORT"), ("kafka.sh", "KAFKA_PORT")]
)
def test_a_taken_port_names_the_process_holding_it(
    script: str, variable: str, listener: int, tmp_path: Path
) -> None:
    started = _script(script, "start", CANOPY_STACK_DIR=str(tmp_path), **{variable: str(listener)})
    assert started.returncode != 0
    assert f"port {listener}" in started.stderr
    assert f"pid {os.getpid()} (" in started.stderr, started.stderr
    assert "python" in started.stderr
    assert variable in started.stderr


def test_a_run_stops_the_server_it_started_and_a_kept_one_is_stopped_by_make_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_DATABASE_ADMIN_URL", raising=False)
    monkeypatch.delenv(KEEP_STACK, raising=False)  # the run itself may keep its stack
    port = str(free_port())
    env = {"CANOPY_STACK_DIR": str(tmp_path), "PG_PORT": port}
    try:
        server = PostgresServer.acquire(port=port, stack_dir=tmp_path)
        assert server.started_here
        assert server.release() == f"PostgreSQL on 127.0.0.1:{port}: stopped (this run started it)"
        assert _script("postgres.sh", "status", **env).returncode != 0

        monkeypatch.setenv(KEEP_STACK, "1")
        kept = PostgresServer.acquire(port=port, stack_dir=tmp_path)
        assert "kept running for the next run" in kept.release()
        again = PostgresServer.acquire(port=port, stack_dir=tmp_path)
        assert not again.started_here
        assert "left running, as it was before this run" in again.release()
        assert _script("postgres.sh", "status", **env).returncode == 0
        # What `make down` runs for the test stacks, whatever their ports.
        assert _script("postgres.sh", "stop-all", CANOPY_STACK_DIR=str(tmp_path)).returncode == 0
        assert _script("postgres.sh", "status", **env).returncode != 0
    finally:
        _script("postgres.sh", "wipe", **env)
