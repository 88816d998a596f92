"""A relay or worker serves /metrics and /healthz on a port of its own; health says each part's
state and is 503 while any part is not ok."""

from __future__ import annotations

import asyncio

import httpx
from prometheus_client import Counter
from shared.telemetry import ProcessHealth, serving_operations

SEEN = Counter("operations_test_seen_total", "A counter only this test increments")


async def test_metrics_and_health_are_served_while_the_block_runs() -> None:
    SEEN.inc()
    health = ProcessHealth()
    health.set("relay", "ok")
    async with (
        serving_operations("127.0.0.1", 0, health=health) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        assert "operations_test_seen_total 1.0" in metrics.text
        healthz = await client.get("/healthz")
        assert healthz.status_code == 200
        assert healthz.json() == {"status": "ok", "parts": {"relay": "ok"}}
        assert (await client.get("/elsewhere")).status_code == 404
        assert (await client.post("/metrics")).status_code == 405
    # Closed with the block.
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        pass
    else:
        raise AssertionError("the port still listens")


async def test_health_is_503_naming_the_part_that_is_not_ok() -> None:
    health = ProcessHealth()
    health.set("consumers", "ok")
    health.set("relay", "failing: ConnectionRefusedError")
    async with (
        serving_operations("127.0.0.1", 0, health=health) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        healthz = await client.get("/healthz")
        assert healthz.status_code == 503
        assert healthz.json() == {
            "status": "unhealthy",
            "parts": {"consumers": "ok", "relay": "failing: ConnectionRefusedError"},
        }
        health.forget("relay")
        assert (await client.get("/healthz")).status_code == 200
        health.forget("consumers")  # nothing has reported: still starting
        assert (await client.get("/healthz")).status_code == 503


async def test_a_request_that_is_not_http_is_dropped_and_serving_goes_on() -> None:
    async with serving_operations("127.0.0.1", 0, health=ProcessHealth()) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\x00" * 9000)  # no end of headers within the limit
        await writer.drain()
        assert await reader.read() == b""
        writer.close()
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{port}/metrics")).status_code == 200


async def test_without_a_port_nothing_is_served() -> None:
    async with serving_operations("127.0.0.1", None) as port:
        assert port is None
