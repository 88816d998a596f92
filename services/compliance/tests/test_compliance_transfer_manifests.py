"""Outgoing transfer manifests on both Metrcs (``FakeMetrc`` and the sandbox over HTTP): the
template is made once per inventory transfer (read back by name first, and after a lost answer),
the manifest it becomes is followed by pulling until the receiver decided every package, and a
cancelled transfer's template is archived."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest
from compliance.adapters.metrc import (
    MetrcClient,
    MetrcCredentials,
    MetrcUnknownOutcomeError,
    RetryPolicy,
)
from compliance.adapters.metrc.testing import (
    GROWER,
    STORE,
    MetrcBackend,
    SandboxProcess,
    contract_world,
)
from compliance.domain.transfer_manifests import (
    PackageOutcome,
    PackageReport,
    settlement,
    template_name,
    templates_to_archive,
)
from compliance.service_layer.transfer_manifests import (
    ManifestProgress,
    PlannedTransfer,
    archive_cancelled,
    archive_template,
    ensure_template,
    follow_manifest,
)
from pydantic import SecretStr

DEPARTURE = datetime(2030, 1, 2, 15, 0, tzinfo=UTC)


def planned(*packages: tuple[str, Decimal | None]) -> PlannedTransfer:
    return PlannedTransfer(
        transfer_id=uuid4(),
        license_number=GROWER,
        destination_license_number=STORE,
        transfer_type="Transfer",
        planned_route="I-25 north",
        transporter_license_number=GROWER,
        driver_name="Sam",
        driver_occupational_license_number="D-1",
        driver_license_number="DL-1",
        vehicle_make="Ford",
        vehicle_model="Transit",
        vehicle_license_plate="CANOPY1",
        estimated_departure=DEPARTURE,
        estimated_arrival=DEPARTURE + timedelta(hours=2),
        packages=packages,
    )


async def labels(backend: MetrcBackend) -> list[str]:
    return [p.label for p in await backend.metrc.list_packages(GROWER)][:2]


class TestSettlement:
    def test_a_manifest_with_a_package_on_its_way_is_not_settled(self) -> None:
        assert settlement([PackageReport(label="A", state="Accepted"),
                           PackageReport(label="B", state="Shipped")]) is None  # fmt: skip
        assert settlement([]) is None

    def test_accepted_rejected_and_returned_packages_settle(self) -> None:
        assert settlement(
            [
                PackageReport(label="A", state="Accepted", received_quantity=Decimal("9.5")),
                PackageReport(label="B", state="Rejected"),
                PackageReport(label="C", state="Returned"),
            ]
        ) == [
            PackageOutcome(label="A", accepted=True, received_quantity=Decimal("9.5")),
            PackageOutcome(label="B", accepted=False),
            PackageOutcome(label="C", accepted=False),
        ]


class TestArchivingACancelledTransfer:
    NAME = template_name(uuid4())

    def test_every_active_template_under_its_name_and_the_recorded_one_are_archived(
        self,
    ) -> None:
        listed = [(7, self.NAME), (9, "renamed in Metrc's UI"), (12, self.NAME), (15, "other")]
        assert templates_to_archive(listed, name=self.NAME, recorded_id=9) == [7, 9, 12]

    def test_a_template_metrc_no_longer_lists_is_archived_already_and_not_archived_again(
        self,
    ) -> None:
        # The archive was applied but its answer lost, or its worker killed before saving.
        assert templates_to_archive([(15, "other")], name=self.NAME, recorded_id=9) == []
        assert templates_to_archive([], name=self.NAME, recorded_id=None) == []


class TestTemplates:
    async def test_the_template_is_made_once_however_often_it_is_ensured(
        self, backend: MetrcBackend
    ) -> None:
        a, b = await labels(backend)
        plan = planned((a, Decimal("1200.50")), (b, None))
        first = await ensure_template(backend.metrc, plan)
        again = await ensure_template(backend.metrc, plan)
        assert first == again
        named = await backend.metrc.find_transfer_templates(GROWER, template_name(plan.transfer_id))
        assert [t.id for t in named] == [first]
        [delivery] = await backend.metrc.list_transfer_template_deliveries(first)
        packages = await backend.metrc.list_transfer_template_delivery_packages(delivery.id)
        assert sorted(p.package_label for p in packages) == sorted([a, b])

    async def test_a_cancelled_transfers_template_is_archived(self, backend: MetrcBackend) -> None:
        a, _ = await labels(backend)
        plan = planned((a, None))
        template_id = await ensure_template(backend.metrc, plan)
        await archive_template(backend.metrc, GROWER, template_id)
        assert (
            await backend.metrc.find_transfer_templates(GROWER, template_name(plan.transfer_id))
            == []
        )

    async def test_a_cancelled_transfer_is_archived_once_however_often_it_is_asked(
        self, backend: MetrcBackend
    ) -> None:
        a, _ = await labels(backend)
        plan = planned((a, None))
        name = template_name(plan.transfer_id)
        template_id = await ensure_template(backend.metrc, plan)
        assert await archive_cancelled(backend.metrc, GROWER, name, template_id) == [template_id]
        # Asked again (the first answer lost): read back, nothing left to archive, no refusal.
        assert await archive_cancelled(backend.metrc, GROWER, name, template_id) == []
        assert await backend.metrc.find_transfer_templates(GROWER, name) == []


class TestFollowing:
    async def test_partial_acceptance_is_seen_only_once_the_receiver_decided_every_package(
        self, backend: MetrcBackend
    ) -> None:
        a, b = await labels(backend)
        template_id = await ensure_template(backend.metrc, planned((a, None), (b, None)))
        assert await follow_manifest(backend.metrc, GROWER, template_id) == ManifestProgress()
        sent = await backend.control.send_transfer_template(template_id)
        shipped = await follow_manifest(backend.metrc, GROWER, template_id)
        assert (shipped.metrc_transfer_id, shipped.manifest_number, shipped.outcomes) == (
            sent.transfer_id, sent.manifest_number, None,
        )  # fmt: skip
        shipped_qty = {
            p.package_label: p.shipped_quantity
            for p in await backend.metrc.list_transfer_delivery_packages(sent.delivery_ids[0])
        }
        await backend.control.receive_delivery_packages(
            sent.delivery_ids[0], {a: shipped_qty[a], b: None}
        )
        done = await follow_manifest(backend.metrc, GROWER, template_id)
        assert done.outcomes is not None
        by_label = {o.label: o for o in done.outcomes}
        assert (by_label[a].accepted, by_label[a].received_quantity) == (True, shipped_qty[a])
        assert by_label[b].accepted is False


async def test_a_template_whose_answer_was_lost_is_found_by_reading_back_and_never_resent(
    sandbox: SandboxProcess,
) -> None:
    process = sandbox
    loaded = contract_world()
    await process.load(loaded)
    await process.add_faults(
        {"method": "POST", "path": "/transfers/v2/templates/outgoing", "kind": "lost_response"}
    )
    async with MetrcClient(
        base_url=process.base_url,
        credentials=MetrcCredentials(
            vendor_key=SecretStr(loaded.vendor_key), user_key=SecretStr(loaded.user_key)
        ),
        retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2),
        timeout=httpx.Timeout(5.0, connect=2.0),
    ) as client:
        label = (await client.list_packages(GROWER))[0].label
        plan = planned((label, None))
        with pytest.raises(MetrcUnknownOutcomeError):
            await ensure_template(client, plan)
        template_id = await ensure_template(client, plan)
        named = await client.find_transfer_templates(GROWER, template_name(plan.transfer_id))
        assert [t.id for t in named] == [template_id]
    stats = (await process.state())["requests"]["POST /transfers/v2/templates/outgoing"]
    assert (stats["requests"], stats["applied"]) == (1, 1)
