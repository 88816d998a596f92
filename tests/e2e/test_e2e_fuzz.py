"""A bounded schemathesis run of the whole public API, the gateway in front of the real inventory
service, both running as processes on real ports (``python -m gateway api``,
``python -m inventory api``: the ``running_platform`` fixture of tests/conftest.py) on real
PostgreSQL: no 5xx anywhere, and no answer that breaks the gateway's OpenAPI document (status
code, content type, body schema)."""

from __future__ import annotations

import httpx
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

EXAMPLES_PER_MODE = 10
HTTP_FRAMING = {"transfer-encoding", "content-length", "connection", "te", "upgrade", "host"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def admin_key(platform) -> str:
    url = platform.gateway_url
    auth = {"Authorization": f"Bearer {platform.admin_token()}"}
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


def test_the_whole_public_api_survives_fuzzing(running_platform):
    url = running_platform.gateway_url
    auth = {"X-API-Key": admin_key(running_platform)}
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

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
                # Framing headers belong to HTTP itself: a request with a made-up one (say
                # Transfer-Encoding: f<5p) is refused by uvicorn's parser, in plain text, before
                # any of our code can answer; what the API answers is what is tested here.
                for name in list(case.headers or {}):
                    if name.lower() in HTTP_FRAMING:
                        del case.headers[name]
                response = case.call(base_url=url, headers=auth, timeout=30)
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid: an operation without parameters or body.
                if mode is not GenerationMode.NEGATIVE:
                    raise
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    # Every operation of the document (the health probes included) was fuzzed.
    assert len(fuzzed) == len(
        [m for item in httpx.get(url + "/openapi.json").json()["paths"].values() for m in item]
    )
    assert len(fuzzed) > 50
