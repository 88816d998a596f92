"""A bounded schemathesis run of the gateway's OpenAPI document against the running gateway
(``python -m gateway api`` on a real port and a real database): no 5xx from the gateway, and no
answer that breaks the document (status, content type, body schema). Besides the generated
cases, every operation gets the inputs a generator rarely draws (shared.testing.fuzz_inputs):
boundary instants in its date-time fields and JSON numbers in its string fields, refused."""

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
from shared.testing.fuzz_inputs import (
    Targeted,
    left_untried,
    refused_before_the_application,
    run_targeted,
    targeted_inputs,
)
from shared.testing.log_audit import register_secret, watch_file
from shared.testing.processes import free_port, wait_healthy

EXAMPLES_PER_MODE = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def running_gateway(gateway_db, identity_keys, upstream, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "CANOPY_ENV": "test",
        "GATEWAY_DATABASE_URL": gateway_db,
        "GATEWAY_IDENTITY_PRIVATE_KEY": identity_keys[0],
        "GATEWAY_ARGON2_TIME_COST": "1",
        "GATEWAY_ARGON2_MEMORY_KIB": "1024",
        "GATEWAY_ARGON2_PARALLELISM": "1",
        "INVENTORY_URL": upstream.url,
        "COMPLIANCE_URL": upstream.url,
        "OTEL_TRACES_EXPORTER": "none",
        "LOG_LEVEL": "WARNING",
    }
    admin = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "create-admin",
            "--email",
            "fuzz@test.example",
            "--password-stdin",
        ],
        input=b"the fuzzing admin's password\n",
        env=env,
        capture_output=True,
        check=True,
    )
    assert admin.returncode == 0
    register_secret("the fuzzing admin's password")
    watch_file(tmp_path / "gateway.log")
    log = (tmp_path / "gateway.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "api", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, seconds=30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def api_key_for(url: str) -> str:
    login = httpx.post(
        url + "/api/v1/auth/login",
        json={"email": "fuzz@test.example", "password": "the fuzzing admin's password"},
    )
    token = login.json()["access_token"]
    # An API key, not the session: fuzzing POST /auth/logout must not end the fuzzer's own access.
    created = httpx.post(
        url + "/api/v1/api-keys",
        json={"name": "fuzz", "roles": ["Admin"], "sites": ["*"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    register_secret(created.json()["key"])
    return str(created.json()["key"])


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
        response = case.call(base_url=url, headers=auth, timeout=15)
        if refused_before_the_application(response):
            return
        case.validate_response(response, checks=CHECKS)
        if mode is GenerationMode.POSITIVE:
            run_targeted(case, pending, base_url=url, headers=auth, checks=CHECKS, timeout=15)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid: an operation without parameters or body.
        if mode is not GenerationMode.NEGATIVE:
            raise


def fuzz(url: str, auth: dict[str, str], *, include) -> tuple[list[str], list[str]]:
    """(operations fuzzed, targeted inputs sent): the generated cases of every operation, then
    boundary instants, forged cursors and numbers-for-strings derived from them."""
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    document = httpx.get(url + "/openapi.json").json()
    fuzzed: list[str] = []
    targeted: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not include(operation.path):
            continue
        pending = targeted_inputs(document, operation.method, operation.path)
        targeted += [t.describe() for t in pending]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_mode(operation, mode, pending, url, auth)
        assert not left_untried(pending), (operation.path, left_untried(pending))
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    return fuzzed, targeted


def test_the_gateways_own_routes_survive_fuzzing(running_gateway, upstream):
    auth = {"X-API-Key": api_key_for(running_gateway)}
    fuzzed, targeted = fuzz(
        running_gateway,
        auth,
        include=lambda path: path.startswith(
            ("/api/v1/auth", "/api/v1/users", "/api/v1/api-keys", "/api/v1/roles")
        ),
    )
    assert len(fuzzed) == 14
    # The API key's expiry got every boundary instant; the string fields got numbers.
    assert sum("instant" in t and "expires_at" in t for t in targeted) == 7
    assert sum(t.startswith("number") for t in targeted) >= 10
