"""Readiness means the database and Kafka answer; health only means the process runs."""

from __future__ import annotations

import socket

import httpx
import pytest
from shared.service_app import KafkaReadiness, create_service_app, database_check
from shared.testing.infra import KafkaServer
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def readyz(database_url: str, bootstrap: str) -> httpx.Response:
    engine = create_async_engine(database_url)
    kafka = KafkaReadiness(bootstrap)
    app = create_service_app(
        title="t",
        description="t",
        readiness={"database": database_check(engine), "kafka": kafka},
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            assert (await client.get("/healthz")).status_code == 200
            return await client.get("/readyz")
    finally:
        await kafka.close()
        await engine.dispose()


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
    app = create_service_app(title="t", description="t", readiness={})

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
