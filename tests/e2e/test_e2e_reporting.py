"""Reporting end to end: 10,000 random inventory operations through the gateway (the platform as
processes: inventory, its relay, the reporting worker and API, the gateway; real Kafka and
PostgreSQL). Meanwhile the reporting worker is SIGKILLed twice and restarted; afterwards
already-published events are published again (duplicates) with a poison event and a message that
is not JSON. Then every report, read through the gateway, equals a direct computation from
inventory's own data (its API: the batches and their ledgers), and the poison is in the
dead-letter topic.

The workload reprices batches (a new ticket, sometimes a new unit cost: PATCH with the batch's
version) and receives Flower with its strain. A sale is valued at the ticket and cost in force
when it happened: each client operates on its own batches, so it knows every price it set and
the batch version from which it holds; a ledger row of batch version v is valued at the last
price set at or before v.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from shared.events.topics import INVENTORY_EVENTS
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform
from shared.testing.processes import start_service

OPERATIONS = 10_000
CLIENTS = 4
STRAINS = ["Blue Dream", "Sour Diesel", "OG Kush"]
CATEGORIES = {"Flower": "Blue Dream 3.5g", "Edibles": "Gummies 10pk", "Vapes": "Cart 1g"}
SELLABLE = {"LIVE", "PHOTOGRAPHY_COMPLETE"}
PHYSICAL = {"ON_HAND", "QUARANTINE", "DEFECTIVE"}
Q = Decimal("0.0001")


@pytest.fixture
async def platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path: Path,
) -> AsyncIterator[RunningPlatform]:
    running = await start_platform(
        postgres_server,
        kafka_server,
        identity_keys,
        tmp_path / "logs",
        relay=True,
        reporting_worker=True,
    )
    yield running
    running.stop()


class Workload:
    def __init__(self, client: httpx.AsyncClient, sites: list[str], seed: int) -> None:
        self.client = client
        self.sites = sites
        self.rng = random.Random(seed)
        self.batches: list[str] = []
        self.prices: dict[str, Prices] = {}
        """Per batch: (from batch version, ticket, unit cost), in version order."""
        self.statuses: Counter[int] = Counter()
        self.n = 0

    def _intake(self) -> tuple[str, str, dict[str, Any]]:
        category = self.rng.choice(list(CATEGORIES))
        self.n += 1
        costs: dict[str, Any]
        if self.rng.random() < 0.3:
            low = Decimal(self.rng.randint(100, 90_000)) / 10_000
            costs = {"cogsMode": "RANGE", "unitCogsMin": str(low),
                     "unitCogsMax": str(low + Decimal(self.rng.randint(1, 9_999)) / 10_000)}  # fmt: skip
        else:
            costs = {"cogsMode": "FIXED", "unitCogs": str(Decimal(self.rng.randint(0, 99_999)) / 1000)}  # fmt: skip
        body = {
            "siteId": self.rng.choice(self.sites),
            "vendor": {"name": "Green Valley Farms", "licenseNumber": "C-42"},
            "brand": {"name": "Valley Gold"},
            "product": {
                "name": CATEGORIES[category],
                "category": category,
                "unitOfMeasure": "Grams",
                **({"strain": self.rng.choice(STRAINS)} if category == "Flower" else {}),
            },
            "lot": {"code": "GV-2026-03"},
            "location": {"zone": "Vault", "rack": "R1"},
            "code": f"RPT-{uuid.uuid4().hex[:10]}",
            "quantity": str(Decimal(self.rng.randint(1, 100_000)) / 100),
            "paymentTerms": "NET_30",
            "ticket": str(Decimal(self.rng.randint(100, 99_999)) / 100),
            **costs,
        }
        return "POST", "/api/v1/batches/intake", body

    def _operation(self) -> tuple[str, str, dict[str, Any] | None]:
        if not self.batches or self.rng.random() < 0.12:
            return self._intake()
        batch = f"/api/v1/batches/{self.rng.choice(self.batches)}"
        qty = str(Decimal(self.rng.randint(1, 5_000)) / 100)
        order = {"referenceType": "ORDER", "referenceId": f"SO-{self.rng.randint(1, 30)}"}
        kind = self.rng.choices(
            ["status", "adjust", "reserve", "sale", "release", "return", "hold", "unhold",
             "defective", "dispose", "sample", "delete", "reprice"],
            weights=[10, 15, 12, 16, 6, 8, 5, 4, 4, 4, 3, 1, 6],
        )[0]  # fmt: skip
        match kind:
            case "status":
                status = self.rng.choice(
                    ["LIVE", "LIVE", "PHOTOGRAPHY_COMPLETE", "ON_HOLD", "QUARANTINED", "CLOSED"]
                )
                return "POST", f"{batch}/status", {"status": status, "reason": "workload"}
            case "adjust":
                sign = self.rng.choice(["", "-"])
                return (
                    "POST",
                    f"{batch}/adjustments",
                    {"adjustment": sign + qty, "reason": "REWEIGH"},
                )
            case "reserve":
                return "POST", f"{batch}/reservations", {"quantity": qty, **order}
            case "sale":
                return "POST", f"{batch}/sales", {"quantity": qty, **order}
            case "release":
                return "POST", f"{batch}/reservations/release", order
            case "return":
                refund = self.rng.random() < 0.5
                return "POST", f"{batch}/returns", {"quantity": qty, "refund": refund}
            case "hold":
                return "POST", f"{batch}/holds", {"quantity": qty}
            case "unhold":
                return "POST", f"{batch}/holds/release", {"quantity": qty}
            case "defective":
                return "POST", f"{batch}/defective", {"quantity": qty, "reason": "DAMAGED"}
            case "dispose":
                return "POST", f"{batch}/disposals", {"quantity": qty, "reason": "EXPIRED"}
            case "sample":
                return "POST", f"{batch}/samples", {"quantity": qty}
            case "reprice":
                body = {"ticket": str(Decimal(self.rng.randint(100, 99_999)) / 100),
                        "reason": "repricing"}  # fmt: skip
                if self.rng.random() < 0.4:
                    body |= {"cogsMode": "FIXED",
                             "unitCogs": str(Decimal(self.rng.randint(0, 99_999)) / 1000)}  # fmt: skip
                return "REPRICE", batch, body
            case _:
                return "DELETE", batch, None

    def _priced(self, batch: dict[str, Any]) -> None:
        self.prices.setdefault(batch["id"], []).append(
            (batch["version"], Decimal(batch["ticket"]), _unit_cost(batch))
        )

    async def run(self, operations: int) -> None:
        for _ in range(operations):
            method, path, body = self._operation()
            if method == "REPRICE":
                current = await self.client.get(path)
                assert current.status_code < 500, current.text
                if current.status_code != 200:  # deleted: the PATCH is refused below too
                    body = {**(body or {}), "version": 1}
                else:
                    body = {**(body or {}), "version": current.json()["version"]}
                method = "PATCH"
            answer = await self.client.request(method, path, json=body)
            assert answer.status_code < 500, (method, path, answer.status_code, answer.text)
            self.statuses[answer.status_code] += 1
            if path.endswith("/intake") and answer.status_code == 201:
                self.batches.append(answer.json()["batch"]["id"])
                self._priced(answer.json()["batch"])
            elif method == "PATCH" and answer.status_code == 200:
                self._priced(answer.json()["batch"])


async def _pages(
    client: httpx.AsyncClient, path: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return items


def _unit_cost(batch: dict[str, Any]) -> Decimal:
    if batch["cogsMode"] == "FIXED":
        return Decimal(batch["unitCogs"])
    middle = (Decimal(batch["unitCogsMin"]) + Decimal(batch["unitCogsMax"])) / 2
    return middle.quantize(Q, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Q, rounding=ROUND_HALF_EVEN)


def expected_dashboard(batches: list[dict[str, Any]]) -> dict[str, Any]:
    live = [b for b in batches if b.get("deletedAt") is None]
    sellable = [b for b in live if b["status"] in SELLABLE]
    categories: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for b in sellable:
        categories[b["category"]][0] += Decimal(b["onHandQty"])
        categories[b["category"]][1] += Decimal(b["onHandQty"]) * _unit_cost(b)
    return {
        "totalUnits": sum((Decimal(b["onHandQty"]) for b in sellable), Decimal(0)),
        "totalInventoryValue": _money(
            sum((Decimal(b["onHandQty"]) * _unit_cost(b) for b in sellable), Decimal(0))
        ),
        "statusCounts": dict(Counter(b["status"] for b in live)),
        "categories": {k: (u, _money(v)) for k, (u, v) in categories.items() if u},
    }


Prices = list[tuple[int, Decimal, Decimal]]


def _price_at(prices: Prices, version: int) -> tuple[Decimal, Decimal]:
    """The ticket and unit cost in force at a batch version: the last set at or before it."""
    in_force = [(ticket, cost) for since, ticket, cost in prices if since <= version]
    return in_force[-1]


def expected_profit(
    batch: dict[str, Any], ledger: list[dict[str, Any]], prices: Prices
) -> dict[str, Decimal]:
    sold = returned = revenue = cost = Decimal(0)
    for row in ledger:
        change = Decimal(row["quantityChange"])
        if row["bucket"] not in PHYSICAL:
            continue
        ticket, unit_cost = _price_at(prices, row["batchVersion"])
        if row["movementType"] == "SALE" and change < 0:
            sold -= change
            revenue -= change * ticket
            cost -= change * unit_cost
        elif row["movementType"] in ("RETURN", "REFUND_RETURN") and change > 0:
            returned += change
            cost -= change * unit_cost
            if row["movementType"] == "REFUND_RETURN":
                revenue -= change * ticket
    return {
        "unitsSold": sold - returned,
        "unitsReturned": returned,
        "totalRevenue": revenue,  # exact; reports round for display
        "totalCost": cost,
        "remainingUnits": Decimal(batch["onHandQty"]),
    }


async def _republish(bootstrap: str, count: int, sites: set[str]) -> tuple[int, bytes]:
    """Publish ``count`` of this platform's events again, a poison event and a message that is
    not JSON; returns how many were published again and the poison's bytes."""
    consumer = AIOKafkaConsumer(
        INVENTORY_EVENTS.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        group_id=None, enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    mine: list[tuple[bytes | None, bytes]] = []
    try:
        async with asyncio.timeout(60):
            while len(mine) < count * 3:
                batches = await consumer.getmany(timeout_ms=1000)
                if not batches:
                    break
                for records in batches.values():
                    for record in records:
                        try:  # the test Kafka holds other runs' messages, poison included
                            envelope = json.loads(record.value or b"{}")
                        except ValueError:
                            continue
                        if isinstance(envelope, dict) and envelope.get("site_id") in sites:
                            mine.append((record.key, record.value or b""))
    finally:
        await consumer.stop()
    again = random.Random(5).sample(mine, min(count, len(mine)))
    poison_envelope = json.loads(again[0][1])
    poison_envelope["event_id"] = str(uuid.uuid4())
    poison_envelope["aggregate_id"] = str(uuid.uuid4())  # the payload's batch is another
    poison = json.dumps(poison_envelope).encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in again:
            await producer.send(INVENTORY_EVENTS.name, value, key=key)
        await producer.send(INVENTORY_EVENTS.name, poison, key=again[0][0])
        await producer.send(INVENTORY_EVENTS.name, b"not json", key=b"garbage")
        await producer.flush()
    finally:
        await producer.stop()
    return len(again), poison


async def _in_dead_letters(bootstrap: str, value: bytes) -> bool:
    consumer = AIOKafkaConsumer(
        INVENTORY_EVENTS.dead_letter.name, bootstrap_servers=bootstrap,
        auto_offset_reset="earliest", group_id=None,
    )  # fmt: skip
    await consumer.start()
    try:
        async with asyncio.timeout(60):
            while True:
                batches = await consumer.getmany(timeout_ms=1000)
                if any(r.value == value for records in batches.values() for r in records):
                    return True
                if not batches:
                    return False
    finally:
        await consumer.stop()


async def _caught_up(client: httpx.AsyncClient, since: float) -> dict[str, Any]:
    """Wait until the inventory read model is complete through an instant after ``since``
    with nothing behind, and the topic has stopped growing."""
    stable, last = 0, None
    async with asyncio.timeout(600):
        while True:
            lag = (await client.get("/api/v1/reports/lag")).json()
            model: dict[str, Any] = next(
                m for m in lag["readModels"] if m["topic"] == INVENTORY_EVENTS.name
            )
            ends = [p["highWatermark"] for p in model["partitions"]]
            done = model["messagesBehind"] == 0 and model["asOf"] is not None
            done = done and _timestamp(model["asOf"]) > since
            stable = stable + 1 if done and ends == last else 0
            last = ends
            if stable >= 3:
                return model
            await asyncio.sleep(1)


def _timestamp(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _restart_worker(platform: RunningPlatform, logs: Path, n: int) -> None:
    worker = next(p for p in platform.processes if p.name.startswith("reporting-worker"))
    worker.popen.send_signal(signal.SIGKILL)
    worker.popen.wait()
    platform.processes.remove(worker)
    platform.processes.append(
        start_service("reporting", platform.reporting_env, logs, command="worker",
                      name=f"reporting-worker-{n}")
    )  # fmt: skip


@pytest.mark.timeout(3000)
async def test_after_10000_operations_with_kills_duplicates_and_poison_every_report_equals_inventorys_data(
    platform: RunningPlatform, kafka_server: KafkaServer, tmp_path: Path
) -> None:
    headers = {"X-API-Key": platform.admin_key()}
    async with httpx.AsyncClient(
        base_url=platform.gateway_url, headers=headers, timeout=60
    ) as client:
        sites = []
        for n in range(2):
            site = await client.post(
                "/api/v1/sites",
                json={"name": f"Reporting {n} {uuid.uuid4().hex[:6]}",
                      "licenseNumber": f"RPT-{uuid.uuid4().hex[:6]}", "state": "OR"},
            )  # fmt: skip
            assert site.status_code == 201, site.text
            sites.append(site.json()["id"])
        workloads = [Workload(client, sites, seed) for seed in range(CLIENTS)]
        per_client = OPERATIONS // CLIENTS

        async def kills() -> None:
            for n in (1, 2):
                await asyncio.sleep(25)
                await asyncio.to_thread(_restart_worker, platform, tmp_path / "logs", n)

        killing = asyncio.create_task(kills())
        await asyncio.gather(*(w.run(per_client) for w in workloads))
        await killing
        republished, poison = await _republish(kafka_server.bootstrap, 200, set(sites))
        await _caught_up(client, time.time())

        scope = {"siteId": sites}
        batches = [
            b for site in sites for b in await _pages(
                client, "/api/v1/batches", {"siteId": site, "limit": 200, "includeArchived": "true"}
            )
        ]  # fmt: skip
        expected = expected_dashboard(batches)
        dashboard = (await client.get("/api/v1/reports/dashboard", params=scope)).json()
        assert Decimal(dashboard["totalUnits"]) == expected["totalUnits"]
        assert Decimal(dashboard["totalInventoryValue"]) == expected["totalInventoryValue"]
        assert {k: v for k, v in dashboard["statusCounts"].items() if v} == expected["statusCounts"]
        assert {
            s["name"]: (Decimal(s["units"]), Decimal(s["value"]))
            for s in dashboard["categoryStats"] if Decimal(s["units"])
        } == expected["categories"]  # fmt: skip

        aging = (await client.get("/api/v1/reports/aging", params=scope)).json()
        in_stock = [b for b in batches if b["status"] in SELLABLE
                    and b.get("deletedAt") is None and Decimal(b["onHandQty"]) > 0]  # fmt: skip
        assert sum(t["count"] for t in aging["summary"].values()) == len(in_stock)
        assert sum(Decimal(t["totalUnits"]) for t in aging["summary"].values()) == sum(
            (Decimal(b["onHandQty"]) for b in in_stock), Decimal(0)
        )

        revenue = cost = Decimal(0)
        for batch in batches:
            ledger = await _pages(
                client, f"/api/v1/batches/{batch['id']}/movements", {"limit": 500}
            )
            prices = next(w.prices[batch["id"]] for w in workloads if batch["id"] in w.prices)
            want = expected_profit(batch, ledger, prices)
            got = (await client.get(f"/api/v1/reports/profitability/batches/{batch['id']}")).json()
            shown = {k: _money(v) if k.startswith("total") else v for k, v in want.items()}
            assert {k: Decimal(got[k]) for k in want} == shown, batch["id"]
            revenue += want["totalRevenue"]
            cost += want["totalCost"]
        summary = (await client.get("/api/v1/reports/profitability", params=scope)).json()
        # The summary rounds the exact sum, not the sum of the batches' rounded figures.
        assert Decimal(summary["totalRevenue"]) == _money(revenue)
        assert Decimal(summary["totalCost"]) == _money(cost)

    statuses = sum((w.statuses for w in workloads), Counter())
    assert sum(statuses.values()) == OPERATIONS
    assert statuses[200] + statuses[201] > OPERATIONS // 3, statuses
    assert len(batches) > 500
    assert sum(len(p) - 1 for w in workloads for p in w.prices.values()) > 100  # repricings
    assert republished == 200
    assert await _in_dead_letters(kafka_server.bootstrap, poison)
