"""A real sandbox over real HTTP: uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from metrc_sandbox import SandboxConfig, create_app

A = "SF-SBX-CO-21-8002"  # cultivator: grows plants, may create opening balance packages
B = "SF-SBX-CO-22-8002"  # retailer: neither
C = "SF-SBX-CO-23-8002"  # someone else's facility: the test user has no access
AUTH = ("vendor-key", "user-key")

TEST_SEED: dict[str, Any] = {
    "seed": 7,
    "vendor_keys": ["vendor-key", "other-vendor"],
    "users": [
        {"user_key": "user-key", "name": "Test User", "facilities": [A, B]},
        {"user_key": "other-user", "name": "Other User", "facilities": [C]},
    ],
    "facilities": [
        {"license_number": A, "name": "Grower", "license_type": "Marijuana Cultivation"},
        {
            "license_number": B,
            "name": "Store",
            "license_type": "Marijuana Retail",
            "can_create_opening_balance_packages": False,
            "can_grow_plants": False,
        },
        {"license_number": C, "name": "Elsewhere"},
    ],
    "locations": [
        {"license_number": A, "name": "Vault"},
        {"license_number": A, "name": "Grow Room", "location_type": "Planting"},
        {"license_number": A, "name": "Dry Room", "location_type": "Drying"},
        {"license_number": B, "name": "Sales Floor"},
        {"license_number": C, "name": "Vault"},
    ],
    "strains": [
        {"license_number": A, "name": "Blue Dream"},
        {"license_number": B, "name": "Blue Dream"},
        {"license_number": C, "name": "Blue Dream"},
    ],
    "items": [
        {"license_number": A, "name": "Flower", "category": "Buds", "unit_of_measure": "Grams", "strain": "Blue Dream"},
        {"license_number": A, "name": "Gummies", "category": "Infused Edible", "unit_of_measure": "Each"},
        {"license_number": B, "name": "Flower", "category": "Buds", "unit_of_measure": "Grams", "strain": "Blue Dream"},
        {"license_number": C, "name": "Flower", "category": "Buds", "unit_of_measure": "Grams", "strain": "Blue Dream"},
    ],
    "tags": [
        {"license_number": A, "type": "Package", "count": 40},
        {"license_number": A, "type": "Plant", "count": 40},
        {"license_number": B, "type": "Package", "count": 5},
        {"license_number": C, "type": "Package", "count": 5},
    ],
    "packages": [
        {"license_number": A, "item": "Flower", "quantity": "100", "unit_of_measure": "Grams", "location": "Vault"},
        {"license_number": A, "item": "Flower", "quantity": "50.5", "unit_of_measure": "Grams", "location": "Vault"},
        {"license_number": A, "item": "Gummies", "quantity": "12", "unit_of_measure": "Each", "location": "Vault"},
        {"license_number": C, "item": "Flower", "quantity": "10", "unit_of_measure": "Grams", "location": "Vault"},
    ],
}  # fmt: skip


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(SandboxConfig()), log_level="warning", ws="none", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def admin(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, auth=AUTH, timeout=10) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_sandbox(admin: httpx.Client) -> None:
    """Every test starts from TEST_SEED with default config and an empty fault queue."""
    admin.put("/_sandbox/config", json=SandboxConfig().model_dump()).raise_for_status()
    admin.post("/_sandbox/reset", json=TEST_SEED).raise_for_status()


class Harness:
    """What tests need besides raw clients (test modules cannot import conftest under importlib)."""

    A, B, C = A, B, C

    def __init__(self, api: httpx.Client, admin: httpx.Client) -> None:
        self.api = api
        self.admin = admin

    def state(self) -> dict[str, Any]:
        response = self.admin.get("/_sandbox/state")
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def get(self, path: str, license_number: str | None = A, **params: Any) -> httpx.Response:
        if license_number is not None:
            params["licenseNumber"] = license_number
        return self.api.get(path, params=params)

    def write(self, method: str, path: str, rows: Any, license_number: str = A) -> httpx.Response:
        return self.api.request(method, path, params={"licenseNumber": license_number}, json=rows)

    def package_tags(self, license_number: str = A) -> list[str]:
        response = self.get("/tags/v2/package/available", license_number)
        response.raise_for_status()
        return [tag["Label"] for tag in response.json()]

    def plant_tags(self, license_number: str = A) -> list[str]:
        response = self.get("/tags/v2/plant/available", license_number)
        response.raise_for_status()
        return [tag["Label"] for tag in response.json()]

    def packages(self, listing: str = "active", license_number: str = A) -> list[dict[str, Any]]:
        response = self.get(f"/packages/v2/{listing}", license_number)
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["Data"]
        return data

    def package(self, label: str, license_number: str = A) -> dict[str, Any]:
        response = self.get(f"/packages/v2/{label}", license_number)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def faults(self, *rules: dict[str, Any]) -> None:
        self.admin.post("/_sandbox/faults", json=list(rules)).raise_for_status()

    def configure(self, **changes: Any) -> None:
        self.admin.put("/_sandbox/config", json=changes).raise_for_status()


@pytest.fixture
def seed_document() -> dict[str, Any]:
    """A private copy of the seed every test starts from."""
    return copy.deepcopy(TEST_SEED)


@pytest.fixture
def sbx(api: httpx.Client, admin: httpx.Client) -> Harness:
    return Harness(api, admin)
