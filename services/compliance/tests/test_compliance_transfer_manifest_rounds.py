"""A manifest round on the in-memory unit of work and ``FakeMetrc``: a transfer whose packages
are not all in Metrc yet waits (no attempt counted, the waiting tags said) and its template is
made by the first round after every package's create was accepted. A manifest that stalls (its
packages never arrive, Metrc away, Metrc refusing it) raises one ``TRANSFER_STALLED``
notification after the threshold, resolved when the wait ends. Every Metrc call of a round
carries the deadline (the claim's end less the calls' margin) after which it starts no try, and
the settings refuse a claim too short for that margin."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, cast
from uuid import UUID, uuid4

import pytest
from compliance.adapters.metrc import current_deadline
from compliance.adapters.metrc.errors import MetrcRejectedError, MetrcTransientError
from compliance.adapters.metrc.port import MetrcPort
from compliance.config import ComplianceSettings
from compliance.domain import (
    LinkState,
    Notification,
    NotificationKind,
    OpeningBalance,
    Severity,
    SubmissionKind,
    SubmissionState,
)
from compliance.domain.transfer_manifests import ManifestState, stalled, template_name
from compliance.service_layer.commands import RetryFailed
from compliance.service_layer.sync_health import ALERT_KINDS
from compliance.service_layer.transfer_manifest_ports import ManifestRow
from compliance.service_layer.transfer_manifest_rounds import (
    ManifestUnitOfWork,
    manifest_round,
    minimum_claim,
    record_transfer_event,
    waiting_message,
)
from compliance.service_layer.transfer_stalls import stall_key
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

    async def get(self, transfer_id: UUID) -> ManifestRow | None:
        return self.rows.get(transfer_id)

    async def mark(
        self, transfer_id: UUID, *, sent: bool = False, cancel: bool = False, at: datetime
    ) -> None:
        row = self.rows[transfer_id]
        self.rows[transfer_id] = dataclasses.replace(
            row, sent=row.sent or sent, cancel_requested=row.cancel_requested or cancel
        )

    @staticmethod
    def _open(row: ManifestRow) -> bool:
        return row.state is ManifestState.PENDING or (
            row.state is ManifestState.CREATED and (row.sent or row.cancel_requested)
        )


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


STALL = timedelta(minutes=5)
T0 = datetime(2030, 1, 2, 12, tzinfo=UTC)


class TestWhenAManifestCountsAsStalled:
    def test_a_wait_shorter_than_the_threshold_is_not_stalled_and_one_as_long_is(self) -> None:
        since = T0 - STALL
        assert not stalled(ManifestState.PENDING, since, T0 - timedelta(seconds=1), after=STALL)
        assert stalled(ManifestState.PENDING, since, T0, after=STALL)
        assert stalled(ManifestState.CREATED, since, T0 + STALL, after=STALL)

    def test_a_refused_manifest_is_stalled_at_once_and_a_moving_or_closed_one_never(self) -> None:
        assert stalled(ManifestState.FAILED, None, T0, after=STALL)
        assert not stalled(ManifestState.PENDING, None, T0, after=STALL)
        for closed in (ManifestState.SETTLED, ManifestState.CANCELLED):
            assert not stalled(closed, T0 - 10 * STALL, T0, after=STALL)

    def test_a_stalled_transfer_is_one_of_the_sync_health_alerts(self) -> None:
        assert NotificationKind.TRANSFER_STALLED in ALERT_KINDS


class _Away:
    """A Metrc that answers nothing (every call a 503 after the client's retries)."""

    def __getattr__(self, name: str) -> Any:
        async def unanswered(*args: object, **kwargs: object) -> object:
            raise MetrcTransientError("Service Unavailable", status_code=503)

        return unanswered


class Rounds:
    """A harness's manifest rows worked by rounds one minute apart, with a stall threshold of
    five minutes."""

    def __init__(self, h: ComplianceHarness) -> None:
        self.h = h
        self.manifests = _Manifests()
        self.metrc: Any = h.fake

    def unit(self) -> ManifestUnitOfWork:
        return cast(ManifestUnitOfWork, _RoundUnit(self.h.db.uow(), self.manifests))

    async def round(self) -> None:
        async def metrc_for(license_number: str) -> MetrcPort:
            return cast(MetrcPort, self.metrc)

        await manifest_round(self.unit, metrc_for, self.h.clock.now, stall_after=STALL)
        self.h.clock.advance(timedelta(minutes=1))

    async def cancel(self, row: ManifestRow) -> None:
        async with self.unit() as uow:
            await record_transfer_event(
                uow,
                "inventory.transfer.cancelled",
                {"transfer_id": str(row.transfer_id)},
                self.h.clock.now(),
            )
            await uow.commit()

    def notes(self, row: ManifestRow) -> list[Notification]:
        return [
            n for n in self.h.db.notifications.values() if n.dedup_key == stall_key(row.transfer_id)
        ]


async def waiting_on_a_rejected_create(h: ComplianceHarness) -> tuple[Rounds, ManifestRow, str]:
    """A transfer of one package whose create Metrc rejected (its batch's link PENDING)."""
    await h.save_keys()
    h.fake.add_facility(STORE)
    batch = h.batch("B-ship", tag=h.tags.pop(0), source=OpeningBalance())
    await h.record(batch.created("10"))
    h.fake.fail_next(
        "create_packages",
        MetrcRejectedError("Item not found", rows=[(0, "Item 'Blue Dream' was not found")]),
    )
    await h.settle()
    (create,) = [s for s in h.submissions(batch) if s.kind is SubmissionKind.CREATE_PACKAGE]
    assert create.state is SubmissionState.REJECTED
    assert batch.tag is not None
    rounds = Rounds(h)
    row = manifest(h, batch.tag, batch.batch_id)
    rounds.manifests.rows[row.transfer_id] = row
    return rounds, row, batch.tag


class TestATransferWhosePackageNeverReachesMetrc:
    async def test_is_told_once_after_the_threshold_naming_the_tag_and_why(self) -> None:
        h = ComplianceHarness()
        rounds, row, tag = await waiting_on_a_rejected_create(h)
        for _ in range(5):  # minutes 0 to 4: waiting, under the threshold
            await rounds.round()
        assert rounds.notes(row) == []
        for _ in range(4):  # minute 5 on: stalled, told once
            await rounds.round()
        (note,) = rounds.notes(row)
        assert (note.kind, note.severity, note.resolved_at) == (
            NotificationKind.TRANSFER_STALLED,
            Severity.WARNING,
            None,
        )
        assert STORE in note.title
        assert "waits for its packages" in note.title
        assert tag in note.message
        assert "CREATE_PACKAGE is REJECTED" in note.message
        assert "was not found" in note.message
        assert "Push to Metrc" in note.guidance
        assert (note.license_number, note.subject) == (LICENSE, str(row.transfer_id))

    async def test_is_resolved_when_the_transfer_is_cancelled(self) -> None:
        h = ComplianceHarness()
        rounds, row, _ = await waiting_on_a_rejected_create(h)
        for _ in range(6):
            await rounds.round()
        await rounds.cancel(row)
        await rounds.round()
        assert rounds.manifests.rows[row.transfer_id].state is ManifestState.CANCELLED
        (note,) = rounds.notes(row)
        assert note.resolved_at is not None

    async def test_is_resolved_when_the_fixed_create_lets_the_transfer_go(self) -> None:
        h = ComplianceHarness()
        rounds, row, _ = await waiting_on_a_rejected_create(h)
        for _ in range(6):
            await rounds.round()
        # The cause fixed, the failed push retried by hand.
        await h.manual.retry_failed(RetryFailed(license_number=LICENSE, actor="ops"))
        await h.settle()
        await rounds.round()
        assert rounds.manifests.rows[row.transfer_id].state is ManifestState.CREATED
        (note,) = rounds.notes(row)
        assert note.resolved_at is not None
        for _ in range(6):  # the episode is over: nothing raised again
            await rounds.round()
        assert len(rounds.notes(row)) == 1


async def ready_transfer(h: ComplianceHarness) -> tuple[Rounds, ManifestRow]:
    """A transfer of one package Metrc has (its create accepted), not yet worked by a round."""
    await h.save_keys()
    h.fake.add_facility(STORE)
    batch = h.batch("B-ship", tag=h.tags.pop(0), source=OpeningBalance())
    await h.record(batch.created("10"))
    await h.settle()
    assert batch.tag is not None
    rounds = Rounds(h)
    row = manifest(h, batch.tag, batch.batch_id)
    rounds.manifests.rows[row.transfer_id] = row
    return rounds, row


async def sent_transfer(h: ComplianceHarness) -> tuple[Rounds, ManifestRow]:
    """A transfer whose template Metrc has (one round), then sent in Canopy."""
    rounds, row = await ready_transfer(h)
    await rounds.round()
    await rounds.manifests.mark(row.transfer_id, sent=True, at=h.clock.now())
    created = rounds.manifests.rows[row.transfer_id]
    assert (created.state, created.sent) == (ManifestState.CREATED, True)
    return rounds, created


class TestASentTransferNobodyRegisteredInMetrc:
    async def test_is_told_after_the_threshold_and_resolved_once_the_manifest_is_found(
        self,
    ) -> None:
        h = ComplianceHarness()
        rounds, row = await sent_transfer(h)
        for _ in range(5):
            await rounds.round()
        assert rounds.notes(row) == []
        await rounds.round()
        (note,) = rounds.notes(row)
        assert "is sent but has no manifest in Metrc" in note.title
        assert row.template_name in note.message
        assert "register it" in note.guidance

        assert row.metrc_template_id is not None
        sent = await h.fake.send_transfer_template(row.metrc_template_id)  # a person registers it
        await rounds.round()
        followed = rounds.manifests.rows[row.transfer_id]
        assert (followed.manifest_number, followed.waiting_since) == (sent.manifest_number, None)
        assert followed.last_error is None
        (note,) = rounds.notes(row)
        assert note.resolved_at is not None


class TestASentManifestMetrcDoesNotAnswer:
    async def test_is_told_after_the_threshold_and_resolved_when_a_round_gets_through(
        self,
    ) -> None:
        h = ComplianceHarness()
        rounds, row = await sent_transfer(h)
        assert row.metrc_template_id is not None
        await h.fake.send_transfer_template(row.metrc_template_id)
        rounds.metrc = _Away()
        for _ in range(5):
            await rounds.round()
        assert rounds.notes(row) == []
        await rounds.round()
        (note,) = rounds.notes(row)
        assert "not getting through to Metrc" in note.title
        assert "Service Unavailable" in note.message
        assert note.resolved_at is None

        rounds.metrc = h.fake  # Metrc answers again: the manifest is found and followed
        await rounds.round()
        followed = rounds.manifests.rows[row.transfer_id]
        assert (followed.state, followed.waiting_since) == (ManifestState.CREATED, None)
        assert followed.manifest_number is not None
        (note,) = rounds.notes(row)
        assert note.resolved_at is not None


class TestATemplateMetrcRefuses:
    async def test_is_told_at_once_as_an_error_and_resolved_when_the_transfer_is_cancelled(
        self,
    ) -> None:
        h = ComplianceHarness()
        rounds, row = await ready_transfer(h)
        h.fake.fail_next(
            "create_outgoing_transfer_templates",
            MetrcRejectedError(
                "Invalid transporter license", rows=[(0, "Invalid transporter license")]
            ),
        )
        await rounds.round()
        assert rounds.manifests.rows[row.transfer_id].state is ManifestState.FAILED
        (note,) = rounds.notes(row)
        assert (note.severity, note.resolved_at) == (Severity.ERROR, None)
        assert "could not be sent to Metrc" in note.title
        assert "Invalid transporter license" in note.message
        assert "cancel the transfer" in note.guidance

        await rounds.cancel(row)
        (note,) = rounds.notes(row)
        assert note.resolved_at is not None


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
        rounds, row = await ready_transfer(h)
        seen = _DeadlinesSeen(h.fake)

        async def metrc_for(license_number: str) -> MetrcPort:
            return cast(MetrcPort, seen)

        began = h.clock.now()
        lease, margin = timedelta(minutes=5), timedelta(seconds=100)
        await manifest_round(rounds.unit, metrc_for, h.clock.now, lease=lease, margin=margin)

        assert rounds.manifests.rows[row.transfer_id].state is ManifestState.CREATED
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
