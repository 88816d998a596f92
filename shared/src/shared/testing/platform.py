"""The platform as it runs in production, for tests and benchmarks: ``python -m inventory api``,
its relay, ``python -m compliance api``, ``python -m reporting api`` (and, if asked, its worker)
and ``python -m gateway api`` as processes on free ports, each service on its own migrated
database of the test PostgreSQL, the test Kafka behind them, and an administrator. With
``compliance=...``: the Metrc sandbox (``python -m metrc_sandbox serve``), and compliance's worker
(inventory events to Metrc) and relay on the compliance API's database, and inventory's worker
(Metrc's answers on transfers back to inventory).

It starts the services by their command lines (it imports none of them)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events.topics import COMPLIANCE_EVENTS, INVENTORY_EVENTS, TRANSFER_EVENTS
from shared.kafka_topics import create_topics
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.log_audit import register_secret
from shared.testing.processes import (
    ServiceProcess,
    free_port,
    launch_service,
    run_service_command,
    stop_all,
)

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "CORS_ORIGIN",
    "ComplianceProcesses",
    "RunningPlatform",
    "place_group_at_end",
    "start_platform",
]

ADMIN_EMAIL = "admin@platform.test"
ADMIN_PASSWORD = "the platform admin's password"
CORS_ORIGIN = "http://localhost:5173"
"""The one origin the gateway allows (as `make up` allows the Vite dev server)."""


@dataclass
class ComplianceProcesses:
    """Compliance beside the platform: the sandbox playing Metrc at ``metrc_url`` (the first
    process) and compliance's worker and relay on ``database_url``; ``start(command)`` starts
    one more (after a test killed one)."""

    metrc_url: str
    database_url: str
    env: dict[str, str]
    logs: Path
    processes: list[ServiceProcess] = field(default_factory=list)
    starts: int = 0

    def start(self, command: str) -> ServiceProcess:
        return self.launch(command).ready()

    def launch(self, command: str) -> ServiceProcess:
        """As :meth:`start`, without waiting for it to answer."""
        self.starts += 1
        name = f"compliance-{command}-{self.starts}"
        process = launch_service("compliance", self.env, self.logs, command=command, name=name)
        self.processes.append(process)
        return process

    async def ready(self) -> None:
        """Once the sandbox and every process launched answer."""
        sandbox, *others = self.processes
        await asyncio.gather(
            asyncio.to_thread(_wait_for_sandbox, self.metrc_url, sandbox),
            *(asyncio.to_thread(p.ready) for p in others),
        )

    def running(self, command: str) -> list[ServiceProcess]:
        return [
            p
            for p in self.processes
            if p.name.startswith(f"compliance-{command}-") and p.popen.poll() is None
        ]

    def stop(self) -> None:
        stop_all(reversed(self.processes))


@dataclass
class RunningPlatform:
    """The services as processes; ``gateway_url`` is the public door."""

    gateway_url: str
    inventory_url: str
    databases: tuple[str, str]
    """Inventory's and the gateway's."""
    compliance_url: str = ""
    compliance_database: str = ""
    processes: list[ServiceProcess] = field(default_factory=list)
    compliance: ComplianceProcesses | None = None
    reporting_url: str = ""
    reporting_database: str = ""
    reporting_env: dict[str, str] = field(default_factory=dict)
    """What ``python -m reporting ...`` needs to run against this platform (a test starts,
    kills and restarts the worker with it)."""
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD
    cors_origin: str = CORS_ORIGIN
    _admin_key: str = ""

    @property
    def logs(self) -> list[Path]:
        return [process.log for process in self.processes]

    def stop(self) -> None:
        theirs = reversed(self.compliance.processes) if self.compliance is not None else ()
        stop_all([*theirs, *reversed(self.processes)])

    def admin_token(self) -> str:
        login = httpx.post(
            self.gateway_url + "/api/v1/auth/login",
            json={"email": self.admin_email, "password": self.admin_password},
        )
        assert login.status_code == 200, login.text
        token = str(login.json()["access_token"])
        register_secret(token)
        return token

    def admin_key(self) -> str:
        """An administrator's API key (a request under test could end a session) and a site for
        the generated requests to find: made at the first call, the same key after it."""
        if self._admin_key:
            return self._admin_key
        auth = {"Authorization": f"Bearer {self.admin_token()}"}
        created = httpx.post(
            self.gateway_url + "/api/v1/api-keys",
            json={"name": "tests", "roles": ["Admin"], "sites": ["*"]},
            headers=auth,
        )
        assert created.status_code == 201, created.text
        key = str(created.json()["key"])
        register_secret(key)
        site = httpx.post(
            self.gateway_url + "/api/v1/sites",
            json={"name": "Processes", "licenseNumber": "PROC-1", "state": "OR"},
            headers=auth,
        )
        assert site.status_code == 201, site.text
        self._admin_key = key
        return key


async def start_platform(
    postgres: PostgresServer,
    kafka: KafkaServer,
    keys: tuple[str, str],
    logs: Path,
    *,
    relay: bool = False,
    reporting_worker: bool = False,
    inventory_database: str | None = None,
    compliance: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> RunningPlatform:
    """A migrated database per service (or the inventory's given one: a benchmark's loaded data)
    with the administrator, then inventory (and its relay), compliance's API, reporting (and,
    with ``reporting_worker``, its consumer of the events) and the gateway in front of them.

    ``compliance``: also start the Metrc sandbox and compliance's worker and relay (and
    inventory's relay, which feeds them), with these settings added to compliance's
    environment (``METRC_SANDBOX_*`` ones go to the sandbox). ``env`` is added to every
    process's environment (a span receiver's, say).

    Each database is a copy of a template that the service's own ``migrate`` command (and, for
    the gateway's, ``create-admin``) made at the run's first platform; the processes start side
    by side, each on a port chosen before it starts, and are returned once all answer."""
    relay = relay or compliance is not None
    # INFO, as in production: the log audit reads what the services would really log.
    common = {
        "CANOPY_ENV": "test",
        "OTEL_TRACES_EXPORTER": "none",
        "LOG_LEVEL": "INFO",
        **(env or {}),
    }
    inventory_env = {
        **common,
        "CANOPY_IDENTITY_PUBLIC_KEY": keys[1],
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
    }
    compliance_env = {
        **common,
        "CANOPY_IDENTITY_PUBLIC_KEY": keys[1],
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        **{k: v for k, v in (compliance or {}).items() if not k.startswith("METRC_SANDBOX_")},
    }
    reporting_env = {
        **common,
        # A group of its own: the test Kafka outlives a platform, and holds other runs' events.
        "REPORTING_CONSUMER_GROUP": f"reporting-{uuid.uuid4().hex[:8]}",
        "CANOPY_IDENTITY_PUBLIC_KEY": keys[1],
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
    }
    gateway_env = {
        **common,
        "GATEWAY_IDENTITY_PRIVATE_KEY": keys[0],
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "GATEWAY_ARGON2_TIME_COST": "1",
        "GATEWAY_ARGON2_MEMORY_KIB": "1024",
        "GATEWAY_ARGON2_PARALLELISM": "1",
        "GATEWAY_CORS_ORIGINS": CORS_ORIGIN,
    }
    register_secret(ADMIN_PASSWORD)
    databases = (
        ("inventory", "INVENTORY_DATABASE_URL", inventory_env),
        ("compliance", "COMPLIANCE_DATABASE_URL", compliance_env),
        ("reporting", "REPORTING_DATABASE_URL", reporting_env),
        ("gateway", "GATEWAY_DATABASE_URL", gateway_env),
    )
    urls = await asyncio.gather(
        *(
            _database(postgres, service, variable, service_env, inventory_database)
            for service, variable, service_env in databases
        )
    )
    for (_, variable, service_env), url in zip(databases, urls, strict=True):
        service_env[variable] = url
    if relay or reporting_worker:
        topics = [INVENTORY_EVENTS, COMPLIANCE_EVENTS, TRANSFER_EVENTS]
        await create_topics(kafka.bootstrap, [*topics, *(t.dead_letter for t in topics)])
    processes: list[ServiceProcess] = []
    running = None
    try:
        inventory = launch_service("inventory", inventory_env, logs)
        processes.append(inventory)
        if relay:
            processes.append(launch_service("inventory", inventory_env, logs, command="relay"))
        # Reconciliation's one write to inventory (a movement an approved fix records).
        compliance_env["COMPLIANCE_INVENTORY_URL"] = inventory.url
        compliance_api = launch_service("compliance", compliance_env, logs)
        processes.append(compliance_api)
        reporting = launch_service("reporting", reporting_env, logs)
        processes.append(reporting)
        if reporting_worker:
            processes.append(launch_service("reporting", reporting_env, logs, command="worker"))
        upstreams = {
            "INVENTORY_URL": inventory.url,
            "COMPLIANCE_URL": compliance_api.url,
            "REPORTING_URL": reporting.url,
        }
        gateway = launch_service("gateway", {**gateway_env, **upstreams}, logs)
        processes.append(gateway)
        if compliance is not None:
            # Settled manifests (compliance.events) back into inventory's transfers; a group of
            # its own placed at the topic's end, as compliance's.
            inventory_group = f"inventory-{uuid.uuid4().hex[:8]}"
            await place_group_at_end(kafka.bootstrap, COMPLIANCE_EVENTS.name, inventory_group)
            processes.append(
                launch_service(
                    "inventory",
                    {**inventory_env, "INVENTORY_CONSUMER_GROUP": inventory_group},
                    logs,
                    command="worker",
                )
            )
            running = await _start_compliance(kafka, logs, compliance_env, compliance)
        await asyncio.gather(*(asyncio.to_thread(p.ready) for p in processes))
        if running is not None:
            await running.ready()
    except BaseException:
        stop_all([*(running.processes if running is not None else ()), *processes])
        raise
    return RunningPlatform(
        gateway_url=gateway.url,
        inventory_url=inventory.url,
        databases=(urls[0], urls[3]),
        compliance_url=compliance_api.url,
        compliance_database=urls[1],
        processes=processes,
        compliance=running,
        reporting_url=reporting.url,
        reporting_database=urls[2],
        reporting_env=reporting_env,
    )


async def _database(
    postgres: PostgresServer,
    service: str,
    variable: str,
    env: Mapping[str, str],
    inventory_database: str | None,
) -> str:
    """The service's database for a platform, migrated (the gateway's with the administrator)."""

    def migrate(name: str) -> None:
        service_env = {**env, variable: postgres.url_for(name)}
        run_service_command(service, ["migrate"], service_env)
        if service == "gateway":
            run_service_command(
                "gateway",
                ["create-admin", "--email", ADMIN_EMAIL, "--password-stdin"],
                service_env,
                stdin=ADMIN_PASSWORD + "\n",
            )

    if service == "inventory" and inventory_database is not None:
        await asyncio.to_thread(migrate, inventory_database)  # a benchmark's data
        return postgres.url_for(inventory_database)

    async def build(name: str) -> None:
        await asyncio.to_thread(migrate, name)

    return postgres.url_for(
        await postgres.copy_of_template(f"platform:{service}", build, prefix=f"p_{service[:3]}")
    )


async def _start_compliance(
    kafka: KafkaServer,
    logs: Path,
    api_env: Mapping[str, str],
    settings: Mapping[str, str],
) -> ComplianceProcesses:
    """The sandbox, compliance's worker and relay, launched (``ready()`` waits for them)."""
    port = free_port()
    sandbox_env = {k: v for k, v in settings.items() if k.startswith("METRC_SANDBOX_")}
    # The topic outlives a run's platforms (the test stack keeps its data): a platform's
    # compliance starts as a new group placed at the topic's end, not at its history.
    group = f"compliance-{uuid.uuid4().hex[:8]}"
    await place_group_at_end(kafka.bootstrap, INVENTORY_EVENTS.name, group)
    # Outgoing transfers have their consumer and group (``<group>.transfers``) and topic.
    await place_group_at_end(kafka.bootstrap, TRANSFER_EVENTS.name, f"{group}.transfers")
    await create_topics(kafka.bootstrap, [COMPLIANCE_EVENTS])
    sandbox = launch_service(
        "metrc_sandbox",
        {**sandbox_env, "METRC_SANDBOX_PORT": str(port), "METRC_SANDBOX_LOG_LEVEL": "warning"},
        logs,
        command="serve",
    )
    # The API's database, migrated already: the worker and the relay share it.
    env = {**api_env, "COMPLIANCE_CONSUMER_GROUP": group}
    running = ComplianceProcesses(
        metrc_url=f"http://127.0.0.1:{port}",
        database_url=api_env["COMPLIANCE_DATABASE_URL"],
        env=env,
        logs=logs,
    )
    running.processes.append(sandbox)
    running.launch("worker")
    running.launch("relay")
    return running


async def place_group_at_end(bootstrap: str, topic: str, group: str) -> None:
    """Commit ``group``'s offsets at ``topic``'s end: a consumer started in it reads only what is
    published from now on (the test stack keeps every earlier run's events).

    The partitions come from the admin client: a consumer's ``topics()`` fetches the metadata
    without keeping it, so ``partitions_for_topic`` would answer nothing and the group would
    silently start at the topic's beginning."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        if described["error_code"] != 0 or not partitions:
            raise RuntimeError(f"cannot place {group} at the end of {topic}: {described}")
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            ends = await consumer.end_offsets(partitions)
            consumer.assign(partitions)
            await consumer.commit(dict(ends))
        finally:
            await consumer.stop()
        placed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        if {tp: meta.offset for tp, meta in placed.items()} != dict(ends):
            raise RuntimeError(f"{group} was not placed at the end of {topic}: {placed}")
    finally:
        await admin.close()


def _wait_for_sandbox(url: str, process: ServiceProcess, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"the Metrc sandbox exited: {process.log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/_sandbox/config", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the Metrc sandbox did not start")
