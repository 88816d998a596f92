"""The /_sandbox harness API, seeds, determinism, and the command-line server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[3]
DEMO_SEED = REPO / "deploy" / "metrc-sandbox" / "demo-seed.json"


def test_reset_without_body_loads_the_default_seed(sbx: Any) -> None:
    response = sbx.admin.post("/_sandbox/reset")
    assert response.status_code == 200
    state = sbx.state()
    demo = "SF-SBX-CO-21-8002"
    tags = [t for t in state["tags"] if t["license_number"] == demo]
    assert sum(t["type"] == "Package" for t in tags) == 200
    assert sum(t["type"] == "Plant" for t in tags) == 200
    [package] = state["packages"]
    assert (package["Quantity"], package["UnitOfMeasureName"], package["status"]) == (
        100,
        "Grams",
        "active",
    )
    assert package["LocationName"] == "Vault"
    with httpx.Client(base_url=str(sbx.admin.base_url), auth=("vendor-key", "user-key")) as client:
        facilities = client.get("/facilities/v2/").json()
    assert [f["Name"] for f in facilities] == ["Canopy Test Facility"]
    assert sbx.admin.post("/_sandbox/reset", json={}).status_code == 200


def test_reset_is_deterministic(sbx: Any, seed_document: dict[str, Any]) -> None:
    from_first = sbx.state()
    sbx.packages()  # reads change nothing
    sbx.admin.post("/_sandbox/reset", json=seed_document).raise_for_status()
    from_second = sbx.state()
    assert [t["Label"] for t in from_first["tags"]] == [t["Label"] for t in from_second["tags"]]
    assert [p["Id"] for p in from_first["packages"]] == [p["Id"] for p in from_second["packages"]]


def test_a_different_seed_gives_different_tags(sbx: Any, seed_document: dict[str, Any]) -> None:
    before = {t["Label"] for t in sbx.state()["tags"]}
    seed = {**seed_document, "seed": 8}
    sbx.admin.post("/_sandbox/reset", json=seed).raise_for_status()
    assert before.isdisjoint(t["Label"] for t in sbx.state()["tags"])


def test_bad_seeds_are_refused(sbx: Any, seed_document: dict[str, Any]) -> None:
    missing = sbx.admin.post("/_sandbox/reset", json={"seed": 1, "users": [], "facilities": []})
    assert missing.status_code == 422
    typo = {
        **seed_document,
        "items": [
            {
                "license_number": sbx.A,
                "name": "X",
                "category": "Flowers",
                "unit_of_measure": "Grams",
            }
        ],
    }
    assert sbx.admin.post("/_sandbox/reset", json=typo).status_code == 400


def test_seeded_package_may_name_its_tag(sbx: Any, seed_document: dict[str, Any]) -> None:
    seed = seed_document
    label = "1A4FF0100000000000000042"
    seed = {
        **seed,
        "packages": [
            {
                "license_number": sbx.A,
                "tag": label,
                "item": "Flower",
                "quantity": "3",
                "unit_of_measure": "Grams",
                "on_hold": True,
            }
        ],
    }
    sbx.admin.post("/_sandbox/reset", json=seed).raise_for_status()
    assert [p["Label"] for p in sbx.packages("onhold")] == [label]


def test_state_document_has_everything(sbx: Any) -> None:
    state = sbx.state()
    assert set(state) >= {
        "facilities",
        "tags",
        "packages",
        "adjustments",
        "plant_batches",
        "plants",
        "harvests",
        "transfer_templates",
        "manifests",
        "requests",
        "writes_applied",
        "locations",
        "items",
        "strains",
    }
    assert {"Label", "Quantity", "UnitOfMeasureName", "status", "license_number"} <= set(
        state["packages"][0]
    )
    assert {"Label", "used", "type", "license_number"} <= set(state["tags"][0])


def test_config_round_trip_and_validation(sbx: Any) -> None:
    config = sbx.admin.get("/_sandbox/config").json()
    assert config == {
        "latency_ms": 0,
        "jitter_ms": 0,
        "get_rate_per_facility": 50,
        "get_rate_per_vendor": 150,
        "concurrency_per_facility": 10,
        "concurrency_per_vendor": 30,
        "max_page_size": 20,
        "max_write_objects": 10,
        "last_modified_max_hours": 24,
        "retry_after_seconds": 1,
        "rate_limits_enabled": True,
    }
    changed = sbx.admin.put("/_sandbox/config", json={"latency_ms": 5, "max_page_size": 5}).json()
    assert (changed["latency_ms"], changed["max_page_size"], changed["max_write_objects"]) == (
        5,
        5,
        10,
    )
    assert sbx.admin.put("/_sandbox/config", json={"max_page_size": 0}).status_code == 422
    assert sbx.admin.put("/_sandbox/config", json={"nonsense": 1}).status_code == 422
    assert sbx.admin.get("/_sandbox/config").json()["max_page_size"] == 5


def test_bulk_packages_get_fresh_tags(sbx: Any) -> None:
    free_before = sbx.package_tags()
    body = {
        "license_number": sbx.A,
        "count": 500,
        "item": "Flower",
        "quantity": "10",
        "unit_of_measure": "Grams",
        "location": "Vault",
    }
    assert sbx.admin.post("/_sandbox/packages/bulk", json=body).json() == {"created": 500}
    assert sbx.get("/packages/v2/active", pageSize=1).json()["TotalRecords"] == 503
    assert sbx.package_tags() == free_before
    bad = {**body, "item": "Nope"}
    assert sbx.admin.post("/_sandbox/packages/bulk", json=bad).status_code == 400


def test_demo_seed_file_is_a_valid_seed(sbx: Any) -> None:
    seed = json.loads(DEMO_SEED.read_text())
    sbx.admin.post("/_sandbox/reset", json=seed).raise_for_status()
    assert len(sbx.packages(license_number="SF-SBX-CO-21-8002")) == len(seed["packages"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_command_line_server_starts_with_a_seed_file() -> None:
    port = _free_port()
    env = {**os.environ, "METRC_SANDBOX_LATENCY_MS": "1"}
    command = [
        sys.executable,
        "-m",
        "metrc_sandbox",
        "serve",
        "--port",
        str(port),
        "--seed-file",
        str(DEMO_SEED),
        "--log-level",
        "warning",
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as process:
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stdout.read() if process.stdout else ""
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert health.json() == {"status": "ok"}
            config = httpx.get(f"http://127.0.0.1:{port}/_sandbox/config").json()
            assert config["latency_ms"] == 1
        finally:
            process.terminate()
            process.wait(timeout=10)
