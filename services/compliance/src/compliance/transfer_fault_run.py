"""The transfers part of the exactly-once fault run (``fault_run.py``): outgoing transfers planned
in inventory, each of one package, while compliance's processes are killed at random and the
sandbox loses answers, answers 429 storms and 5xx (one fault of the run's blend on each
transfer's template POST, on the outgoing list before its manifest is registered, on the
incoming list before each of the receiver's pulls; the faults are placed per transfer, so none
queues up behind a call that is seldom made); besides the random kills, the worker is killed
twice on purpose in the middle of a round, once while Metrc makes a template and once while it
archives one (Metrc applies the write, the round never saves it). Every third transfer is
cancelled once its template is in Metrc, the archive's answer lost; the others are sent,
registered as manifests and accepted in Metrc's UI (the sandbox's calls), the receiving facility
pulling its incoming transfers meanwhile.

Then Metrc must hold exactly one template per transfer, named after it (one template POST
applied per transfer), each cancelled one archived by exactly one DELETE and its manifest
CANCELLED, each sent one settled in inventory (ACCEPTED, with Metrc's received quantity) from
exactly one ``compliance.transfer_manifest.settled``; and each incoming delivery published as
``compliance.incoming_transfer.changed`` once per change in Metrc (no fingerprint twice, at
most one per state it went through, the last as Metrc has it now) and in inventory once.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.domain import SubmissionKind, SubmissionState
from compliance.domain.transfer_manifests import ManifestState, template_name
from compliance.fault_rules import fault_rule
from compliance.held_write_kills import HeldWrite, hold, kill_while_held
from compliance.sandbox_world import (
    LICENSE,
    REASONS,
    RECEIVER,
    RECEIVER_USER_KEY,
    VENDOR_KEY,
    MetrcSite,
    eventually,
)
from compliance.sandbox_world import _ok as ok
from compliance.service_layer.transfer_manifest_ports import ManifestRow

__all__ = ["TransferLoad"]

TEMPLATES = "/transfers/v2/templates/outgoing"
QUANTITY = Decimal("20")
SETTLED = "compliance.transfer_manifest.settled"
INCOMING = "compliance.incoming_transfer.changed"
SLOW_MS = 2500
"""How long the sandbox holds the write the worker is killed in the middle of."""


@dataclass
class Shipment:
    batch_id: str
    tag: str
    cancelled: bool
    delivery_id: int | None = None


@dataclass
class TransferLoad:
    site: MetrcSite
    metrc_url: str
    rng: random.Random
    fault_kinds: Sequence[str]
    """The run's blend of faults (empty: none injected)."""
    kill_worker: Callable[[], Awaitable[None]] | None
    """SIGKILLs compliance's worker and starts another (the run's kills, one at a time); None:
    no kills."""
    patience: float = 600.0
    """Seconds any one step of a transfer may wait (for Metrc, for a killed round's claim)."""
    shipments: dict[str, Shipment] = field(default_factory=dict)
    """transfer id -> its package and fate."""
    kills_aimed: int = 0
    """Worker kills aimed at a held write (``_kill_when_taken``)."""
    kills_mid_round: int = 0
    """Of those, the kills that landed mid-round: the held write applied in Metrc and its row
    not saved by the round that sent it (still under its claim, or saved by a later round)."""
    publications: int = 0
    """Incoming deliveries published (after ``settle_and_check``)."""
    receiver_site_id: str = ""
    _applied_before: dict[str, int] = field(default_factory=dict)

    async def load(self, count: int) -> None:
        """``count`` transfers, ten at a time: the worker killed in the middle of the first
        template POST and of the second transfer's archive (it is cancelled), every third
        cancelled with the archive's answer lost, the rest sent and accepted by the receiver."""
        if not count:
            return
        await self._receiver()
        self._applied_before = await self._applied()
        gate = asyncio.Semaphore(10)
        work = [self._one(i, gate) for i in range(count)]
        if self.kill_worker is not None:
            # The first template POST, whichever transfer's, is held while the worker dies.
            work.append(self._kill_when_taken(await self._slow("POST", TEMPLATES)))
        await asyncio.gather(*work)

    async def _receiver(self) -> None:
        """The receiving facility: an inventory site of its own, with its keys and rules."""
        gateway = self.site.gateway
        store = await ok(
            gateway.post("/sites", json={"name": "Fault run store", "licenseNumber": RECEIVER,
                                         "state": "CO"})
        )  # fmt: skip
        self.receiver_site_id = store["id"]
        await ok(gateway.post(f"/sites/{store['id']}/locations", json={"zone": "Dock"}))
        keys = {"state": "CO", "vendorKey": VENDOR_KEY, "userKey": RECEIVER_USER_KEY}
        await ok(gateway.put(f"/compliance/credentials/{RECEIVER}", json=keys))
        rules = {"state": "CO", "program": "CANNABIS", "requireMetrcId": True,
                 "metrcBaseUrl": self.metrc_url, "licenseNumber": RECEIVER,
                 "timeZone": "America/Denver", "reasonMap": dict(REASONS)}  # fmt: skip
        await ok(gateway.put(f"/compliance/rules/{store['id']}", json=rules))
        await ok(gateway.post(f"/compliance/credentials/{RECEIVER}/validate"))

    async def _one(self, i: int, gate: asyncio.Semaphore) -> None:
        site, gateway = self.site, self.site.gateway
        async with gate:
            batch, tag = await site.intake_opening_balance(format(QUANTITY, "f"))
            # A person plans the transfer once the batch shows its package in Metrc (Metrc
            # refuses a template of a package it does not have; and a create whose answer was
            # lost, read back after its package left, would be taken for a conflict).
            await eventually(
                lambda: self._created(batch["id"]),
                seconds=self.patience,
                what=f"package {tag} in Metrc",
            )
            await site.make_live(batch["id"])
            shipment = Shipment(batch["id"], tag, cancelled=i == 1 or i % 3 == 2)
            await self._fault("POST", TEMPLATES)
            planned = await ok(gateway.post("/outgoing-transfers", json=self._plan(batch["id"])))
            transfer_id: str = planned["transfer"]["id"]
            self.shipments[transfer_id] = shipment
            template_id = await self._synced(transfer_id)
            if shipment.cancelled:
                archive = f"{TEMPLATES}/{template_id}"
                slow_delete = None
                if i == 1 and self.kill_worker is not None:
                    slow_delete = await self._slow("DELETE", archive)
                elif "lost_response" in self.fault_kinds:
                    await self._fault("DELETE", archive, ("lost_response",))
                cancel = {"reason": "fault run"}
                await ok(gateway.post(f"/outgoing-transfers/{transfer_id}/cancel", json=cancel))
                if slow_delete is not None:
                    await self._kill_when_taken(slow_delete)
                return
            await ok(gateway.post(f"/outgoing-transfers/{transfer_id}/send", json={}))
            await self._fault("GET", "/transfers/v2/outgoing")
            sent = await ok(site.sandbox.post(f"/_sandbox/transfers/{template_id}/send"))
        (shipment.delivery_id,) = sent["delivery_ids"]
        # The receiver sees it shipped (unless the fault on its list outlasts the pull), then
        # accepted: two changes, each to be published once.
        await self._pull_to_the_end(faulty=True)
        received = {"label": tag, "accepted": True, "received_quantity": format(QUANTITY, "f")}
        await ok(
            site.sandbox.post(
                f"/_sandbox/transfers/deliveries/{shipment.delivery_id}/receive",
                json={"packages": [received]},
            )
        )
        await self.pull()

    async def _created(self, batch_id: str) -> bool:
        """Whether compliance has the batch's package accepted by Metrc."""
        subs = await self.site.submissions(batch_id)
        if any(s.state in (SubmissionState.REJECTED, SubmissionState.FAILED) for s in subs):
            raise AssertionError(f"batch {batch_id}'s create stopped: {subs}")
        return any(
            s.kind is SubmissionKind.CREATE_PACKAGE and s.state is SubmissionState.ACCEPTED
            for s in subs
        )

    def _plan(self, batch_id: str) -> dict[str, Any]:
        return {
            "siteId": self.site.site_id, "destinationLicenseNumber": RECEIVER,
            "destinationName": "Canopy Store", "transferType": "Wholesale",
            "plannedRoute": "US-36", "transporterLicenseNumber": LICENSE, "driverName": "Sam",
            "driverOccupationalLicenseNumber": "OL-1", "driverLicenseNumber": "DL-1",
            "vehicleMake": "Ford", "vehicleModel": "Transit", "vehicleLicensePlate": "CAN-1",
            "estimatedDeparture": "2030-01-02T15:00:00Z",
            "estimatedArrival": "2030-01-02T17:00:00Z",
            "lines": [{"batchId": batch_id, "wholesalePrice": "100.00"}],
        }  # fmt: skip

    async def _synced(self, transfer_id: str) -> int:
        """The template's Id once compliance read it back from Metrc."""

        async def synced() -> int | None:
            answer = await self.site.gateway.get(f"/compliance/transfers/{transfer_id}")
            if answer.status_code != 200:
                return None
            view = answer.json()
            if view["state"] == ManifestState.FAILED:
                raise AssertionError(f"transfer {transfer_id} FAILED: {view['lastError']}")
            return int(view["metrcTemplateId"]) if view["synced"] else None

        return await eventually(synced, seconds=self.patience, what=f"{transfer_id}'s template")

    async def _fault(self, method: str, path: str, kinds: Sequence[str] = ()) -> None:
        """A fault of ``kinds`` (else of the run's blend) on the next such call."""
        if kinds or self.fault_kinds:
            rule = fault_rule(self.rng, kinds or self.fault_kinds, method, path)
            await ok(self.site.sandbox.post("/_sandbox/faults", json=[rule]))

    async def _slow(self, method: str, path: str) -> HeldWrite:
        """The next such call held by the sandbox for ``SLOW_MS`` (applied after it)."""
        return await hold(self.site, method, path, delay_ms=SLOW_MS)

    async def _kill_when_taken(self, held: HeldWrite) -> None:
        """Kill the worker while the sandbox holds the write ``held``, and count whether the
        kill landed mid-round (``held_write_kills``)."""
        assert self.kill_worker is not None
        landed = await kill_while_held(self.site, held, self.kill_worker, patience=self.patience)
        self.kills_aimed += 1
        self.kills_mid_round += int(landed)

    async def pull(self, *, faulty: bool = True) -> str:
        """The receiver's incoming transfers pulled (a run requested, with ``faulty`` a fault on
        its list first; the run's id)."""
        if faulty:
            await self._fault("GET", "/transfers/v2/incoming")
        body = {"siteId": self.receiver_site_id, "syncTypes": ["transfers"]}
        started = await ok(self.site.gateway.post("/compliance/sync", json=body))
        run_id: str = started["run"]["id"]
        return run_id

    async def _applied(self) -> dict[str, int]:
        """Template writes Metrc applied so far, by route."""
        requests = (await self.site.sandbox.get("/_sandbox/state")).json()["requests"]
        return {
            route: stats["applied"]
            for route, stats in requests.items()
            if route.split(" ", 1)[1].startswith(TEMPLATES)
        }

    # --- the checks ----------------------------------------------------------------------------

    async def settle_and_check(self, *, seconds: float) -> str:
        """Wait until every manifest is settled or cancelled, inventory has every settlement
        and the receiver's last pull saw each delivery as Metrc has it; then check. Returns a
        summary; raises AssertionError listing what is not exactly once."""
        sent = {t: s for t, s in self.shipments.items() if not s.cancelled}
        cancelled = {t: s for t, s in self.shipments.items() if s.cancelled}

        async def manifests_done() -> dict[str, ManifestRow] | None:
            rows: dict[str, ManifestRow | None] = {}
            async with ComplianceUnitOfWork(self.site.database) as uow:
                for transfer_id in self.shipments:
                    rows[transfer_id] = await uow.transfer_manifests.get(UUID(transfer_id))
            final = (ManifestState.SETTLED, ManifestState.CANCELLED, ManifestState.FAILED)
            done = {t: r for t, r in rows.items() if r is not None and r.state in final}
            return done if len(done) == len(rows) else None

        rows = await eventually(manifests_done, seconds=seconds, what="the manifests settling")
        problems = []
        for transfer_id, row in rows.items():
            want = ManifestState.CANCELLED if transfer_id in cancelled else ManifestState.SETTLED
            if row.state is not want:
                problems.append(
                    f"transfer {transfer_id}: manifest {row.state} ({row.last_error}), not {want}"
                )

        async def inventory_settled() -> list[dict[str, Any]] | None:
            answers = [await ok(self.site.gateway.get(f"/outgoing-transfers/{t}")) for t in sent]
            return None if any(a["status"] == "SENT" for a in answers) else answers

        if not problems:
            for answer in await eventually(
                inventory_settled, seconds=seconds, what="inventory settling the transfers"
            ):
                (line,) = answer["lines"]
                got = (answer["status"], Decimal(line["receivedQuantity"] or "-1"),
                       answer["settlementProblem"])  # fmt: skip
                if got != ("ACCEPTED", QUANTITY, None):
                    problems.append(f"transfer {answer['id']} in inventory: {got}")
        problems += await self._check_templates(sent, cancelled)
        for shipment in self.shipments.values():
            subs = await self.site.submissions(shipment.batch_id)
            stopped = [s for s in subs if s.state in (SubmissionState.REJECTED,
                                                      SubmissionState.FAILED)]  # fmt: skip
            if stopped:
                problems.append(f"batch {shipment.batch_id}: {stopped[0].kind} {stopped[0].state}")
        events = await self._outbox()
        for transfer_id in self.shipments:
            settled = [e for e in events if e["event_type"] == SETTLED
                       and e["aggregate_id"] == transfer_id]  # fmt: skip
            if len(settled) != (0 if transfer_id in cancelled else 1):
                problems.append(f"transfer {transfer_id}: settled {len(settled)} times")
        incoming, self.publications = await self._check_incoming(sent, seconds)
        problems += incoming
        if problems:
            raise AssertionError("; ".join(problems[:20]))
        return (
            f"{len(self.shipments)} transfers, one template each ({len(sent)} settled once,"
            f" {len(cancelled)} archived once; {self.kills_mid_round} of {self.kills_aimed}"
            f" worker kills aimed at a held write landed mid-round); {len(sent)} incoming"
            f" deliveries, {self.publications} publications,"
            " one per change"
        )

    def counts(self) -> str:
        """What the run proved of transfers, for its last line."""
        cancelled = sum(s.cancelled for s in self.shipments.values())
        sent = len(self.shipments) - cancelled
        return (
            f"{len(self.shipments)} transfer templates ({sent} settled, {cancelled} archived),"
            f" {sent} incoming deliveries in {self.publications} publications"
        )

    async def _check_templates(
        self, sent: dict[str, Shipment], cancelled: dict[str, Shipment]
    ) -> list[str]:
        problems = []
        state = (await self.site.sandbox.get("/_sandbox/state")).json()
        for transfer_id in self.shipments:
            named = [t for t in state["transfer_templates"]
                     if t["Name"] == template_name(UUID(transfer_id))]  # fmt: skip
            if len(named) != 1:
                problems.append(f"transfer {transfer_id}: {len(named)} templates in Metrc")
                continue
            (template,) = named
            if transfer_id in cancelled and not template["archived"]:
                problems.append(f"transfer {transfer_id}: cancelled, its template not archived")
            if transfer_id in sent and template["sent_transfer_id"] is None:
                problems.append(f"transfer {transfer_id}: sent, its template not a manifest")
        applied = await self._applied()
        posts = applied.get(f"POST {TEMPLATES}", 0) - self._applied_before.get(
            f"POST {TEMPLATES}", 0
        )
        deletes = sum(n - self._applied_before.get(r, 0) for r, n in applied.items()
                      if r.startswith("DELETE"))  # fmt: skip
        if (posts, deletes) != (len(self.shipments), len(cancelled)):
            problems.append(
                f"Metrc applied {posts} template POSTs and {deletes} archives for"
                f" {len(self.shipments)} transfers, {len(cancelled)} cancelled"
            )
        return problems

    async def _check_incoming(
        self, sent: dict[str, Shipment], seconds: float
    ) -> tuple[list[str], int]:
        """Pull until the receiver's last publication of each delivery is the accepted one, then
        check each was published once per change. Returns the problems and the publications."""
        keys = {f"{RECEIVER}:{s.delivery_id}": s for s in sent.values()}

        def by_delivery(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
            found: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
            for e in events:
                if e["event_type"] == INCOMING and e["aggregate_id"] in found:
                    found[e["aggregate_id"]].append(e["payload"])
            return found

        def accepted(payload: dict[str, Any]) -> bool:
            (package,) = payload["packages"]
            received = package["received_quantity"]
            return package["shipment_state"] == "Accepted" and Decimal(received) == QUANTITY

        async def seen_as_accepted() -> dict[str, list[dict[str, Any]]] | None:
            published = by_delivery(await self._outbox())
            if all(p and accepted(p[-1]) for p in published.values()):
                return published
            await self._pull_to_the_end()
            return None

        published = await eventually(
            seen_as_accepted, seconds=seconds, what="the receiver seeing every delivery accepted"
        )
        problems = []
        for key, payloads in published.items():
            prints = [p["fingerprint"] for p in payloads]
            # Metrc changed each delivery twice: shipped, then accepted.
            if len(set(prints)) != len(prints) or len(prints) > 2:
                problems.append(f"delivery {key}: published {len(prints)} times, {prints}")

        async def in_inventory() -> list[dict[str, Any]] | None:
            page = await ok(self.site.gateway.get(
                "/incoming-transfers", params={"siteId": self.receiver_site_id, "limit": 200}
            ))  # fmt: skip
            items: list[dict[str, Any]] = page["items"]
            decided = all(p["metrcState"] == "Accepted" for i in items for p in i["packages"])
            return items if len(items) >= len(keys) and decided else None

        items = await eventually(in_inventory, seconds=seconds, what="inventory's incoming")
        deliveries = sorted(i["deliveryId"] for i in items)
        if deliveries != sorted(s.delivery_id or 0 for s in keys.values()):
            problems.append(f"inventory holds incoming deliveries {deliveries}")
        return problems, sum(len(p) for p in published.values())

    async def _pull_to_the_end(self, *, faulty: bool = False) -> None:
        """One pull of the receiver's transfers, waited for."""
        run_id = await self.pull(faulty=faulty)

        async def finished() -> bool:
            run = await ok(self.site.gateway.get(f"/compliance/sync/runs/{run_id}"))
            return run["state"] not in ("QUEUED", "RUNNING")

        await eventually(finished, seconds=self.patience, what="the receiver's pull")

    async def _outbox(self) -> list[dict[str, Any]]:
        """Compliance's transfer events, as staged (each once, whatever the relay re-sent)."""
        async with self.site.database.connection() as conn:
            rows = await conn.fetch(
                "SELECT payload::text AS p FROM outbox"
                " WHERE payload->>'event_type' = ANY($1::text[]) ORDER BY id",
                [SETTLED, INCOMING],
            )
        return [json.loads(r["p"]) for r in rows]
