"""SRE telemetry through the running platform, as an operator sees it: every process (the APIs,
the relays, the workers) exports its spans to a trace receiver and serves ``/metrics`` and
``/healthz``. One adjustment's trace leads from the gateway through the inventory and its SQL
to the publish of its event and on into each consumer; no span carries a statement's values or
a secret (and the processes' logs are part of the run's log audit)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from shared.events import COMPLIANCE_EVENTS, INVENTORY_EVENTS
from shared.kafka_topics import create_topics
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.intake import intake_body
from shared.testing.platform import RunningPlatform, place_group_at_end, start_platform
from shared.testing.processes import launch_service, run_service_command
from shared.testing.span_receiver import ReceivedSpan, SpanReceiver

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

ADJUST_ROUTE = "/api/v1/batches/{batchId}/adjustments"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


@dataclass
class Observed:
    platform: RunningPlatform
    spans: SpanReceiver


async def _start_other_services(
    platform: RunningPlatform,
    postgres: PostgresServer,
    kafka: KafkaServer,
    public_key: str,
    env: dict[str, str],
    logs: Path,
) -> None:
    """Compliance (api, relay, worker) and reporting (api, worker), each on its own database,
    consuming with groups of their own placed at the topics' ends (the test Kafka holds every
    earlier test's events, which a new group would read first)."""
    await create_topics(
        kafka.bootstrap,
        [
            INVENTORY_EVENTS,
            COMPLIANCE_EVENTS,
            INVENTORY_EVENTS.dead_letter,
            COMPLIANCE_EVENTS.dead_letter,
        ],
    )
    services = (("compliance", ("api", "relay", "worker")), ("reporting", ("api", "worker")))
    envs: dict[str, dict[str, str]] = {}
    for service, _ in services:
        group = f"telemetry-{uuid.uuid4().hex[:8]}"
        for topic in (INVENTORY_EVENTS, COMPLIANCE_EVENTS):
            await place_group_at_end(kafka.bootstrap, topic.name, group)
        envs[service] = {
            **env,
            "DATABASE_URL": postgres.url_for(await postgres.create_database(f"t_{service[:4]}")),
            "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
            "CANOPY_IDENTITY_PUBLIC_KEY": public_key,
            f"{service.upper()}_CONSUMER_GROUP": group,
        }
    # Side by side, as start_platform starts its processes: each costs seconds of imports.
    await asyncio.gather(
        *(asyncio.to_thread(run_service_command, s, ["migrate"], envs[s]) for s, _ in services)
    )
    started = [
        launch_service(service, envs[service], logs, command=command)
        for service, commands in services
        for command in commands
    ]
    platform.processes.extend(started)
    await asyncio.gather(*(asyncio.to_thread(process.ready) for process in started))


@pytest.fixture(scope="module")
async def observed(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Observed]:
    receiver = SpanReceiver().start()
    logs = tmp_path_factory.mktemp("telemetry")
    env = {"CANOPY_ENV": "test", "LOG_LEVEL": "INFO", **receiver.environment()}
    platform = await start_platform(
        postgres_server, kafka_server, identity_keys, logs, relay=True, env=env
    )
    try:
        await _start_other_services(
            platform, postgres_server, kafka_server, identity_keys[1], env, logs
        )
        yield Observed(platform, receiver)
    finally:
        platform.stop()
        receiver.stop()


@pytest.fixture(scope="module")
def admin(observed: Observed) -> Iterator[httpx.Client]:
    key = observed.platform.admin_key()
    with httpx.Client(
        base_url=observed.platform.gateway_url, headers={"X-API-Key": key}, timeout=30
    ) as client:
        yield client


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass(frozen=True)
class Adjustment:
    response: httpx.Response
    notes: str
    """Unique to this adjustment: a statement parameter that no span may carry."""


@pytest.fixture(scope="module")
def adjustment(admin: httpx.Client) -> Adjustment:
    site = ok(admin.get("/api/v1/sites"))[0]["id"]
    intake = intake_body(site, lot={"code": "TEL-1"})
    batch = ok(admin.post("/api/v1/batches/intake", json=intake), 201)["batch"]
    ok(admin.post(f"/api/v1/batches/{batch['id']}/status", json={"status": "LIVE", "reason": "in"}))
    notes = f"telemetry-{uuid.uuid4()}"
    response = admin.post(
        f"/api/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "-2.5000", "reason": "COUNT_DISCREPANCY", "notes": notes},
    )
    ok(response)
    return Adjustment(response=response, notes=notes)


def _children(spans: list[ReceivedSpan], parent: ReceivedSpan) -> list[ReceivedSpan]:
    return [s for s in spans if s.trace_id == parent.trace_id and s.parent_id == parent.span_id]


def _continued_by(spans: list[ReceivedSpan], publish: ReceivedSpan) -> set[str]:
    """The services whose consumer span continues from ``publish`` (a batch consumer links to it)."""
    return {
        s.service
        for s in spans
        if s.kind == "CONSUMER"
        and (s.parent_id == publish.span_id or (publish.trace_id, publish.span_id) in s.links)
    }


def _trace_is_whole(spans: list[ReceivedSpan], trace_id: str) -> bool:
    """Every process exports on its own schedule (a consumer's spans can arrive before the relay's
    publish), so the trace is judged only once each part of it has arrived."""
    publishes = [s for s in spans if s.trace_id == trace_id and s.kind == "PRODUCER"]
    received = {s.span_id for s in spans}
    return any(
        all(link[1] in received for link in publish.links)
        and {"compliance", "reporting"} <= _continued_by(spans, publish)
        for publish in publishes
    )


async def test_one_adjustments_trace_leads_from_the_gateway_through_sql_to_the_publish_and_into_each_consumer(
    observed: Observed, adjustment: Adjustment
) -> None:
    spans = observed.spans.wait_for(
        lambda got: any(
            s.service == "gateway" and s.attributes.get("http.route") == ADJUST_ROUTE for s in got
        )
    )
    gateway = next(
        s
        for s in spans
        if s.service == "gateway" and s.attributes.get("http.route") == ADJUST_ROUTE
    )
    assert gateway.kind == "SERVER"
    assert gateway.name == f"POST {ADJUST_ROUTE}"
    # Generous: late in a full run the machine is busy (the consumers start at the topics' ends).
    spans = await asyncio.to_thread(
        observed.spans.wait_for,
        lambda got: _trace_is_whole(got, gateway.trace_id),
        seconds=90,
    )
    trace = [s for s in spans if s.trace_id == gateway.trace_id]

    # gateway -> inventory's server span (the gateway forwards its own span as the parent)
    (inventory,) = [s for s in _children(trace, gateway) if s.kind == "SERVER"]
    assert inventory.service == "inventory"
    assert inventory.name == "POST /v1/batches/{batchId}/adjustments"
    # -> its SQL, the event written in the same statement as the adjustment
    statements = [s for s in _children(trace, inventory) if s.kind == "CLIENT"]
    assert statements
    assert all(s.attributes["db.system"] == "postgresql" for s in statements)
    # -> the relay's publish of that event, a child of the request that wrote it
    (publish,) = [s for s in trace if s.kind == "PRODUCER"]
    assert publish.parent_id == inventory.span_id
    assert publish.service == "inventory"
    assert publish.name == f"publish {INVENTORY_EVENTS.name}"
    assert publish.attributes["messaging.destination.name"] == INVENTORY_EVENTS.name
    (batch_link,) = publish.links
    (batch,) = [s for s in spans if s.span_id == batch_link[1]]
    assert batch.name == "outbox publish"
    # -> each consumer, continuing from the publish
    assert {"compliance", "reporting"} <= _continued_by(spans, publish)


async def test_the_gateways_own_sql_is_traced_too(
    observed: Observed, adjustment: Adjustment
) -> None:
    spans = observed.spans.wait_for(
        lambda got: any(s.service == "gateway" and "db.system" in s.attributes for s in got)
    )
    statement = next(s for s in spans if s.service == "gateway" and "db.system" in s.attributes)
    assert statement.kind == "CLIENT"
    assert statement.attributes["db.name"]
    assert "db.statement" in statement.attributes


async def test_no_span_carries_a_statements_values_or_a_secret(
    observed: Observed, adjustment: Adjustment
) -> None:
    await asyncio.to_thread(
        observed.spans.wait_for, lambda got: any(s.kind == "PRODUCER" for s in got)
    )
    secrets = [adjustment.notes, observed.platform.admin_password, "canopy-dev-"]
    for span in observed.spans.spans:
        text = repr((span.name, span.attributes, span.events))
        for secret in secrets:
            assert secret not in text, (secret, span)
        statement = str(span.attributes.get("db.statement", ""))
        assert adjustment.notes not in statement


def _families(text: str) -> dict[str, list[Any]]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


async def test_every_process_serves_metrics_with_samples_of_its_work_and_health(
    observed: Observed, adjustment: Adjustment
) -> None:
    platform = observed.platform
    async with httpx.AsyncClient(timeout=10) as client:
        for process in platform.processes:
            if process.url:  # an API: one request through its router
                assert (await client.get(process.url + "/openapi.json")).status_code == 200
        # The event reached both workers (their consumers counted it).
        for _ in range(600):
            pages = {
                p.name: (await client.get(p.metrics_url + "/metrics")).text
                for p in platform.processes
            }
            consumed = [
                sum(
                    s.value
                    for s in _families(pages[name]).get("consumer_messages", [])
                    if s.name == "consumer_messages_total"
                    and s.labels["outcome"] in ("applied", "duplicate")
                )
                for name in ("compliance-worker", "reporting-worker")
            ]
            if all(consumed):
                break
            await asyncio.sleep(0.1)
        for process in platform.processes:
            health = await client.get(process.metrics_url + "/healthz")
            assert health.status_code == 200, (process.name, health.text)

    for name, page in pages.items():
        families = _families(page)
        kind = name.rsplit("-", 1)[1]
        if kind == "api":
            requests = [
                s
                for s in families["http_request_duration_seconds"]
                if s.name == "http_request_duration_seconds_count"
            ]
            routes = {s.labels["route"] for s in requests}
            assert "/openapi.json" in routes, (name, routes)
            assert not any(UUID.search(route) for route in routes), routes  # never a raw path
            assert any(
                s.name == "http_request_duration_seconds_bucket"
                for s in families["http_request_duration_seconds"]
            )
        elif kind == "relay":
            service = name.split("-")[0]
            published = [
                s
                for s in families["outbox_published"]
                if s.labels["relay"] == service and s.name == "outbox_published_total"
            ]
            assert published, (name, families.keys())
            for family in (
                "outbox_unpublished_rows",
                "outbox_oldest_unpublished_age_seconds",
                "outbox_publish_latency_seconds",
                "outbox_publish_failures",
            ):
                assert families[family], (name, family)
        else:
            outcomes = {
                s.labels["outcome"]
                for s in families["consumer_messages"]
                if s.name == "consumer_messages_total"
            }
            assert outcomes == {"applied", "duplicate", "retry", "dead_lettered"}, (name, outcomes)
            assert families["consumer_lag_messages"], name
    inventory_api = _families(pages["inventory-api"])
    assert any(
        s.labels["route"] == "/v1/batches/{batchId}/adjustments" and s.labels["status"] == "200"
        for s in inventory_api["http_request_duration_seconds"]
        if s.name == "http_request_duration_seconds_count"
    )
    gateway_api = _families(pages["gateway-api"])
    assert any(
        s.labels["route"] == ADJUST_ROUTE
        for s in gateway_api["http_request_duration_seconds"]
        if s.name == "http_request_duration_seconds_count"
    )
    relay = _families(pages["inventory-relay"])
    (published,) = [s for s in relay["outbox_published"] if s.name == "outbox_published_total"]
    assert published.value >= 3  # intake, status change and adjustment
    assert any(
        s.name == "outbox_publish_latency_seconds_count" and s.value >= 3
        for s in relay["outbox_publish_latency_seconds"]
    )
