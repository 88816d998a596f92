"""A manifest round on the in-memory unit of work and ``FakeMetrc``: a transfer whose packages
are not all in Metrc yet waits (no attempt counted, the waiting tags said) and its template is
made by the first round after every package's create was accepted; every Metrc call of a round
carries the deadline (the claim's end less the calls' margin) after which it starts no try, and
the settings refuse a claim too short for that margin."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self, cast
from uuid import UUID, uuid4

import pytest
from compliance.adapters.metrc import current_deadline
from compliance.adapters.metrc.port import MetrcPort
from compliance.config import ComplianceSettings
from compliance.domain import LinkState, OpeningBalance
from compliance.domain.transfer_manifests import ManifestState, template_name
from compliance.service_layer.transfer_manifest_ports import ManifestRow
from compliance.service_layer.transfer_manifest_rounds import (
    ManifestUnitOfWork,
    manifest_round,
    minimum_claim,
    waiting_message,
)
from compliance.testing import LICENSE, ComplianceHarness
from pydantic import ValidationError
from shared.events import transfers as ev

STORE = "SF-SBX-CO-22-9001"


class _Manifests:
    """Stored manifest rows for rounds that run one at a time (claims are PostgreSQL's)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, ManifestRow] = {}

    async def licenses_with_work(self) -> list[str]:
        return sorted({r.license_number for r in self.rows.values() if self._open(r)})

    async def claim_open(
        self, license_number: str, now: datetime, *, until: datetime
    ) -> list[ManifestRow]:
        return [
            r for r in self.rows.values() if r.license_number == license_number and self._open(r)
        ]

    async def save(self, row: ManifestRow, *, claimed_until: datetime | None = None) -> bool:
        self.rows[row.transfer_id] = row
        return True

    @staticmethod
    def _open(row: ManifestRow) -> bool:
        return row.state is ManifestState.PENDING


class _RoundUnit:
    """The in-memory unit of work with the manifest rows beside it."""

    def __init__(self, inner: Any, manifests: _Manifests) -> None:
        self._inner = inner
        self.transfer_manifests = manifests

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


def manifest(h: ComplianceHarness, tag: str, batch_id: UUID) -> ManifestRow:
    example = ev.TransferCreatedV1.model_json_schema()["examples"][0]["transfer"]
    transfer_id = uuid4()
    plan = {
        **example,
        "transfer_id": str(transfer_id),
        "destination_license_number": STORE,
        "transfer_type": "Transfer",
        "transporter_license_number": LICENSE,
        "estimated_departure": "2030-01-02T15:00:00+00:00",
        "estimated_arrival": "2030-01-02T17:00:00+00:00",
        "lines": [{**example["lines"][0], "package_tag": tag, "batch_id": str(batch_id)}],
    }
    return ManifestRow(
        transfer_id=transfer_id, site_id=h.site_id, license_number=LICENSE,
        template_name=template_name(transfer_id), state=ManifestState.PENDING, plan=plan,
        created_at=h.clock.now(), updated_at=h.clock.now(),
    )  # fmt: skip


class TestATransferWhosePackagesAreNotInMetrcYet:
    async def test_waits_without_counting_an_attempt_and_is_sent_once_its_package_is_linked(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        h.fake.add_facility(STORE)
        batch = h.batch("B-ship", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(batch.created("10"))  # its package's create is planned, not yet sent
        assert batch.tag is not None
        manifests = _Manifests()
        row = manifest(h, batch.tag, batch.batch_id)
        manifests.rows[row.transfer_id] = row

        async def metrc_for(license_number: str) -> MetrcPort:
            return h.fake

        async def a_round() -> ManifestRow:
            def unit() -> ManifestUnitOfWork:
                return cast(ManifestUnitOfWork, _RoundUnit(h.db.uow(), manifests))

            await manifest_round(unit, metrc_for, h.clock.now)
            h.clock.advance(timedelta(minutes=1))
            return manifests.rows[row.transfer_id]

        for _ in range(2):
            waiting = await a_round()
            assert (waiting.state, waiting.attempts) == (ManifestState.PENDING, 0)
            assert waiting.last_error == waiting_message([batch.tag])
        assert h.fake.shipping.templates == {}

        await h.settle()  # the package's create is accepted: its link is LINKED
        assert h.db.links[batch.batch_id].state is LinkState.LINKED
        sent = await a_round()
        assert (sent.state, sent.attempts, sent.last_error) == (ManifestState.CREATED, 1, None)
        (template,) = h.fake.shipping.templates.values()
        assert (template.id, template.name) == (sent.metrc_template_id, row.template_name)


class _DeadlinesSeen:
    """``FakeMetrc`` that notes the deadline in force at each call."""

    def __init__(self, inner: MetrcPort) -> None:
        self._inner = inner
        self.deadlines: list[datetime | None] = []

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._inner, name)

        async def noted(*args: Any, **kwargs: Any) -> Any:
            self.deadlines.append(current_deadline())
            return await call(*args, **kwargs)

        return noted


class TestNoWriteOfARoundCanLandAfterItsClaim:
    async def test_every_metrc_call_of_a_round_starts_no_try_after_the_claims_end_less_the_margin(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        h.fake.add_facility(STORE)
        batch = h.batch("B-ship", tag=h.tags.pop(0), source=OpeningBalance())
        await h.record(batch.created("10"))
        await h.settle()
        assert batch.tag is not None
        manifests = _Manifests()
        row = manifest(h, batch.tag, batch.batch_id)
        manifests.rows[row.transfer_id] = row
        seen = _DeadlinesSeen(h.fake)

        async def metrc_for(license_number: str) -> MetrcPort:
            return cast(MetrcPort, seen)

        def unit() -> ManifestUnitOfWork:
            return cast(ManifestUnitOfWork, _RoundUnit(h.db.uow(), manifests))

        began = h.clock.now()
        lease, margin = timedelta(minutes=5), timedelta(seconds=100)
        await manifest_round(unit, metrc_for, h.clock.now, lease=lease, margin=margin)

        assert manifests.rows[row.transfer_id].state is ManifestState.CREATED
        assert seen.deadlines  # the read-back by name, the POST, ...
        assert set(seen.deadlines) == {began + lease - margin}
        assert current_deadline() is None

    def test_the_settings_refuse_a_claim_shorter_than_the_calls_margin_over_two_fifths(
        self,
    ) -> None:
        fast = {
            "COMPLIANCE_METRC_CONNECT_TIMEOUT_SECONDS": "1",
            "COMPLIANCE_METRC_READ_TIMEOUT_SECONDS": "3",
            "COMPLIANCE_METRC_LAG_SECONDS": "6",
        }
        settings = ComplianceSettings.model_validate(
            {**fast, "COMPLIANCE_TRANSFER_CLAIM_SECONDS": "25"}
        )
        assert settings.transfer_calls_margin == timedelta(seconds=10)
        assert minimum_claim(settings.transfer_calls_margin) == timedelta(seconds=25)

        with pytest.raises(ValidationError, match="must be at least 25 s"):
            ComplianceSettings.model_validate({**fast, "COMPLIANCE_TRANSFER_CLAIM_SECONDS": "24"})
        # The defaults: 10 s connect + 30 s read + 60 s lag = 100 s; 250 s at least, 300 given.
        assert minimum_claim(ComplianceSettings().transfer_calls_margin) == timedelta(seconds=250)
