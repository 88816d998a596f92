"""The keys never show up in reprs, exception text, logs or spans; spans carry the call's facts."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcCredentials,
    MetrcError,
    RetryPolicy,
)
from compliance.adapters.metrc.testing.bodies import package_adjustment
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
VENDOR_KEY = "VENDOR-KEY-d41d8cd98f00b204"  # the same literals conftest uses
USER_KEY = "USER-KEY-e9800998ecf8427e"
BASIC = base64.b64encode(f"{VENDOR_KEY}:{USER_KEY}".encode()).decode()
SECRETS = (VENDOR_KEY, USER_KEY, BASIC)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_reprs_hide_the_keys(make_client: ClientFactory) -> None:
    client = make_client(lambda r: httpx.Response(200))
    credentials = MetrcCredentials(vendor_key=VENDOR_KEY, user_key=USER_KEY)  # type: ignore[arg-type]

    for text in (
        repr(client),
        str(client),
        repr(credentials),
        str(credentials),
        repr(client._http.auth),
        repr(vars(client)),
    ):
        assert_clean(text)
    assert "**********" in repr(credentials)


async def test_the_keys_do_go_out_as_basic_auth(make_client: ClientFactory) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    await make_client(handler).list_facilities()

    assert seen[0].headers["Authorization"] == f"Basic {BASIC}"
    assert_clean(repr(seen[0].headers))


async def test_errors_and_logs_never_contain_the_keys_even_when_metrc_echoes_them(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"API key {VENDOR_KEY} / {USER_KEY} is not valid; header was Basic {BASIC}"
    responses = iter(
        [
            httpx.Response(503, json={"Message": echo}),
            httpx.Response(401, text=echo),
            httpx.Response(400, json=[{"row": 0, "message": echo}]),
        ]
    )
    errors: list[MetrcError] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return next(responses)

    client = make_client(handler, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(MetrcError) as first:
        await client.list_facilities()
    errors.append(first.value)
    with pytest.raises(MetrcError) as second:
        await client.adjust_packages(LICENSE, [package_adjustment()])
    errors.append(second.value)

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out talking with {request.headers['Authorization']}")

    with pytest.raises(MetrcError) as third:
        await make_client(timeout).adjust_packages(LICENSE, [package_adjustment()])
    errors.append(third.value)

    for error in errors:
        assert_clean(str(error))
        assert_clean(repr(error))
        assert_clean(repr(vars(error)))
        # httpx errors carry the request (and its Authorization header): never chained.
        assert not isinstance(error.__cause__, httpx.HTTPError)
        assert not isinstance(error.__context__, httpx.HTTPError)
    assert "***" in str(errors[0])
    assert caplog.records  # the client and httpx did log
    assert_clean(caplog.text)
    for record in caplog.records:
        assert_clean(record.getMessage())
        assert_clean(repr(record.args))


async def test_every_call_gets_a_client_span_with_its_facts_and_no_secrets(
    make_client: ClientFactory,
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    responses = iter(
        [
            httpx.Response(503),
            httpx.Response(200, json={"Data": [], "TotalPages": 1}),
            httpx.Response(400, json=[{"row": 0, "message": "Tag is not valid."}]),
        ]
    )
    client = make_client(lambda r: next(responses), tracer=tracer)

    await client.list_packages(LICENSE)
    with pytest.raises(MetrcError):
        await client.adjust_packages(LICENSE, [package_adjustment()])

    pull, write = exporter.get_finished_spans()
    assert pull.name == "Metrc GET /packages/v2/active"
    assert pull.attributes is not None
    assert pull.attributes["http.request.method"] == "GET"
    assert pull.attributes["url.template"] == "/packages/v2/active"
    assert pull.attributes["metrc.license_number"] == LICENSE
    assert pull.attributes["metrc.page_number"] == 1
    assert pull.attributes["metrc.retry_count"] == 1
    assert pull.attributes["http.response.status_code"] == 200
    assert write.name == "Metrc POST /packages/v2/adjust"
    assert write.status.status_code == StatusCode.ERROR
    assert write.attributes is not None
    assert write.attributes["error.type"] == "MetrcRejectedError"
    assert write.attributes["http.response.status_code"] == 400
    for span in (pull, write):
        assert_clean(repr(dict(span.attributes or {})))
        for event in span.events:
            assert_clean(repr(dict(event.attributes or {})))
    provider.shutdown()
