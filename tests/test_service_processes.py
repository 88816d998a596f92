"""Each service runs as its own process: migrate, then the API under uvicorn answers /readyz."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import httpx
import pytest
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer, repo_root

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

SERVICES = ("inventory", "compliance", "reporting", "gateway")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_migrates_and_its_api_process_becomes_ready(
    service: str, postgres_server: PostgresServer, kafka_server: KafkaServer, tmp_path: object
) -> None:
    database = await postgres_server.create_database(service)
    _, public = generate_keypair()
    private, _ = generate_keypair()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_server.url_for(database),
        "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        "CANOPY_IDENTITY_PUBLIC_KEY": public,
        "GATEWAY_IDENTITY_PRIVATE_KEY": private,
        "LOG_JSON": "true",
    }
    migrate = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        service,
        "migrate",
        env=env,
        cwd=repo_root(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await migrate.communicate()
    assert migrate.returncode == 0, output.decode()

    port = free_port()
    api = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        service,
        "api",
        "--port",
        str(port),
        env=env,
        cwd=repo_root(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(150):
                try:
                    response = await client.get("/readyz")
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                if response.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert response.json() == {
                "status": "ready",
                "checks": {"database": "ok", "kafka": "ok"},
            }
            assert response.headers["x-request-id"]
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            assert b"python_info" in (await client.get("/metrics")).content
    finally:
        api.terminate()
        _, errors = await asyncio.wait_for(api.communicate(), timeout=30)
        await postgres_server.drop_database(database)
    # uvicorn re-raises SIGTERM after a graceful shutdown, so the exit status is -SIGTERM.
    assert api.returncode in (0, -15), errors.decode()[-2000:]
    assert b"Application shutdown complete" in errors, errors.decode()[-2000:]
