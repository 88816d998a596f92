"""Fixtures of the inventory integration tests: a migrated database per test (copied from a
template migrated once per session), the API app on it, clients acting as different users, and
a check after every test that the ledger adds up to the balances."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from inventory.bootstrap import create_app
from inventory.config import InventorySettings
from shared.contracts import inventory as api
from shared.events import EventEnvelope, decode
from shared.events.registry import lookup
from shared.identity import (
    ALL_SITES,
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
)
from shared.migrations import upgrade
from shared.testing.infra import KafkaServer, PostgresServer

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "inventory" / "migrations"
ALL_PERMISSIONS = ("inventory:read", "inventory:create", "inventory:update", "inventory:delete")


@pytest.fixture(scope="session")
def identity_keys() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture(scope="session")
async def inventory_template(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database migrated to head once; each test gets a copy (much faster than migrating)."""
    name = await postgres_server.create_database("inv_template")
    await asyncio.to_thread(upgrade, MIGRATIONS, postgres_server.url_for(name))
    yield name
    await postgres_server.drop_database(name)


@pytest.fixture
async def inventory_db(
    postgres_server: PostgresServer, inventory_template: str
) -> AsyncIterator[str]:
    """A fresh, migrated inventory database for one test (asyncpg DSN)."""
    name = await postgres_server.create_database("inv", template=inventory_template)
    yield postgres_server.url_for(name, driver="postgresql")
    await postgres_server.drop_database(name)


@pytest.fixture
def settings(
    inventory_db: str, identity_keys: tuple[str, str], kafka_server: KafkaServer
) -> InventorySettings:
    return InventorySettings(
        INVENTORY_DATABASE_URL=inventory_db.replace("postgresql://", "postgresql+asyncpg://", 1),
        CANOPY_IDENTITY_PUBLIC_KEY=identity_keys[1],
        KAFKA_BOOTSTRAP_SERVERS=kafka_server.bootstrap,
        CANOPY_ENV="test",
    )


@pytest.fixture
async def app(settings: InventorySettings, inventory_db: str) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    container = application.state.container
    await container.close()
    await assert_ledger_matches_balances(inventory_db)
    await assert_cultivation_ledgers_match(inventory_db)
    await assert_outbox_events_are_canonical(inventory_db)


async def assert_cultivation_ledgers_match(dsn: str) -> None:
    """Every plant batch's count is the sum of its ledger, every harvest's current weight too."""
    conn = await asyncpg.connect(dsn)
    try:
        plants = await conn.fetch(
            "SELECT pb.id FROM plant_batch pb WHERE pb.count <> (SELECT COALESCE(sum(change), 0)"
            " FROM plant_batch_movement WHERE plant_batch_id = pb.id)"
        )
        assert not plants, f"plant ledger and counts disagree: {plants}"
        weights = await conn.fetch(
            "SELECT h.id FROM harvest h"
            " WHERE h.wet_weight - h.waste_weight - h.packaged_weight <>"
            " (SELECT COALESCE(sum(change), 0) FROM harvest_movement WHERE harvest_id = h.id)"
        )
        assert not weights, f"harvest ledger and weights disagree: {weights}"
    finally:
        await conn.close()


async def assert_ledger_matches_balances(dsn: str) -> None:
    """For every batch and bucket, the movements add up to the balance; per location, the
    located movements add up to the quantity there; locations add up to physical stock."""
    conn = await asyncpg.connect(dsn)
    try:
        drift = await conn.fetch(
            """
            WITH sums AS (
                SELECT batch_id, bucket, sum(quantity_change) AS total
                FROM movement GROUP BY batch_id, bucket),
            balances AS (
                SELECT id, bucket, balance FROM batch, LATERAL (VALUES
                    ('ON_HAND', on_hand_qty), ('RESERVED', reserved_qty),
                    ('QUARANTINE', quarantine_qty), ('HOLD', hold_qty),
                    ('DEFECTIVE', defective_qty)) AS b(bucket, balance))
            SELECT b.id, b.bucket, b.balance, COALESCE(s.total, 0) AS ledger
            FROM balances b LEFT JOIN sums s ON s.batch_id = b.id AND s.bucket = b.bucket
            WHERE b.balance <> COALESCE(s.total, 0)
            """
        )
        assert not drift, f"ledger and balances disagree: {[dict(r) for r in drift]}"
        located = await conn.fetch(
            """
            WITH sums AS (
                SELECT batch_id, location_id, sum(quantity_change) AS total FROM movement
                WHERE location_id IS NOT NULL GROUP BY batch_id, location_id)
            SELECT COALESCE(s.batch_id, bl.batch_id) AS batch_id,
                   COALESCE(s.location_id, bl.location_id) AS location_id
            FROM sums s FULL JOIN batch_location bl
                 ON bl.batch_id = s.batch_id AND bl.location_id = s.location_id
            WHERE COALESCE(s.total, 0) <> COALESCE(bl.qty, 0)
            """
        )
        assert not located, f"ledger and locations disagree: {[dict(r) for r in located]}"
        physical = await conn.fetch(
            """
            SELECT b.id FROM batch b
            WHERE b.on_hand_qty + b.quarantine_qty + b.defective_qty <>
                  COALESCE((SELECT sum(qty) FROM batch_location WHERE batch_id = b.id), 0)
            """
        )
        assert not physical, f"locations do not add up to physical stock: {physical}"
    finally:
        await conn.close()


async def assert_outbox_events_are_canonical(dsn: str) -> None:
    """Every outbox row is a valid envelope of a registered event type, its payload is exactly
    what the registered model gives back (the service writes payloads as JSON directly, see
    service_layer/event_mapping.py), and its topic, key and headers are the envelope's."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT event_id, topic, message_key, payload::text AS payload,"
            " headers::text AS headers FROM outbox ORDER BY id"
        )
    finally:
        await conn.close()
    for row in rows:
        envelope = EventEnvelope.model_validate_json(row["payload"])
        payload = decode(envelope)
        assert payload.model_dump(mode="json") == envelope.payload, envelope.event_type
        assert envelope.model_dump(mode="json") == json.loads(row["payload"])
        registered = lookup(envelope.event_type, envelope.event_version)
        assert (row["event_id"], row["topic"], row["message_key"]) == (
            envelope.event_id,
            registered.topic.name,
            envelope.aggregate_id,
        )
        headers = json.loads(row["headers"])
        assert {k: v for k, v in headers.items() if k not in ("traceparent", "tracestate")} == {
            "event-id": str(envelope.event_id),
            "event-type": envelope.event_type,
            "event-version": str(envelope.event_version),
            "content-type": "application/json",
            **({"correlation-id": envelope.correlation_id} if envelope.correlation_id else {}),
        }


@dataclass
class User:
    """A test user: an identity, and a client that sends its token."""

    identity: Identity
    client: httpx.AsyncClient

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()


UserFactory = Callable[..., Awaitable[User]]


async def assert_write_answers_are_canonical(response: httpx.Response) -> None:
    """A batch write answers exactly what ``api.BatchWriteResult`` gives back (the service
    builds that JSON directly, see service_layer/presenters.py)."""
    if response.request.method == "GET" or not 200 <= response.status_code < 300:
        return
    await response.aread()
    if not response.headers.get("content-type", "").startswith("application/json"):
        return
    body = response.json()
    if isinstance(body, dict) and body.keys() == {"success", "batch", "movements"}:
        result = api.BatchWriteResult.model_validate(body)
        assert result.model_dump(mode="json") == body


@pytest.fixture
async def make_user(app: FastAPI, identity_keys: tuple[str, str]) -> AsyncIterator[UserFactory]:
    clients: list[httpx.AsyncClient] = []

    async def make(
        subject: str = "admin",
        *,
        sites: tuple[str, ...] = (ALL_SITES,),
        permissions: tuple[str, ...] = ALL_PERMISSIONS,
        display_name: str | None = None,
    ) -> User:
        identity = Identity(
            subject=subject, permissions=permissions, sites=sites, display_name=display_name
        )
        token = issue_identity_token(identity, identity_keys[0], ttl=timedelta(minutes=10))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://inventory",
            headers={IDENTITY_HEADER: token},
            event_hooks={"response": [assert_write_answers_are_canonical]},
        )
        clients.append(client)
        return User(identity=identity, client=client)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def admin(make_user: UserFactory) -> User:
    return await make_user("admin")


INTAKE_EXAMPLE: dict[str, Any] = api.IntakeRequest.model_json_schema()["examples"][0]
"""The intake the HTTP contract documents (one vendor, brand, product and lot, 100 grams)."""


@dataclass
class World:
    """One site with two locations, and helpers to take batches in."""

    admin: User
    site_id: str
    location_a: str
    location_b: str
    prefix: str = "B-"
    counter: list[int] = field(default_factory=lambda: [0])

    def intake_body(self, **overrides: Any) -> dict[str, Any]:
        self.counter[0] += 1
        # The contract's documented example, so that the tests prove the example works too.
        return {
            **copy.deepcopy(INTAKE_EXAMPLE),
            "siteId": self.site_id,
            "vendor": {**INTAKE_EXAMPLE["vendor"], "licenseNumber": "C-42"},
            "location": {"id": self.location_a},
            "code": f"{self.prefix}{self.counter[0]:04d}",
            **overrides,
        }

    async def intake(self, user: User | None = None, **overrides: Any) -> dict[str, Any]:
        result = await (user or self.admin).ok(
            "POST", "/v1/batches/intake", 201, json=self.intake_body(**overrides)
        )
        batch: dict[str, Any] = result["batch"]
        return batch

    async def live(self, user: User | None = None, **overrides: Any) -> dict[str, Any]:
        """A batch taken in and moved to LIVE."""
        batch = await self.intake(user, **overrides)
        result = await (user or self.admin).ok(
            "POST",
            f"/v1/batches/{batch['id']}/status",
            json={"status": "LIVE", "reason": "received"},
        )
        live: dict[str, Any] = result["batch"]
        return live

    async def batch(self, batch_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.admin.ok("GET", f"/v1/batches/{batch_id}")
        return found

    async def reserve(self, batch: dict[str, Any], quantity: str, order: str) -> dict[str, Any]:
        """Reserve stock of the batch for an order, as the admin."""
        return await self._for_order("reservations", batch, quantity, order)

    async def sell(self, batch: dict[str, Any], quantity: str, order: str) -> dict[str, Any]:
        """Sell stock of the batch to an order, as the admin."""
        return await self._for_order("sales", batch, quantity, order)

    async def _for_order(
        self, operation: str, batch: dict[str, Any], quantity: str, order: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.admin.ok(
            "POST",
            f"/v1/batches/{batch['id']}/{operation}",
            json={"quantity": quantity, "referenceType": "ORDER", "referenceId": order},
        )
        return result


async def make_site(admin: User, name: str, license_number: str) -> tuple[str, str, str]:
    site = await admin.ok(
        "POST",
        "/v1/sites",
        201,
        json={"name": name, "licenseNumber": license_number, "state": "OR"},
    )
    a = await admin.ok(
        "POST", f"/v1/sites/{site['id']}/locations", 201, json={"zone": "Vault", "rack": "R1"}
    )
    b = await admin.ok(
        "POST", f"/v1/sites/{site['id']}/locations", 201, json={"zone": "Vault", "rack": "R2"}
    )
    return site["id"], a["id"], b["id"]


@pytest.fixture
async def world(admin: User) -> World:
    site_id, a, b = await make_site(admin, "Eugene warehouse", "OR-123456")
    return World(admin=admin, site_id=site_id, location_a=a, location_b=b)


@pytest.fixture
async def other_world(admin: User) -> World:
    """A second site, for isolation tests."""
    site_id, a, b = await make_site(admin, "Portland warehouse", "OR-999999")
    return World(admin=admin, site_id=site_id, location_a=a, location_b=b, prefix="P-")


@pytest.fixture
async def db(inventory_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database, for checks behind the API's back."""
    conn = await asyncpg.connect(inventory_db)
    yield conn
    await conn.close()


def dec(value: str) -> Decimal:
    return Decimal(value)
