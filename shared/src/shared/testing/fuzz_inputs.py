"""Inputs a schema-driven fuzzer rarely draws, sent explicitly to every operation that can take
them: boundary instants in every date-time field, forged cursors in every ``cursor`` parameter,
and JSON numbers in every string field of a body (decimal quantities and money above all).

Each of these classes of input once answered 500 (issue 10). The fuzz tests run the generated
cases of each operation, then derive these from one generated case per operation, so a new
operation or field is covered without anyone listing it here.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from shared.contracts.types import DECIMAL_PATTERN, DECIMAL_TOTAL_PATTERN

__all__ = [
    "BOUNDARY_INSTANTS",
    "FORGED_CURSORS",
    "NUMBERS",
    "Targeted",
    "left_untried",
    "refused_before_the_application",
    "run_targeted",
    "targeted_inputs",
]

BOUNDARY_INSTANTS: Final[tuple[tuple[str, bool], ...]] = (
    # (instant, representable): beyond years 1 to 9999 in UTC, or not a date, must be a 422.
    ("9999-12-31T23:59:59-14:00", False),
    ("0001-01-01T00:00:00+14:00", False),
    ("2026-02-30T00:00:00Z", False),
    ("2026-01-01T00:00:00", False),
    ("0001-01-01T00:00:00Z", True),
    ("9999-12-31T23:59:59.999999Z", True),
    ("1970-01-01T00:00:00Z", True),
)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


FORGED_CURSORS: Final[tuple[tuple[str, bool], ...]] = (
    # (cursor, refused by every list). An instant and an id is a forgery for a list by time
    # (a 422), but a well-formed position in a list by name, whose key is any text.
    (_cursor(["0001-01-01T00:00:00+14:00", "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60"]), False),
    (_cursor(["9999-12-31T23:59:59-14:00", "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60"]), False),
    (_cursor(["2026-01-01T00:00:00+05:00", "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60"]), False),
    (_cursor([2**70]), True),
    (_cursor([True]), True),
    (_cursor(["not a uuid"]), True),
    (_cursor(5), True),
    ("not-a-cursor", True),
)
"""Cursors no list issues (or only a list by name could): never a 5xx, mostly a 4xx."""

NUMBERS: Final[tuple[int | float, ...]] = (5, 0.1, -2, 10**30, 1e300, 0)
"""JSON numbers sent where a string belongs, integers first: 5 once moved stock."""

_DECIMAL_PATTERNS: Final = (DECIMAL_PATTERN, DECIMAL_TOTAL_PATTERN)


@dataclass(frozen=True)
class Targeted:
    """One explicit input: where it goes, what it is, and what the answer must be."""

    kind: str  # "instant", "cursor" or "number"
    location: str  # "query" or "body"
    path: tuple[str, ...]
    value: Any
    must_refuse: bool  # a 4xx is required (else only "not a 5xx")
    decimal: bool = False  # a quantity or money field: the message must say "decimal string"

    def apply(self, case: Any) -> Any:
        """A copy of the schemathesis ``case`` carrying this input, or None when the
        generated case has no place for it (an optional object it did not send)."""
        if self.location == "query":
            return case.derive(query={**(case.query or {}), self.path[0]: self.value})
        body = copy.deepcopy(case.body)
        parent = body
        for key in self.path[:-1]:
            if not isinstance(parent, dict) or not isinstance(parent.get(key), dict):
                return None
            parent = parent[key]
        if not isinstance(parent, dict):
            return None
        parent[self.path[-1]] = self.value
        derived = case.derive()
        derived.body = body
        return derived

    def describe(self) -> str:
        return f"{self.kind} {self.value!r} in {self.location} {'.'.join(self.path)}"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _alternatives(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(document, schema)
    branches = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if branches:
        return [b for branch in branches for b in _alternatives(document, branch)]
    return [schema]


def _body_fields(
    document: dict[str, Any], schema: dict[str, Any], path: tuple[str, ...], depth: int = 0
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """(path, schema) of every string field of a body object, nested objects included."""
    if depth > 4:
        return
    for option in _alternatives(document, schema):
        for name, field in option.get("properties", {}).items():
            for leaf in _alternatives(document, field):
                if leaf.get("type") == "string":
                    yield (*path, name), leaf
                elif leaf.get("type") == "object" or "properties" in leaf:
                    yield from _body_fields(document, leaf, (*path, name), depth + 1)


def targeted_inputs(document: dict[str, Any], method: str, path: str) -> list[Targeted]:
    """Every explicit input the operation ``method path`` of the OpenAPI ``document`` can take."""
    operation = document["paths"][path][method.lower()]
    found: list[Targeted] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schemas = _alternatives(document, parameter.get("schema", {}))
        if parameter["name"] == "cursor":
            found += [
                Targeted("cursor", "query", ("cursor",), text, refused)
                for text, refused in FORGED_CURSORS
            ]
        elif any(s.get("format") == "date-time" for s in schemas):
            found += [
                Targeted("instant", "query", (parameter["name"],), text, not representable)
                for text, representable in BOUNDARY_INSTANTS
            ]
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema")
    if body_schema is not None:
        fields = sorted(_body_fields(document, body_schema, ()), key=lambda f: f[0])
        for index, (field_path, leaf) in enumerate(fields):
            if leaf.get("format") == "date-time":
                found += [
                    Targeted("instant", "body", field_path, text, not representable)
                    for text, representable in BOUNDARY_INSTANTS
                ]
            decimal = leaf.get("pattern") in _DECIMAL_PATTERNS
            numbers = NUMBERS if decimal else (NUMBERS[index % len(NUMBERS)],)
            found += [
                Targeted("number", "body", field_path, n, True, decimal=decimal) for n in numbers
            ]
    return found


def refused_before_the_application(response: Any) -> bool:
    """The HTTP server (uvicorn) refused the bytes themselves, e.g. a header name holding ';'
    that the fuzzer made up: the request never reached the application, so the document,
    which describes the application's answers, has nothing to say about this one."""
    content_type = response.headers.get("content-type") or ""
    if isinstance(content_type, list):  # schemathesis keeps every value of a header
        content_type = content_type[0] if content_type else ""
    return bool(
        response.status_code == 400
        and content_type.startswith("text/plain")
        and response.text == "Invalid HTTP request received."
    )


def run_targeted(
    case: Any,
    pending: list[Targeted],
    *,
    base_url: str,
    headers: dict[str, str],
    checks: list[Any],
    timeout: float,
) -> None:
    """Send each of ``pending`` that the generated ``case`` has a place for (and drop it from
    ``pending``): the answer must not be a 5xx, must fit the document, and must refuse what has
    to be refused.

    Raises:
        AssertionError: the first input answered wrongly, with what was sent and the answer.
    """
    for target in list(pending):
        derived = target.apply(case)
        if derived is None:
            continue
        pending.remove(target)
        response = derived.call(base_url=base_url, headers=headers, timeout=timeout)
        derived.validate_response(response, checks=checks)
        status = response.status_code
        answer = f"{target.describe()} -> {status} {response.text[:300]}"
        if target.must_refuse:
            assert 400 <= status < 500, answer
        if target.decimal:
            assert "decimal string" in response.text, answer


def left_untried(pending: list[Targeted]) -> list[str]:
    """What must have been tried whatever the generated cases looked like: every instant, every
    cursor and every decimal field (a number in a plain string field of an optional object the
    generator never sent may stay untried)."""
    return [t.describe() for t in pending if t.kind != "number" or t.decimal]
