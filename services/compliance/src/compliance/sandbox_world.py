"""A Metrc site on the running platform, for end-to-end tests, fault runs and the push benchmark.

``MetrcSite.create`` seeds the Metrc sandbox with one facility (items, locations, package tags,
optionally packages waiting to be received), creates an inventory site and its locations
through the gateway, and saves the site's jurisdiction rules and the license's keys through
compliance's service layer on compliance's database (what the compliance API's routes call).
Then ``intake`` and friends change batches through the gateway, and ``package`` /
``settled`` read what the sandbox and compliance hold.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import SecretStr
from shared.database import Database

from compliance.adapters.clock import UtcClock
from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.metrc import MetrcClient, MetrcCredentials, Package
from compliance.adapters.metrc_connector import MetrcClients
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.config import DEV_CREDENTIAL_KEYS
from compliance.domain import (
    CHANGE_CAUSES,
    JurisdictionRules,
    Program,
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
)
from compliance.service_layer import (
    CredentialsService,
    RulesService,
    SaveCredentials,
    SaveRules,
    ServiceContext,
    ValidateCredentials,
)

__all__ = [
    "BULK_ITEM",
    "CLONE_ITEM",
    "ITEM",
    "LICENSE",
    "RECEIVER",
    "RECEIVER_USER_KEY",
    "VENDOR_KEY",
    "MetrcSite",
    "eventually",
    "receiver_metrc",
]

LICENSE = "SF-SBX-CO-21-8002"
RECEIVER = "SF-SBX-CO-22-8002"
"""A second facility, with a user key of its own: where the grower's transfers go."""
ITEM = "Blue Dream 3.5g"
BULK_ITEM = "Blue Dream bulk flower"
"""What packages made from a harvest hold (Buds, by weight)."""
CLONE_ITEM = "Blue Dream clones"
"""What a package plant batches are planted from holds (Immature Plants, each)."""
VENDOR_KEY = "sandbox-vendor-key-4f1a"
USER_KEY = "sandbox-user-key-9c2e7"
RECEIVER_USER_KEY = "sandbox-user-key-r5d81"
LOCATIONS = ("Vault", "Back Room")
REASONS: Mapping[str, str] = {
    cause: (
        "Waste"
        if cause in ("DAMAGED", "EXPIRED", "QUALITY_ISSUE")
        else "Theft"
        if cause in ("LOST", "THEFT")
        else "Scale Variance"
    )
    for cause in CHANGE_CAUSES
}
T = TypeVar("T")


def seed(*, package_tags: int, waiting_packages: int = 0, plant_tags: int = 0) -> dict[str, Any]:
    return {
        "seed": 11,
        "vendor_keys": [VENDOR_KEY],
        "users": [
            {"user_key": USER_KEY, "name": "Canopy", "facilities": [LICENSE]},
            {"user_key": RECEIVER_USER_KEY, "name": "Canopy store", "facilities": [RECEIVER]},
        ],
        "facilities": [
            {"license_number": LICENSE, "name": "Canopy Grower", "license_type": "Cultivation"},
            {"license_number": RECEIVER, "name": "Canopy Store", "license_type": "Retail"},
        ],
        "locations": [{"license_number": LICENSE, "name": n} for n in LOCATIONS],
        "strains": [{"license_number": n, "name": "Blue Dream"} for n in (LICENSE, RECEIVER)],
        "items": [
            {
                "license_number": license,
                "name": name,
                "category": category,
                "unit_of_measure": unit,
                "strain": "Blue Dream",
            }
            for license, name, category, unit in (
                (LICENSE, ITEM, "Buds", "Grams"),
                (RECEIVER, ITEM, "Buds", "Grams"),
                (LICENSE, BULK_ITEM, "Buds", "Grams"),
                (LICENSE, CLONE_ITEM, "Immature Plants", "Each"),
            )
        ],
        "tags": [{"license_number": LICENSE, "type": "Package", "count": package_tags}]
        + (
            [{"license_number": LICENSE, "type": "Plant", "count": plant_tags}]
            if plant_tags
            else []
        ),
        "packages": [
            {
                "license_number": LICENSE,
                "item": ITEM,
                "quantity": "25",
                "unit_of_measure": "Grams",
                "location": "Vault",
            }
            for _ in range(waiting_packages)
        ],
    }


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, seconds: float = 60, what: str = "it"
) -> T:
    """``check()``'s first result that is not None (or False), polling until ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = await check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        await asyncio.sleep(0.2)


def receiver_metrc(metrc_url: str) -> MetrcClient:
    """A Metrc client of the second facility (``RECEIVER``), with that facility's own user key:
    what the receiver sees of a transfer's packages. Use as ``async with``."""
    return MetrcClient(
        base_url=metrc_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(VENDOR_KEY), user_key=SecretStr(RECEIVER_USER_KEY)
        ),
    )


@dataclass
class MetrcSite:
    gateway: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    metrc: MetrcClient
    database: Database
    connector: MetrcClients
    context: ServiceContext
    site_id: str
    location_ids: dict[str, str]
    free_tags: list[str] = field(default_factory=list)
    free_plant_tags: list[str] = field(default_factory=list)

    @classmethod
    async def create(
        cls,
        *,
        gateway_url: str,
        api_key: str,
        metrc_url: str,
        compliance_database_url: str,
        package_tags: int = 40,
        waiting_packages: int = 0,
        metrc_site: bool = True,
        name: str = "Denver grow",
        reset: bool = True,
        site_license: str = LICENSE,
        plant_tags: int = 0,
    ) -> MetrcSite:
        """``reset``: seed the sandbox afresh (else its packages and used tags stay, and the
        site takes the tags still available). ``site_license``: the inventory site's license
        number (unique among inventory's sites; its rules point it at the Metrc facility)."""
        sandbox = httpx.AsyncClient(base_url=metrc_url, timeout=30)
        if reset:
            document = seed(
                package_tags=package_tags, waiting_packages=waiting_packages, plant_tags=plant_tags
            )
            (await sandbox.post("/_sandbox/reset", json=document)).raise_for_status()
        gateway = httpx.AsyncClient(
            base_url=gateway_url + "/api/v1",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=60,
        )
        site = await _ok(
            gateway.post(
                "/sites", json={"name": name, "licenseNumber": site_license, "state": "CO"}
            )
        )
        locations = {}
        for label in LOCATIONS:
            created = await _ok(
                gateway.post(f"/sites/{site['id']}/locations", json={"zone": label})
            )
            locations[label] = created["id"]
        database = Database(
            compliance_database_url, name="compliance-tests", min_size=1, max_size=4
        )
        connector = MetrcClients()
        context = ServiceContext(
            uow=lambda: ComplianceUnitOfWork(database),
            connector=connector,
            cipher=CredentialCipher.from_keyring(SecretStr(DEV_CREDENTIAL_KEYS)),
            clock=UtcClock(),
        )
        metrc = MetrcClient(
            base_url=metrc_url,
            credentials=MetrcCredentials(
                vendor_key=SecretStr(VENDOR_KEY), user_key=SecretStr(USER_KEY)
            ),
        )
        world = cls(gateway, sandbox, metrc, database, connector, context, site["id"], locations)
        world.free_tags = sorted(t.label for t in await metrc.list_available_tags(LICENSE))
        if plant_tags:
            plant = await metrc.list_available_tags(LICENSE, "plant")
            world.free_plant_tags = sorted(t.label for t in plant)
        if metrc_site:
            await world.make_metrc_site(metrc_url)
        return world

    async def make_metrc_site(self, metrc_url: str) -> None:
        """Keys, then rules (they say where Metrc is), then the keys validated against it."""
        await self.save_keys()
        await self.save_rules(metrc_url)
        await self.validate_keys()

    async def save_keys(self, *, user_key: str = USER_KEY) -> None:
        """Store the license's keys (validated on save once the rules say where Metrc is)."""
        await CredentialsService(self.context).save(
            SaveCredentials(
                license_number=LICENSE,
                state="CO",
                vendor_key=SecretStr(VENDOR_KEY),
                user_key=SecretStr(user_key),
                actor="tests",
            )
        )

    async def validate_keys(self) -> None:
        view = await CredentialsService(self.context).validate(
            ValidateCredentials(license_number=LICENSE, actor="tests")
        )
        if view.status.value != "VALID":
            raise AssertionError(f"the sandbox refused the keys: {view.validation_message}")

    async def save_rules(self, metrc_url: str) -> None:
        await RulesService(self.context).save(
            SaveRules(
                rules=JurisdictionRules(
                    site_id=UUID(self.site_id),
                    state="CO",
                    program=Program.CANNABIS,
                    require_metrc_id=True,
                    metrc_base_url=metrc_url,
                    license_number=LICENSE,
                    time_zone="America/Denver",
                    reason_map=dict(REASONS),
                    location_map={self.location_ids[n]: n for n in LOCATIONS},
                    track_locations=True,
                    allow_opening_balance=True,
                ),
                actor="tests",
            )
        )

    async def count(self, kind: SubmissionKind, state: SubmissionState) -> int:
        """How many submissions of the license are of ``kind`` in ``state``."""
        async with self.context.uow() as uow:
            found = await uow.submissions.search(
                SubmissionQuery(
                    license_number=LICENSE,
                    kinds=frozenset({kind}),
                    states=frozenset({state}),
                    limit=1_000_000,
                )
            )
        return len(found)

    async def close(self) -> None:
        await self.gateway.aclose()
        await self.sandbox.aclose()
        await self.metrc.aclose()
        await self.connector.close()
        await self.database.close()

    # --- inventory, through the gateway ---------------------------------------------------------

    def intake_body(self, quantity: str, **package: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "siteId": self.site_id,
            "vendor": {"name": "Green Valley Farms"},
            "brand": {"name": "Valley Gold"},
            "product": {
                "name": ITEM,
                "category": "Flower",
                "strain": "Blue Dream",
                "unitOfMeasure": "Grams",
            },
            "lot": {"code": "GV-1"},
            "location": {"id": self.location_ids["Vault"]},
            "quantity": quantity,
            "cogsMode": "FIXED",
            "unitCogs": "2.5000",
            "paymentTerms": "NET_30",
        }
        if package:
            body["package"] = package
        return body

    async def intake(self, quantity: str, **package: Any) -> dict[str, Any]:
        """A batch taken in; ``package`` as the intake's (``tag``, ``source``)."""
        result = await _ok(
            self.gateway.post("/batches/intake", json=self.intake_body(quantity, **package))
        )
        batch: dict[str, Any] = result["batch"]
        return batch

    async def intake_opening_balance(self, quantity: str) -> tuple[dict[str, Any], str]:
        tag = self.free_tags.pop(0)
        batch = await self.intake(quantity, tag=tag, source={"kind": "OPENING_BALANCE"})
        return batch, tag

    async def make_live(self, batch_id: str) -> dict[str, Any]:
        """The batch checked in (AWAITING_INTAKE -> LIVE): stock other batches may be made from."""
        body = {"status": "LIVE", "reason": "checked in"}
        result = await _ok(self.gateway.post(f"/batches/{batch_id}/status", json=body))
        batch: dict[str, Any] = result["batch"]
        return batch

    async def intake_from_batches(
        self, quantity: str, ingredients: dict[str, str]
    ) -> tuple[dict[str, Any], str]:
        """A batch made from other (LIVE) batches (``ingredients``: batch id -> quantity drawn),
        with a free tag."""
        tag = self.free_tags.pop(0)
        source = {
            "kind": "BATCHES",
            "ingredients": [{"batchId": b, "quantity": q} for b, q in ingredients.items()],
        }
        return await self.intake(quantity, tag=tag, source=source), tag

    async def adjust(
        self,
        batch_id: str,
        change: str,
        reason: str = "COUNT_DISCREPANCY",
        *,
        at: str | None = None,
    ) -> dict[str, Any]:
        body = {"bucket": "ON_HAND", "adjustment": change, "reason": reason, "notes": "e2e"}
        if at is not None:
            body["locationId"] = self.location_ids[at]
        result = await _ok(self.gateway.post(f"/batches/{batch_id}/adjustments", json=body))
        batch: dict[str, Any] = result["batch"]
        return batch

    async def move(self, batch_id: str, quantity: str, source: str, target: str) -> None:
        await _ok(
            self.gateway.post(
                f"/batches/{batch_id}/transfers",
                json={
                    "quantity": quantity,
                    "fromLocationId": self.location_ids[source],
                    "toLocationId": self.location_ids[target],
                },
            )
        )

    async def batch(self, batch_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await _ok(self.gateway.get(f"/batches/{batch_id}"))
        return found

    # --- Metrc (the sandbox) and compliance ------------------------------------------------------

    async def package(self, tag: str) -> Package | None:
        return await self.metrc.find_package(LICENSE, tag)

    async def package_count(self) -> int:
        state = (await self.sandbox.get("/_sandbox/state")).json()
        return len(state["packages"])

    async def submissions(self, batch_id: str) -> list[Submission]:
        async with self.context.uow() as uow:
            return await uow.submissions.for_batch(UUID(batch_id))

    async def settled(self, batch_id: str) -> list[Submission] | None:
        """The batch's submissions once none is pending or in flight (else None)."""
        subs = await self.submissions(batch_id)
        if not subs or any(
            s.state.value in ("PENDING", "IN_FLIGHT") and s.is_attempted for s in subs
        ):
            return None
        return subs

    async def package_with(
        self, tag: str, quantity: Decimal, *, finished: bool = False, location: str | None = None
    ) -> Package | None:
        package = await self.package(tag)
        if package is None or package.quantity != quantity:
            return None
        if (package.finished_date is not None) != finished:
            return None
        if location is not None and package.location_name != location:
            return None
        return package


async def _ok(request: Awaitable[httpx.Response]) -> Any:
    response = await request
    if response.status_code >= 300:
        raise AssertionError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()
