"""Service processes in tests and benchmarks: a free port to start one on, starting one (``python
-m <service> api|relay|worker|migrate``) and waiting until it answers, the CPU time it (and its
workers) used, read from /proc, and the wrk load generator the benchmarks drive it with."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.testing.log_audit import watch_file

__all__ = [
    "ServiceProcess",
    "children",
    "cpu_seconds",
    "ensure_wrk",
    "free_port",
    "launch_service",
    "run_service_command",
    "start_service",
    "stop_all",
    "tree_cpu_seconds",
    "wait_healthy",
]


_given: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and not one given before (the
    processes started side by side have not bound theirs yet)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port


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


@dataclass
class ServiceProcess:
    """A service process started by :func:`start_service`; ``url`` is empty for a non-API one.
    ``metrics_url`` serves its ``/metrics`` and ``/healthz`` (the API's own, or the relay's or
    worker's metrics port)."""

    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log: Path
    metrics_url: str = ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 15 s."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=15)

    def ready(self, seconds: float = 300) -> ServiceProcess:
        """Itself, once its /healthz answers 200 (at once for a process without one); stopped,
        and the error raised, if it exits first or ``seconds`` pass (generous: processes started
        side by side on a loaded machine share its cores for their imports)."""
        if self.metrics_url:
            try:
                wait_healthy(self.metrics_url, self.popen, seconds=seconds, log=self.log)
            except BaseException:
                self.stop()
                raise
        return self


def stop_all(processes: Iterable[ServiceProcess]) -> None:
    """Stop them all: SIGTERM to every one at once (each takes a moment to close its
    connections), then as :meth:`ServiceProcess.stop`, in order."""
    processes = list(processes)
    for process in processes:
        if process.popen.poll() is None:
            process.popen.terminate()
    for process in processes:
        process.stop()


def start_service(
    module: str, env: dict[str, str], logs: Path, *, command: str = "api", name: str | None = None
) -> ServiceProcess:
    """``python -m <module> <command>`` with ``env`` added to this environment, its output in
    ``logs/<name>.log``. An API gets a free port, a relay or worker a free metrics port; either
    is returned once its /healthz answers 200."""
    return launch_service(module, env, logs, command=command, name=name).ready()


def launch_service(
    module: str, env: dict[str, str], logs: Path, *, command: str = "api", name: str | None = None
) -> ServiceProcess:
    """As :func:`start_service`, without waiting for it to answer: several processes start side
    by side (their imports take seconds of CPU each), then :meth:`ServiceProcess.ready` waits."""
    name = name or f"{module}-{command}"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    watch_file(log)  # the log audit reads it at the end of the run
    args = [sys.executable, "-m", module, command]
    url = metrics_url = ""
    if command == "api":
        port = free_port()
        args += ["--port", str(port)]
        url = metrics_url = f"http://127.0.0.1:{port}"
    elif command in ("relay", "worker"):
        port = free_port()
        args += ["--metrics-port", str(port)]
        metrics_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
    return ServiceProcess(name=name, url=url, popen=popen, log=log, metrics_url=metrics_url)


def run_service_command(
    module: str, args: list[str], env: dict[str, str], *, stdin: str | None = None
) -> str:
    """Run ``python -m <module> <args...>`` to completion (migrate, create-admin ...); its output,
    or RuntimeError with it when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin.encode() if stdin is not None else None,
        env={**os.environ, **env},
        capture_output=True,
        check=False,
    )
    output = (result.stdout + result.stderr).decode(errors="replace")
    if result.returncode != 0:
        raise RuntimeError(f"python -m {module} {' '.join(args)} failed: {output[-2000:]}")
    return output


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages first when missing (as root only)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    sys.stderr.write("installing wrk from Debian's packages ...\n")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"
