"""Service processes in tests and benchmarks: a free port to start one on, waiting until it
answers, and the CPU time it (and its workers) used, read from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

__all__ = ["children", "cpu_seconds", "free_port", "tree_cpu_seconds", "wait_healthy"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], *, seconds: float = 60, log: Path | None = None
) -> None:
    """Return once ``url``/healthz answers 200. Raise if ``process`` exits first (with the end
    of its ``log``, if given) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            told = f": {log.read_text()[-2000:]}" if log is not None else ""
            raise RuntimeError(f"{url} exited with {process.returncode}{told}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not start in {seconds} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still running (an API's workers)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children, theirs included."""
    return cpu_seconds(pid) + sum(tree_cpu_seconds(child) for child in children(pid))
