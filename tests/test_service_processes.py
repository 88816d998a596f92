"""Each service runs as its own processes: migrate, then the API under uvicorn answers /readyz;
the workers of compliance, reporting and inventory take each event once and dead-letter poison."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from shared.events import COMPLIANCE_EVENTS, INVENTORY_EVENTS
from shared.events import compliance as cev
from shared.events import inventory as ev
from shared.identity import generate_keypair
from shared.kafka_topics import create_topics
from shared.outbox import outbox_message
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.messaging import messages_on
from shared.testing.platform import place_group_at_end
from shared.testing.processes import children, free_port

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

SERVICES = ("inventory", "compliance", "reporting", "gateway")


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
            for _ in range(300):  # a loaded machine may take a while to start a process
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


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def accepted_connections(port: int) -> set[str]:
    """Socket inodes of the established connections whose local end is ``port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


async def wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_api_workers_share_the_port_are_restarted_and_stop_with_their_supervisor(
    tmp_path: Path,
) -> None:
    _, public = generate_keypair()
    env = {**os.environ, "CANOPY_IDENTITY_PUBLIC_KEY": public, "LOG_JSON": "true"}
    port = free_port()
    command = [sys.executable, "-m", "inventory", "api", "--workers", "2", "--port", str(port)]
    supervisor = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=repo_root(), stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_until(lambda: len(children(supervisor.pid)) == 2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def healthy() -> bool:
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            for _ in range(300):
                if await healthy():
                    break
                await asyncio.sleep(0.1)
            # Sixteen connections: the kernel spreads them over both workers' sockets.
            streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(16)]
            for _, writer in streams:
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            for reader, _ in streams:
                assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
            connections = accepted_connections(port)
            held = [len(socket_inodes(worker) & connections) for worker in children(supervisor.pid)]
            assert sum(held) >= 16  # and the client's own connection
            assert min(held) >= 1, held
            for _, writer in streams:
                writer.close()
                await writer.wait_closed()

            # A second copy of the service cannot join the port and take half its connections.
            second = await asyncio.create_subprocess_exec(
                *command, env=env, cwd=repo_root(), stderr=asyncio.subprocess.PIPE
            )
            _, errors = await asyncio.wait_for(second.communicate(), timeout=60)
            assert second.returncode != 0
            assert b"in use" in errors, errors.decode()[-2000:]

            # A worker killed outright is replaced. Meanwhile no connection is refused: those
            # the kernel hashes to its socket wait in that socket's queue for the new worker.
            victim, survivor = children(supervisor.pid)
            os.kill(victim, signal.SIGKILL)

            async def fresh_connection() -> int:
                async with httpx.AsyncClient(timeout=60) as once:
                    return (await once.get(f"http://127.0.0.1:{port}/healthz")).status_code

            assert await asyncio.gather(*(fresh_connection() for _ in range(8))) == [200] * 8
            await wait_until(
                lambda: (
                    len(children(supervisor.pid)) == 2 and victim not in children(supervisor.pid)
                )
            )
            assert survivor in children(supervisor.pid)

        # Killing the supervisor outright takes its workers with it (nothing keeps the port).
        workers = children(supervisor.pid)
        supervisor.kill()
        await supervisor.wait()
        await wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
        with socket.socket() as probe:
            probe.setsockopt(
                socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
            )  # past TIME_WAIT, not LISTEN
            probe.bind(("127.0.0.1", port))
            probe.listen()
    finally:
        if supervisor.returncode is None:
            supervisor.kill()
            await supervisor.wait()


@pytest.mark.parametrize("service", ["compliance", "reporting", "inventory"])
async def test_the_worker_process_takes_each_event_once_and_dead_letters_poison(
    service: str, postgres_server: PostgresServer, kafka_server: KafkaServer
) -> None:
    database = await postgres_server.create_database(service)
    group = f"tests-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_server.url_for(database),
        "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        f"{service.upper()}_CONSUMER_GROUP": group,
        "LOG_JSON": "true",
    }
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", service, "migrate", env=env, cwd=repo_root()
    )
    assert await migrate.wait() == 0
    # Inventory's worker reads what compliance reports (a push event it acknowledges and leaves,
    # like every compliance event but a settled transfer manifest).
    topic = COMPLIANCE_EVENTS if service == "inventory" else INVENTORY_EVENTS
    await create_topics(kafka_server.bootstrap, [topic, topic.dead_letter])
    # From here on only: the test Kafka holds the whole run's events, which would come first.
    await place_group_at_end(kafka_server.bootstrap, topic.name, group)
    kind: Any = cev.PushAcceptedV1 if service == "inventory" else ev.BatchHeldV1
    example = kind.model_config["json_schema_extra"]["examples"][0]
    # Keyed by the example's batch, as inventory keys it (reporting refuses an envelope and a
    # payload that disagree about the batch).
    batch_id = str(example["batch"]["batch_id"] if "batch" in example else example["batch_id"])
    event = outbox_message(example, event=kind, producer="tests", aggregate_id=batch_id)
    poison = f'{{"poison": "{uuid.uuid4()}"}}'.encode()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_server.bootstrap)
    await producer.start()
    for value in (event.envelope.encode(), poison, event.envelope.encode()):  # once, twice
        await producer.send_and_wait(topic.name, value, key=b"b-1")
    await producer.stop()

    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", service, "worker", env=env, cwd=repo_root(),
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    conn = await asyncpg.connect(postgres_server.url_for(database, driver="postgresql"))
    try:
        deadline = asyncio.get_running_loop().time() + 120
        while not await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id
        ):
            assert asyncio.get_running_loop().time() < deadline, "the event never arrived"
            await asyncio.sleep(0.2)
        # Other tests' workers of the session may read the topic too: find this worker's letter.
        letters = await dead_letters(
            kafka_server.bootstrap, topic.dead_letter.name, poison, consumer=service
        )
        assert letters
        assert (
            await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id)
            == 1
        )
    finally:
        await conn.close()
        worker.terminate()
        _, errors = await asyncio.wait_for(worker.communicate(), timeout=60)
        await postgres_server.drop_database(database)
    assert worker.returncode == 0, errors.decode()[-2000:]


async def dead_letters(
    bootstrap: str, topic: str, value: bytes, *, consumer: str
) -> list[dict[str, str]]:
    """The headers of the dead letters of ``value`` on ``topic`` written by a consumer whose name
    starts with ``consumer`` (waiting up to a minute)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        found = [
            h
            for v, h in await messages_on(bootstrap, topic)
            if v == value and h.get("x-dlt-consumer", "").startswith(consumer)
        ]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.5)
