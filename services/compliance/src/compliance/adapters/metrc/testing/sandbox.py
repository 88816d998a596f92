"""Test helpers for code that uses the Metrc client: a fake clock, and the Metrc sandbox run as
an external process (the in-memory port is in ``fake.py``)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

import httpx

__all__ = ["FakeClock", "SandboxProcess", "default_seed"]


class FakeClock:
    """A ``Clock`` whose time moves only when someone sleeps; every sleep is recorded.

    Sleeping still yields to the event loop once, so concurrent tasks interleave as they would
    with real time.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class SandboxProcess:
    """Runs the Metrc sandbox as a separate process and drives its admin API.

    The sandbox is used strictly from outside, over HTTP, the way the real Metrc would be: its
    code is never imported here (the two are written independently so it can catch the client's
    mistakes).

    Example::

        with SandboxProcess() as sandbox:
            await sandbox.reset(default_seed())
            client = MetrcClient(base_url=sandbox.base_url, credentials=...)
    """

    def __init__(self, *, python: str | None = None, host: str = "127.0.0.1") -> None:
        self.python = python or sys.executable
        self.host = host
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout: float = 30.0) -> None:
        self.port = _free_port(self.host)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            [
                self.python,
                "-m",
                "metrc_sandbox",
                "serve",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"sandbox exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/_sandbox/health", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("sandbox did not become healthy in time")

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- admin API -------------------------------------------------------------------------------

    async def _admin(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as http:
            response = await http.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

    async def reset(self, seed: dict[str, Any]) -> Any:
        return await self._admin("POST", "/_sandbox/reset", seed)

    async def configure(self, **config: Any) -> Any:
        return await self._admin("PUT", "/_sandbox/config", config)

    async def add_faults(self, *faults: dict[str, Any]) -> Any:
        return await self._admin("POST", "/_sandbox/faults", list(faults))

    async def clear_faults(self) -> Any:
        return await self._admin("DELETE", "/_sandbox/faults")

    async def state(self) -> Any:
        return await self._admin("GET", "/_sandbox/state")

    async def bulk_packages(self, **spec: Any) -> Any:
        return await self._admin("POST", "/_sandbox/packages/bulk", spec)


def default_seed(
    license_number: str = "SF-SBX-CO-21-8002",
    *,
    vendor_key: str = "vendor-key",
    user_key: str = "user-key",
    package_tags: int = 200,
    plant_tags: int = 200,
    packages: int = 1,
) -> dict[str, Any]:
    """A one-facility cultivation seed in the sandbox's documented format."""
    return {
        "seed": 42,
        "vendor_keys": [vendor_key],
        "users": [{"user_key": user_key, "name": "Demo User", "facilities": [license_number]}],
        "facilities": [
            {
                "license_number": license_number,
                "name": "Canopy Test Facility",
                "state": "CO",
                "license_type": "Marijuana Cultivation",
                "can_create_opening_balance_packages": True,
                "can_grow_plants": True,
            }
        ],
        "locations": [
            {"license_number": license_number, "name": "Vault", "location_type": "Default"}
        ],
        "strains": [{"license_number": license_number, "name": "Blue Dream"}],
        "items": [
            {
                "license_number": license_number,
                "name": "Blue Dream Flower",
                "category": "Buds",
                "unit_of_measure": "Grams",
                "strain": "Blue Dream",
            }
        ],
        "tags": [
            {"license_number": license_number, "type": "Package", "count": package_tags},
            {"license_number": license_number, "type": "Plant", "count": plant_tags},
        ],
        "packages": [
            {
                "license_number": license_number,
                "item": "Blue Dream Flower",
                "quantity": "100.0",
                "unit_of_measure": "Grams",
                "location": "Vault",
            }
            for _ in range(packages)
        ],
    }


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
