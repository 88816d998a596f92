"""What an operator sees of compliance's pushes, through the whole platform (every process a
real one, exporting its spans to a trace receiver): one trace from the intake request through
the gateway, inventory, its outbox, Kafka and compliance's consumer to the Metrc call that
created the package, with the license and never a key; a person's "Push to Metrc" in the trace
of that request; and the compliance worker's ``/metrics`` moving as the work happens
(submissions by kind and state, queue depth and age, Metrc calls)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from compliance.domain import SubmissionKind, SubmissionState
from compliance.sandbox_world import LICENSE, USER_KEY, VENDOR_KEY, MetrcSite, eventually
from prometheus_client.parser import text_string_to_metric_families
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform
from shared.testing.span_receiver import ReceivedSpan, SpanReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

INTAKE_ROUTE = "/api/v1/batches/intake"
MANUAL_PUSH_ROUTE = "/api/v1/compliance/batches/{batchId}/push"
CREATE_CALL = "Metrc POST /packages/v2/"


@dataclass
class Observed:
    platform: RunningPlatform
    spans: SpanReceiver
    site: MetrcSite


@pytest.fixture(scope="module")
def receiver() -> Iterator[SpanReceiver]:
    receiver = SpanReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
async def observed(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    receiver: SpanReceiver,
) -> AsyncIterator[Observed]:
    logs: Path = tmp_path_factory.mktemp("compliance-telemetry")
    platform = await start_platform(
        postgres_server,
        kafka_server,
        identity_keys,
        logs,
        compliance={
            "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
            "COMPLIANCE_QUEUE_METRICS_INTERVAL_SECONDS": "0.5",
        },
        env=receiver.environment(),
    )
    assert platform.compliance is not None
    site = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=platform.admin_key(),
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
    )
    try:
        yield Observed(platform, receiver, site)
    finally:
        await site.close()
        platform.stop()


@pytest.fixture(scope="module")
async def pushed(observed: Observed) -> dict[str, Any]:
    """One intake in the Metrc site, pushed: its batch."""
    batch, _ = await observed.site.intake_opening_balance("40.0000")
    subs = await eventually(lambda: observed.site.settled(batch["id"]), what="the push")
    assert [(s.kind, s.state) for s in subs] == [
        (SubmissionKind.CREATE_PACKAGE, SubmissionState.ACCEPTED)
    ]
    return batch


def _parent(spans: list[ReceivedSpan], span: ReceivedSpan) -> ReceivedSpan | None:
    return next(
        (s for s in spans if s.trace_id == span.trace_id and s.span_id == span.parent_id), None
    )


def _ancestors(spans: list[ReceivedSpan], span: ReceivedSpan) -> list[ReceivedSpan]:
    chain = [span]
    while (parent := _parent(spans, chain[-1])) is not None:
        chain.append(parent)
    return chain


def _calls_under(spans: list[ReceivedSpan], route: str) -> list[list[ReceivedSpan]]:
    """The Metrc create calls whose trace starts at the gateway's ``route``: each with its
    ancestors, the call first."""
    calls = [s for s in spans if s.service == "compliance" and s.name == CREATE_CALL]
    return [
        chain
        for chain in (_ancestors(spans, c) for c in calls)
        if chain[-1].service == "gateway" and chain[-1].attributes.get("http.route") == route
    ]


def _answered_under(route: str) -> Callable[[list[ReceivedSpan]], bool]:
    """Whether a Metrc create call answered 200 has arrived with its whole chain up to the
    gateway's ``route`` (a push retried after a failed call exports the failed call's span
    first: waiting for any call would assert on the answered one before it arrived)."""

    def answered(spans: list[ReceivedSpan]) -> bool:
        return any(
            chain[0].attributes.get("http.response.status_code") == 200
            for chain in _calls_under(spans, route)
        )

    return answered


_reaches_the_intake = _answered_under(INTAKE_ROUTE)


async def test_the_metrc_call_is_in_the_trace_of_the_intake_that_caused_it(
    observed: Observed, pushed: dict[str, Any]
) -> None:
    spans = observed.spans.wait_for(_reaches_the_intake, seconds=120)
    # Every call the push made for the intake (one, or more after a retry) is in its trace.
    calls = [
        s for s in spans if s.name == CREATE_CALL and _ancestors(spans, s)[-1].service == "gateway"
    ]
    assert calls
    for call in calls:
        chain = _ancestors(spans, call)
        # Metrc call <- push <- compliance's consumer <- inventory's publish <- ... <- gateway
        assert [(s.service, s.kind) for s in chain[:4]] == [
            ("compliance", "CLIENT"),
            ("compliance", "INTERNAL"),
            ("compliance", "CONSUMER"),
            ("inventory", "PRODUCER"),
        ]
        assert chain[1].name == "push packages.create"
        assert ("inventory", "SERVER") in [(s.service, s.kind) for s in chain]
        assert chain[-1].kind == "SERVER"
        assert chain[-1].attributes["http.route"] == INTAKE_ROUTE
        assert call.attributes["metrc.license_number"] == LICENSE
        assert chain[1].attributes["metrc.license_number"] == LICENSE
    assert 200 in [c.attributes.get("http.response.status_code") for c in calls]
    # Each span exported once (the worker's runner and its bootstrap both configure tracing).
    ids = [(s.trace_id, s.span_id) for s in spans if s.service == "compliance"]
    assert len(ids) == len(set(ids))


async def test_a_manual_push_is_in_the_trace_of_the_request_that_asked_for_it(
    observed: Observed,
) -> None:
    site = observed.site
    batch = await site.intake("12.0000")  # no package source: it waits for a person

    async def waiting() -> bool:
        link = await site.gateway.get(f"/batches/{batch['id']}/metrc-link")
        return link.status_code == 200 and link.json()["state"] == "UNLINKED"

    await eventually(waiting, what="compliance hearing of the batch")
    pushed = await site.gateway.post(f"/compliance/batches/{batch['id']}/push")
    assert pushed.status_code == 200, pushed.text
    # The request's own push round or the worker's lane (whichever claims first) sends it.
    subs = await eventually(lambda: site.settled(batch["id"]), what="the manual push")
    assert [(s.kind, s.state) for s in subs] == [
        (SubmissionKind.CREATE_PACKAGE, SubmissionState.ACCEPTED)
    ]
    tag = subs[0].tag
    assert tag is not None
    spans = observed.spans.wait_for(_answered_under(MANUAL_PUSH_ROUTE), seconds=120)
    chains = _calls_under(spans, MANUAL_PUSH_ROUTE)
    for chain in chains:
        # Metrc call <- push <- compliance's request span <- ... <- the gateway's request span
        assert [(s.service, s.kind) for s in chain[:3]] == [
            ("compliance", "CLIENT"),
            ("compliance", "INTERNAL"),
            ("compliance", "SERVER"),
        ]
        assert chain[1].name == "push packages.create"
        assert chain[0].attributes["metrc.license_number"] == LICENSE
        assert chain[-1].kind == "SERVER"
    assert 200 in [chain[0].attributes.get("http.response.status_code") for chain in chains]
    assert tag in str((await site.sandbox.get("/_sandbox/state")).json()["packages"])


async def test_no_span_carries_a_metrc_key(observed: Observed, pushed: dict[str, Any]) -> None:
    observed.spans.wait_for(_reaches_the_intake, seconds=120)
    for span in observed.spans.spans:
        text = repr((span.name, span.attributes, span.events))
        assert VENDOR_KEY not in text, span
        assert USER_KEY not in text, span


def _samples(page: str) -> dict[str, list[Any]]:
    return {f.name: f.samples for f in text_string_to_metric_families(page)}


async def test_the_workers_metrics_show_the_push(
    observed: Observed, pushed: dict[str, Any]
) -> None:
    assert observed.platform.compliance is not None
    (worker,) = observed.platform.compliance.running("worker")

    async def accepted_creates() -> dict[str, list[Any]] | None:
        async with httpx.AsyncClient(timeout=10) as client:
            families = _samples((await client.get(worker.metrics_url + "/metrics")).text)
        counts = [
            s.value
            for s in families.get("compliance_submissions", [])
            if s.labels == {"kind": "CREATE_PACKAGE", "state": "ACCEPTED"}
        ]
        depth = [
            s.value
            for s in families.get("compliance_queue_depth", [])
            if s.labels["license"] == LICENSE
        ]
        # The gauges are sampled every few seconds: wait for a sample taken after the module's
        # last push settled (an earlier one may still count it in flight).
        return families if counts and counts[0] >= 1 and depth == [0] else None

    families = await eventually(accepted_creates, what="the ledger's gauges")
    depth = [s for s in families["compliance_queue_depth"] if s.labels["license"] == LICENSE]
    assert [s.value for s in depth] == [0]
    assert [
        s.value
        for s in families["compliance_queue_oldest_pending_age_seconds"]
        if s.labels["license"] == LICENSE
    ] == [0]
    calls = [
        s
        for s in families["compliance_metrc_call_seconds"]
        if s.name == "compliance_metrc_call_seconds_count"
        and s.labels == {"method": "POST", "path": "/packages/v2/", "outcome": "ok"}
    ]
    assert [c.value >= 1 for c in calls] == [True]
    waits = [
        s
        for s in families["compliance_metrc_rate_limit_wait_seconds"]
        if s.name == "compliance_metrc_rate_limit_wait_seconds_count"
        and s.labels["cause"] == "limiter"
    ]
    assert [w.value >= 1 for w in waits] == [True]  # the catalog's GETs went through it
