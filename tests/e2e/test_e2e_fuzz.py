"""A bounded schemathesis run of the whole public API, the gateway in front of the real inventory
service, both running as processes on real ports (``python -m gateway api``,
``python -m inventory api``) on real PostgreSQL: no 5xx anywhere, and no answer that breaks the
gateway's OpenAPI document (status code, content type, body schema). Every operation also gets
the inputs a generator rarely draws (shared.testing.fuzz_inputs): forged cursors in every list,
boundary instants in every date-time field and JSON numbers in every string field, each a 4xx
(a number in a quantity or money field says to send a decimal string)."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from shared.testing.fuzz_inputs import Targeted, left_untried, run_targeted, targeted_inputs
from shared.testing.processes import free_port, wait_healthy

EXAMPLES_PER_MODE = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ADMIN_PASSWORD = "the fuzzing admin's password"


def start(module: str, env: dict[str, str], log_path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", module, "api", "--port", str(port)],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log=log_path)
    return url, process


@pytest.fixture
def running_platform(databases, identity_keys, kafka_server, tmp_path):
    common = {"CANOPY_ENV": "test", "OTEL_TRACES_EXPORTER": "none", "LOG_LEVEL": "WARNING"}
    inventory_url, inventory = start(
        "inventory",
        {
            **common,
            "INVENTORY_DATABASE_URL": databases[0],
            "CANOPY_IDENTITY_PUBLIC_KEY": identity_keys[1],
            "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        },
        tmp_path / "inventory.log",
    )
    gateway_env = {
        **common,
        "GATEWAY_DATABASE_URL": databases[1],
        "GATEWAY_IDENTITY_PRIVATE_KEY": identity_keys[0],
        "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        "GATEWAY_ARGON2_TIME_COST": "1",
        "GATEWAY_ARGON2_MEMORY_KIB": "1024",
        "GATEWAY_ARGON2_PARALLELISM": "1",
        "INVENTORY_URL": inventory_url,
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "create-admin",
            "--email",
            "fuzz@test.example",
            "--password-stdin",
        ],
        input=(ADMIN_PASSWORD + "\n").encode(),
        env={**os.environ, **gateway_env},
        capture_output=True,
        check=True,
    )
    gateway_url, gateway = start("gateway", gateway_env, tmp_path / "gateway.log")
    try:
        yield gateway_url
    finally:
        for process in (gateway, inventory):
            process.terminate()
            process.wait(timeout=15)


def admin_key(url: str) -> str:
    login = httpx.post(
        url + "/api/v1/auth/login", json={"email": "fuzz@test.example", "password": ADMIN_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # An API key, not the session: fuzzing POST /auth/logout must not end the fuzzer's access.
    key = httpx.post(
        url + "/api/v1/api-keys",
        json={"name": "fuzz", "roles": ["Admin"], "sites": ["*"]},
        headers=auth,
    ).json()["key"]
    # Some data for the generated requests to find.
    site = httpx.post(
        url + "/api/v1/sites",
        json={"name": "Fuzz", "licenseNumber": "FUZZ-1", "state": "OR"},
        headers=auth,
    )
    assert site.status_code == 201, site.text
    return str(key)


def fuzz_mode(operation, mode, pending: list[Targeted], url: str, auth: dict[str, str]) -> None:
    """The generated cases of one operation in one mode; in the positive mode, each case also
    carries what ``pending`` still holds (boundary instants, forged cursors, numbers)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call(base_url=url, headers=auth, timeout=30)
        case.validate_response(response, checks=CHECKS)
        if mode is GenerationMode.POSITIVE:
            run_targeted(case, pending, base_url=url, headers=auth, checks=CHECKS, timeout=30)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid: an operation without parameters or body.
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_the_whole_public_api_survives_fuzzing(running_platform):
    url = running_platform
    auth = {"X-API-Key": admin_key(url)}
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    document = httpx.get(url + "/openapi.json").json()
    fuzzed = []
    targeted: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        pending = targeted_inputs(document, operation.method, operation.path)
        targeted += [t.describe() for t in pending]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_mode(operation, mode, pending, url, auth)
        assert not left_untried(pending), (operation.path, left_untried(pending))
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    # Every operation of the document (the health probes included) was fuzzed.
    assert len(fuzzed) == len(
        [m for item in httpx.get(url + "/openapi.json").json()["paths"].values() for m in item]
    )
    assert len(fuzzed) > 50
    # Every list's cursor got the forged ones, both as-of routes and the API key's expiry the
    # boundary instants, every quantity and money field of every write the numbers.
    cursors = {t.split(" in ")[1] for t in targeted if t.startswith("cursor")}
    assert len([t for t in targeted if t.startswith("cursor")]) >= 8 * 7, cursors
    assert len([t for t in targeted if t.startswith("instant") and "query at" in t]) == 2 * 7
    decimals = [t for t in targeted if t.startswith("number") and "quantity" in t.lower()]
    assert len(decimals) >= 10 * 6
