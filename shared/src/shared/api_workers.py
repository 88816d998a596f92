"""Several API processes on one port: ``python -m <service> api --workers N``.

Each worker has its own listening socket, bound to the same address with ``SO_REUSEPORT``, so
the kernel spreads new connections over the workers by a hash of each connection's addresses.
uvicorn's own ``--workers`` shares one socket instead, and the worker that wakes first drains
the whole accept queue: on the adjustment benchmark one of two workers took 52 of the 64
connections and the other sat half idle (p99 287 ms; see the README's benchmarks).

The supervisor (this module, in the parent process) binds the sockets, starts one worker per
socket, restarts a worker that dies (connections hashed to its socket wait in that socket's
queue meanwhile, none is refused), and on SIGTERM or SIGINT asks every worker to finish its
requests and stop. A worker dies with its supervisor (``PR_SET_PDEATHSIG``), so a killed
supervisor leaves no worker holding the port.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

__all__ = ["WorkerSupervisor", "die_with_parent", "reuse_port_sockets"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
# A worker that dies soon after starting (within ``startup_grace``), this many times in a row,
# is failing to start (a bad setting, an unreachable file): restarting it forever would only
# hide that.
_QUICK_DEATHS_ALLOWED = 3


def reuse_port_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address, which the kernel balances between.

    A port some other process listens on is refused (``OSError``, address in use) even if that
    process also set ``SO_REUSEPORT``: a plain bind is tried first, which such a process blocks.
    (Two supervisors started in the same instant could both pass that probe; the deploy scripts
    start a service under a lock, so they do not.)
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(2048)
            sock.set_inheritable(True)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel send SIGTERM to this process when ``parent_pid`` (its supervisor) ends;
    if it already has, stop now."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:
        sys.exit("the API supervisor is gone")


class WorkerSupervisor:
    """Runs ``command(fd)`` once per socket and keeps each running until told to stop."""

    def __init__(
        self,
        sockets: Sequence[socket.socket],
        command: Callable[[int], list[str]],
        *,
        stop_timeout: float = 30.0,
        startup_grace: float = 5.0,
    ) -> None:
        self._sockets = list(sockets)
        self._command = command
        self._stop_timeout = stop_timeout
        self._startup_grace = startup_grace
        self._workers: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self._quick_deaths = dict.fromkeys(range(len(self._sockets)), 0)
        self._stopping = False

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; 0 after a clean stop, 1 when a worker cannot start."""
        previous = {
            signum: signal.signal(signum, self._stop) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            for slot in range(len(self._sockets)):
                self._start(slot)
            status = self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            for sock in self._sockets:
                sock.close()
        return status

    def _start(self, slot: int) -> None:
        fd = self._sockets[slot].fileno()
        process = subprocess.Popen(self._command(fd), pass_fds=(fd,))
        self._workers[slot] = (process, time.monotonic())
        log.info("API worker %d started (pid %d)", slot, process.pid)

    def _watch(self) -> int:
        while not self._stopping:
            time.sleep(0.2)
            for slot, (process, started) in list(self._workers.items()):
                code = process.poll()
                if code is None or self._stopping:
                    continue
                quick = time.monotonic() - started < self._startup_grace
                self._quick_deaths[slot] = self._quick_deaths[slot] + 1 if quick else 0
                if self._quick_deaths[slot] >= _QUICK_DEATHS_ALLOWED:
                    log.error(
                        "API worker %d keeps dying as it starts (exit status %s); stopping",
                        slot,
                        code,
                    )
                    return 1
                log.warning("API worker %d (pid %d) died (exit status %s); restarting", slot,
                            process.pid, code)  # fmt: skip
                self._start(slot)
        return 0

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _stop_all(self) -> None:
        """SIGTERM to every worker (uvicorn finishes the requests in flight), SIGKILL to any
        still running after the timeout."""
        processes = [process for process, _ in self._workers.values()]
        for process in processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        # Stop listening at once, as a single uvicorn does: the kernel would otherwise go on
        # completing handshakes on these copies that no worker will ever accept.
        for sock in self._sockets:
            sock.close()
        deadline = time.monotonic() + self._stop_timeout
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
