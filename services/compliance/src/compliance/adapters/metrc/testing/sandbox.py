"""The Metrc sandbox run as an external process, driven through its admin API."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import IO, Any

import httpx
from shared.testing.processes import free_port

from compliance.adapters.metrc.control import SentTransfer
from compliance.adapters.metrc.testing.world import (
    MetrcWorld,
    WorldFacility,
    WorldItem,
    WorldPackage,
)

__all__ = ["SandboxProcess", "default_seed"]


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

    def __init__(self, *, python: str | None = None) -> None:
        self.python = python or sys.executable
        self.host = "127.0.0.1"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, *, timeout: float = 30.0) -> None:
        self.port = free_port()
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

    # --- what Metrc's web UI does (``MetrcControl``) -------------------------------------------

    async def load(self, world: MetrcWorld) -> None:
        await self.reset(world.sandbox_seed())

    async def hold_package(self, label: str) -> None:
        await self._admin("POST", f"/_sandbox/packages/{label}/hold")

    async def release_package(self, label: str) -> None:
        await self._admin("POST", f"/_sandbox/packages/{label}/release")

    async def send_transfer_template(self, template_id: int) -> SentTransfer:
        sent = await self._admin("POST", f"/_sandbox/transfers/{template_id}/send")
        return SentTransfer(sent["transfer_id"], sent["manifest_number"], sent["delivery_ids"])

    async def receive_delivery(self, delivery_id: int, *, accept: bool) -> None:
        outcome = "accept" if accept else "reject"
        await self._admin("POST", f"/_sandbox/transfers/deliveries/{delivery_id}/{outcome}")

    async def receive_delivery_packages(
        self, delivery_id: int, decisions: dict[str, Decimal | None]
    ) -> None:
        """Partial acceptance: each named package accepted with the quantity given (``None``:
        rejected); packages not named are accepted as shipped."""
        packages = [
            {"label": label, "accepted": quantity is not None}
            | ({} if quantity is None else {"received_quantity": str(quantity)})
            for label, quantity in decisions.items()
        ]
        await self._admin(
            "POST", f"/_sandbox/transfers/deliveries/{delivery_id}/receive", {"packages": packages}
        )


def default_seed(
    license_number: str = "SF-SBX-CO-21-8002",
    *,
    package_tags: int = 200,
    plant_tags: int = 200,
    packages: int = 1,
) -> dict[str, Any]:
    """A one-facility cultivation seed (one location, strain and item; ``packages`` packages of
    100 g) in the sandbox's seed format."""
    world = MetrcWorld(
        facilities=(
            WorldFacility(
                license_number,
                "Canopy Test Facility",
                package_tags=package_tags,
                plant_tags=plant_tags,
            ),
        ),
        items=(WorldItem(license_number, "Blue Dream Flower", "Buds", "Grams", "Blue Dream"),),
        packages=tuple(
            WorldPackage(license_number, "Blue Dream Flower", Decimal("100.0"), "Grams", "Vault")
            for _ in range(packages)
        ),
    )
    return world.sandbox_seed()
