"""The API's worker supervisor: one SO_REUSEPORT socket per worker, restarts, clean stops."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared.api_workers import WorkerSupervisor, reuse_port_sockets


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_each_worker_gets_its_own_listening_socket_on_one_port() -> None:
    sockets = reuse_port_sockets("127.0.0.1", 0, 3)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(ports) == 1
        assert len({sock.fileno() for sock in sockets}) == 3
        for sock in sockets:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert sock.get_inheritable()
    finally:
        for sock in sockets:
            sock.close()


def test_a_port_something_else_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError, match="in use"):
            reuse_port_sockets("127.0.0.1", other.getsockname()[1], 2)
    # Another group of reuse-port workers (a second copy of the service) is refused too, though
    # the kernel would have let it join the group and take half the connections.
    first = reuse_port_sockets("127.0.0.1", 0, 2)
    try:
        with pytest.raises(OSError, match="in use"):
            reuse_port_sockets("127.0.0.1", first[0].getsockname()[1], 2)
    finally:
        for sock in first:
            sock.close()


@contextlib.contextmanager
def sigterm_after(seconds: float) -> Iterator[None]:
    """SIGTERM to this process (the supervisor under test) after ``seconds``; never once the
    block is over, when nothing would handle it and pytest itself would die."""
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def worker_command(tmp_path: Path, body: str) -> list[str]:
    """A worker that records its pid in tmp_path, then runs ``body``."""
    script = (
        "import os, sys, time, pathlib\n"
        f"pathlib.Path({str(tmp_path)!r}, str(os.getpid())).write_text(sys.argv[1])\n" + body
    )
    return [sys.executable, "-c", script]


def test_a_worker_that_dies_is_restarted_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    sockets = reuse_port_sockets("127.0.0.1", 0, 2)
    # Each worker lives 0.5 s (past the startup grace), then exits as if it had crashed.
    command = worker_command(tmp_path, "time.sleep(0.5)\nsys.exit(70)\n")
    supervisor = WorkerSupervisor(
        sockets, lambda fd: [*command, str(fd)], startup_grace=0.2, stop_timeout=5
    )
    started = time.monotonic()
    with sigterm_after(2.5):
        assert supervisor.run() == 0
    assert time.monotonic() - started < 8
    pids = [int(path.name) for path in tmp_path.iterdir()]
    # Both slots were restarted at least once, each always with its own socket.
    fds = [path.read_text() for path in tmp_path.iterdir()]
    assert len(pids) >= 4
    assert len(set(fds)) == 2
    assert not [pid for pid in pids if alive(pid)]
    assert all(sock.fileno() == -1 for sock in sockets)  # closed when the supervisor ends


def test_sigterm_reaches_every_running_worker(tmp_path: Path) -> None:
    sockets = reuse_port_sockets("127.0.0.1", 0, 2)
    # Workers that would run for a minute: the supervisor's SIGTERM is what ends them.
    command = worker_command(tmp_path, "time.sleep(60)\n")
    supervisor = WorkerSupervisor(sockets, lambda fd: [*command, str(fd)], stop_timeout=5)
    started = time.monotonic()
    with sigterm_after(1.5):
        assert supervisor.run() == 0
    assert time.monotonic() - started < 6
    pids = [int(path.name) for path in tmp_path.iterdir()]
    assert len(pids) == 2
    assert not [pid for pid in pids if alive(pid)]


def test_a_worker_that_cannot_start_stops_the_supervisor(tmp_path: Path) -> None:
    sockets = reuse_port_sockets("127.0.0.1", 0, 2)
    command = worker_command(tmp_path, "sys.exit('bad setting')\n")
    supervisor = WorkerSupervisor(sockets, lambda fd: [*command, str(fd)])
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 5
    assert not [pid for pid in map(int, os.listdir(tmp_path)) if alive(pid)]
