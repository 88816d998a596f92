"""Readiness means the database and Kafka answer; health only means the process runs."""

from __future__ import annotations

import asyncio
import gc
import socket

import httpx
import pytest
from shared.database import Database
from shared.http import KafkaReadiness
from shared.testing.apps import kit_app
from shared.testing.infra import KafkaServer

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def readyz(database_url: str, bootstrap: str) -> httpx.Response:
    database = Database(database_url, name="tests")
    app = kit_app(kafka=bootstrap, database_check=database.check)
    thresholds = gc.get_threshold()
    try:
        # The app's lifespan closes its Kafka client (it also settles this process's collector,
        # which is put back below).
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client,
        ):
            assert (await client.get("/healthz")).status_code == 200
            return await client.get("/readyz")
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        await database.close()


async def test_ready_when_database_and_kafka_answer(
    database_url: str, kafka_server: KafkaServer
) -> None:
    response = await readyz(database_url, kafka_server.bootstrap)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "kafka": "ok"}}


async def test_not_ready_when_kafka_does_not_answer(database_url: str) -> None:
    response = await readyz(database_url, f"127.0.0.1:{closed_port()}")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["kafka"].startswith("failed")


async def test_not_ready_when_the_database_does_not_answer(kafka_server: KafkaServer) -> None:
    url = f"postgresql+asyncpg://nobody:nothing@127.0.0.1:{closed_port()}/none"
    response = await readyz(url, kafka_server.bootstrap)
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("failed")
    assert response.json()["checks"]["kafka"] == "ok"


async def test_an_unexpected_error_answers_500_with_the_request_id_and_no_internals() -> None:
    app = kit_app(kafka=f"127.0.0.1:{closed_port()}")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-42"
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert response.json()["error"]["details"] == {"request_id": "req-42"}
    assert "secret internals" not in response.text


async def test_readiness_recovers_when_kafka_comes_back(kafka_server: KafkaServer) -> None:
    broker_host, broker_port = kafka_server.bootstrap.split(":")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = KafkaReadiness(f"127.0.0.1:{port}")
    with pytest.raises(Exception):  # noqa: B017 - whatever aiokafka raises for "no broker"
        await check()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(broker_host, int(broker_port))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(
            pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True
        )

    proxy = await asyncio.start_server(forward, "127.0.0.1", port)  # Kafka is reachable now
    try:
        await check()
    finally:
        await check.close()
        proxy.close()
