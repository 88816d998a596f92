"""Every Metrc call shows on ``/metrics``: its duration by outcome, its failure by the error's
class, and the time spent waiting on Metrc's limits (the client's own limiter before a GET, a
429's Retry-After before the next try). The client on a scripted transport and a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from compliance.adapters.metrc import MetrcClient, MetrcRejectedError
from prometheus_client import REGISTRY

ClientFactory = Callable[..., MetrcClient]
LICENSE = "SF-SBX-CO-21-8002"
FACILITIES = [{"Name": "F", "License": {"Number": LICENSE}}]
GET_FACILITIES = {"method": "GET", "path": "/facilities/v2/"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Script:
    def __init__(self, *steps: httpx.Response) -> None:
        self._steps: Iterator[httpx.Response] = iter(steps)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return next(self._steps)


async def test_a_call_is_timed_with_its_outcome(make_client: ClientFactory) -> None:
    before = value("compliance_metrc_call_seconds_count", **GET_FACILITIES, outcome="ok")
    client = make_client(Script(httpx.Response(200, json=FACILITIES)))
    await client.list_facilities()
    after = value("compliance_metrc_call_seconds_count", **GET_FACILITIES, outcome="ok")
    assert after == before + 1


async def test_a_failed_call_is_counted_by_its_error_class(make_client: ClientFactory) -> None:
    labels = {**GET_FACILITIES, "error": "MetrcRejectedError"}
    before = value("compliance_metrc_call_errors_total", **labels)
    client = make_client(Script(httpx.Response(400, json=[{"row": 0, "message": "bad"}])))
    with pytest.raises(MetrcRejectedError):
        await client.list_facilities()
    assert value("compliance_metrc_call_errors_total", **labels) == before + 1
    assert (
        value("compliance_metrc_call_seconds_count", **GET_FACILITIES, outcome="MetrcRejectedError")
        >= 1
    )


async def test_waiting_out_a_429_and_the_clients_own_limiter_are_measured(
    make_client: ClientFactory,
) -> None:
    waited = value("compliance_metrc_rate_limit_wait_seconds_sum", cause="retry_after")
    limited = value("compliance_metrc_rate_limit_wait_seconds_count", cause="limiter")
    client = make_client(
        Script(
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(200, json=FACILITIES),
        )
    )
    await client.list_facilities()
    assert value("compliance_metrc_rate_limit_wait_seconds_sum", cause="retry_after") == waited + 2
    assert value("compliance_metrc_rate_limit_wait_seconds_count", cause="limiter") == limited + 2
