"""Status codes, bodies and transport failures map onto the documented exception tree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcAuthError,
    MetrcClient,
    MetrcError,
    MetrcNotFoundError,
    MetrcRateLimitedError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnexpectedResponseError,
    MetrcUnknownOutcomeError,
    PackageAdjust,
    RetryPolicy,
)

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"

NO_RETRY = RetryPolicy(max_attempts=1)


def adjustment(label: str = "1A4FF0100000022000000001") -> PackageAdjust:
    return PackageAdjust(
        label=label,
        quantity=Decimal("-1.5"),
        unit_of_measure="Grams",
        adjustment_reason="Drying",
        adjustment_date=date(2026, 2, 8),
    )


def respond(status: int, **kwargs: object) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "kwargs", "expected"),
    [
        (
            401,
            {"json": {"Message": "Authorization has been denied for this request."}},
            MetrcAuthError,
        ),
        (401, {"text": "The provided API key is only valid for V1 API endpoints."}, MetrcAuthError),
        (403, {"json": {"Message": "Forbidden"}}, MetrcAuthError),
        (404, {"json": {"Message": "No HTTP resource was found."}}, MetrcNotFoundError),
        (405, {"text": "Method Not Allowed"}, MetrcUnexpectedResponseError),
        (413, {"text": "Request Entity Too Large"}, MetrcRequestTooLargeError),
        (415, {"text": ""}, MetrcUnexpectedResponseError),
        (429, {"json": {"Message": "Too many requests"}}, MetrcRateLimitedError),
        (500, {"json": {"Message": "An error has occurred."}}, MetrcTransientError),
        (502, {"text": "<html>Bad Gateway</html>"}, MetrcTransientError),
        (503, {"text": ""}, MetrcTransientError),
    ],
)
async def test_status_codes_map_to_the_error_tree(
    make_client: ClientFactory, status: int, kwargs: dict[str, object], expected: type[MetrcError]
) -> None:
    client = make_client(lambda request: httpx.Response(status, **kwargs), retry=NO_RETRY)  # type: ignore[arg-type]

    with pytest.raises(expected) as caught:
        await client.list_facilities()

    assert caught.value.status_code == status
    assert caught.value.method == "GET"
    assert caught.value.path == "/facilities/v2/"
    assert isinstance(caught.value, MetrcError)


async def test_a_400_with_rows_is_a_rejection_listing_every_row(make_client: ClientFactory) -> None:
    rows = [
        {"row": 0, "message": "Package X does not exist in the current Facility."},
        {"row": 1, "message": "Tag ABCDEF012345670000013300 is not valid."},
    ]
    client = make_client(lambda request: httpx.Response(400, json=rows))

    with pytest.raises(MetrcRejectedError) as caught:
        await client.adjust_packages(LICENSE, [adjustment(), adjustment()])

    error = caught.value
    assert error.rows == [
        (0, "Package X does not exist in the current Facility."),
        (1, "Tag ABCDEF012345670000013300 is not valid."),
    ]
    assert error.messages[1] == "Tag ABCDEF012345670000013300 is not valid."
    assert error.license_number == LICENSE
    assert error.attempts == 1
    assert "POST /packages/v2/adjust" in str(error)
    assert "HTTP 400" in str(error)


async def test_a_400_with_a_plain_message_is_a_rejection_without_a_row(
    make_client: ClientFactory,
) -> None:
    client = make_client(
        lambda request: httpx.Response(400, json={"Message": "Name was not specified."})
    )

    with pytest.raises(MetrcRejectedError) as caught:
        await client.adjust_packages(LICENSE, [adjustment()])

    assert caught.value.rows == [(None, "Name was not specified.")]


async def test_a_server_fault_disguised_as_400_is_transient(make_client: ClientFactory) -> None:
    fault = {"Message": "Could not load file or assembly 'System.Data.SqlClient, Version=4.6.1.0'"}
    client = make_client(lambda request: httpx.Response(400, json=fault), retry=NO_RETRY)

    with pytest.raises(MetrcTransientError) as caught:
        await client.adjust_packages(LICENSE, [adjustment()])

    assert "assembly" in caught.value.message
    assert not isinstance(caught.value, MetrcRejectedError)


async def test_429_carries_retry_after_in_seconds(make_client: ClientFactory) -> None:
    client = make_client(
        lambda request: httpx.Response(429, headers={"Retry-After": "3"}, json={"Message": "slow"}),
        retry=NO_RETRY,
    )

    with pytest.raises(MetrcRateLimitedError) as caught:
        await client.list_facilities()

    assert caught.value.retry_after == 3.0
    assert isinstance(caught.value, MetrcTransientError)


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow dns"), httpx.PoolTimeout("busy")],
)
async def test_a_write_that_never_left_the_client_is_transient_not_unknown(
    make_client: ClientFactory, exc: httpx.TransportError
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client = make_client(handler, retry=NO_RETRY)

    with pytest.raises(MetrcTransientError) as caught:
        await client.adjust_packages(LICENSE, [adjustment()])

    assert caught.value.sent is False
    assert caught.value.status_code is None


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("no answer"),
        httpx.ReadError("connection reset"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.WriteError("broken pipe"),
        httpx.WriteTimeout("stalled"),
    ],
)
async def test_a_write_that_may_have_reached_metrc_is_an_unknown_outcome(
    make_client: ClientFactory, exc: httpx.TransportError
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client = make_client(handler)

    with pytest.raises(MetrcUnknownOutcomeError) as caught:
        await client.adjust_packages(LICENSE, [adjustment()])

    assert caught.value.status_code is None
    assert "may have applied" in str(caught.value)


async def test_a_get_without_an_answer_is_transient(make_client: ClientFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer")

    client = make_client(handler, retry=NO_RETRY)

    with pytest.raises(MetrcTransientError) as caught:
        await client.list_facilities()

    assert caught.value.sent is True


async def test_too_many_objects_are_refused_before_sending(make_client: ClientFactory) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"Ids": [], "Warnings": None})

    client = make_client(handler)

    with pytest.raises(MetrcRequestTooLargeError):
        await client.adjust_packages(LICENSE, [adjustment()] * 11)

    assert sent == []
    await client.adjust_packages(LICENSE, [adjustment()] * 10)
    assert len(sent) == 1


async def test_an_empty_write_is_a_programming_error(make_client: ClientFactory) -> None:
    client = make_client(lambda request: httpx.Response(200))
    with pytest.raises(ValueError, match="at least one"):
        await client.adjust_packages(LICENSE, [])


async def test_a_get_with_a_body_that_is_not_json_is_unexpected(make_client: ClientFactory) -> None:
    client = make_client(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(MetrcUnexpectedResponseError, match="not JSON"):
        await client.list_facilities()


async def test_a_record_of_the_wrong_shape_is_unexpected(make_client: ClientFactory) -> None:
    client = make_client(lambda request: httpx.Response(200, json=[{"Name": "no license"}]))
    with pytest.raises(MetrcUnexpectedResponseError, match="License"):
        await client.list_facilities()


async def test_a_successful_write_with_an_odd_body_still_counts_as_applied(
    make_client: ClientFactory,
) -> None:
    client = make_client(lambda request: httpx.Response(200, text="OK"))
    result = await client.adjust_packages(LICENSE, [adjustment()])
    assert result.ids == []
