"""A bounded schemathesis run of the whole public API, the gateway in front of the real inventory
service, both running as processes on real ports (``python -m gateway api``,
``python -m inventory api``) on real PostgreSQL: no 5xx anywhere, and no answer that breaks the
gateway's OpenAPI document (status code, content type, body schema). Every operation also gets
the inputs a generator rarely draws (shared.testing.fuzz_inputs): forged cursors in every list,
boundary instants in every date-time field and JSON numbers in every string field, each a 4xx
(a number in a quantity or money field says to send a decimal string)."""

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
from shared.testing.fuzz_inputs import (
    Targeted,
    left_untried,
    refused_before_the_application,
    run_targeted,
    targeted_inputs,
)

EXAMPLES_PER_MODE = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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
        if refused_before_the_application(response):
            return
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
    url = running_platform.gateway_url
    auth = {"X-API-Key": running_platform.admin_key()}
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
