"""Compliance status from the events compliance publishes (``shared.events.compliance``),
decoded by ``service_layer.compliance_mapping`` (the live consumer's and the rebuild's one
decoding) and folded by ``domain.fold_compliance``: linked batches, pending and failed pushes
per license; stale copies change nothing; unknown types are tolerated; a known type without
what its fact needs is poison."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import uuid4

import pytest
from reporting.domain import FindingUpdate, InconsistentEventError, LinkState, PushState
from reporting.service_layer import reports
from reporting.service_layer.commands import (
    ComplianceStatusQuery,
    ConsumedComplianceUpdate,
    Position,
    SiteScope,
    Topics,
)
from reporting.service_layer.compliance_mapping import COMPLIANCE_FACTS, consumed_compliance
from reporting.service_layer.projections import apply_compliance_updates
from reporting.service_layer.replay import Replay
from reporting.testing.compliance_history import EXPECTED, LICENSE, envelope, scenario
from reporting.testing.memory import InMemoryReadModel
from shared.events.compliance import PushEventBase
from shared.events.registry import all_event_types
from shared.events.topics import COMPLIANCE_EVENTS

TOPICS = Topics(compliance="compliance.events")
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
SITE = uuid4()


def _consumed(events: list[object], first_offset: int = 0) -> list[ConsumedComplianceUpdate]:
    out = []
    for n, event in enumerate(events):
        env = envelope(event)  # type: ignore[arg-type]
        position = Position(TOPICS.compliance, 0, first_offset + n)
        out.append(
            consumed_compliance(
                position, env.event_type, env.event_version, env.payload, env.occurred_at
            )
        )
    return out


async def _status(model: InMemoryReadModel) -> tuple[int, int, int]:
    report = await reports.compliance_status_report(
        model, ComplianceStatusQuery(SiteScope.every_site()), now=NOW, topics=TOPICS
    )
    (license,) = report.licenses
    assert (license.site_id, license.license_number) == (SITE, LICENSE)
    return license.linked, license.pending, license.failed


class TestEveryPublishedComplianceTypeHasItsFact:
    def test_every_registered_compliance_event_type_maps_onto_a_fact(self) -> None:
        published = {(t.name, t.version) for t in all_event_types() if t.topic == COMPLIANCE_EVENTS}
        assert published == set(COMPLIANCE_FACTS)


class TestTheStatusCountsLinkedBatchesAndPendingAndFailedPushes:
    async def test_a_license_shows_its_linked_batches_and_its_pending_and_failed_pushes(
        self,
    ) -> None:
        model = InMemoryReadModel()
        await apply_compliance_updates(model, _consumed(scenario(SITE, NOW)), now=NOW)
        assert await _status(model) == (EXPECTED["linked"], EXPECTED["pending"], EXPECTED["failed"])

    async def test_the_status_is_the_same_whatever_the_transactions(self) -> None:
        updates = _consumed(scenario(SITE, NOW))
        one_by_one = InMemoryReadModel()
        for update in updates:
            await apply_compliance_updates(one_by_one, [update], now=NOW)
        assert await _status(one_by_one) == tuple(EXPECTED.values())

    async def test_a_stale_copy_published_again_later_changes_nothing(self) -> None:
        events = scenario(SITE, NOW)
        model = InMemoryReadModel()
        await apply_compliance_updates(model, _consumed(events), now=NOW)
        before = await _status(model)
        # The failed push's "planned" and the first batch's "PENDING" link, published again.
        again = _consumed([events[5], events[0]], first_offset=len(events))
        applied = await apply_compliance_updates(model, again, now=NOW)
        assert applied.applied == 0
        assert await _status(model) == before

    async def test_a_replay_in_memory_gives_the_rows_of_the_consumers(self) -> None:
        updates = _consumed(scenario(SITE, NOW))
        model = InMemoryReadModel()
        await apply_compliance_updates(model, updates[:5], now=NOW)
        await apply_compliance_updates(model, updates[5:], now=NOW)
        replay = Replay()
        replay.fold_compliance(updates[:7])
        replay.fold_compliance(updates[7:])
        rebuilt = InMemoryReadModel()
        await rebuilt.compliance.save(replay.compliance())
        assert rebuilt.rows.links == model.rows.links
        assert rebuilt.rows.pushes == model.rows.pushes
        kept = {k: v for k, v in model.rows.license_counts.items() if not v.is_zero()}
        assert rebuilt.rows.license_counts == kept


class TestAPushIsDoneOnlyFromAnEventNewerThanTheOneHeld:
    """The version of a push is its event's ``occurred_at`` in microseconds: compliance
    publishes a write decided done as it is stored (a sale whose manifest settled, a draw
    whose record was made) as one event, never "planned" and "accepted" at one instant."""

    async def _pending_after(self, *events: object) -> int:
        model = InMemoryReadModel()
        await apply_compliance_updates(model, _consumed(list(events)), now=NOW)
        report = await reports.compliance_status_report(
            model, ComplianceStatusQuery(SiteScope.every_site()), now=NOW, topics=TOPICS
        )
        return sum(license.pending for license in report.licenses)  # none listed: none

    async def test_an_accepted_event_at_the_planned_ones_instant_is_the_one_dropped(
        self,
    ) -> None:
        planned, accepted = cast(list[PushEventBase], scenario(SITE, NOW)[1:3])
        at_once = accepted.model_copy(update={"occurred_at": planned.occurred_at})
        assert await self._pending_after(planned, at_once) == 1
        just_after = planned.occurred_at + timedelta(microseconds=1)
        later = accepted.model_copy(update={"occurred_at": just_after})
        assert await self._pending_after(planned, later) == 0

    async def test_a_push_first_heard_of_as_done_counts_as_nothing_pending(self) -> None:
        accepted = scenario(SITE, NOW)[2]
        assert await self._pending_after(accepted) == 0


class TestWhatTheMappingTakes:
    def test_a_link_other_than_linked_counts_as_not_linked(self) -> None:
        (pending,) = _consumed(scenario(SITE, NOW)[:1])
        assert pending.update is not None
        assert pending.update.state is LinkState.UNLINKED  # type: ignore[union-attr]

    def test_a_dismissed_push_is_settled(self) -> None:
        dismissed = _consumed(scenario(SITE, NOW))[-1]
        assert dismissed.update is not None
        assert dismissed.update.state is PushState.SETTLED  # type: ignore[union-attr]

    def test_an_unknown_type_is_tolerated_as_no_fact(self) -> None:
        consumed = consumed_compliance(
            Position(TOPICS.compliance, 0, 0), "compliance.something.new", 1, {"x": 1}, NOW
        )
        assert consumed.update is None

    def test_an_unknown_schema_version_is_tolerated_as_no_fact(self) -> None:
        env = envelope(scenario(SITE, NOW)[0])
        consumed = consumed_compliance(
            Position(TOPICS.compliance, 0, 0), env.event_type, 2, env.payload, NOW
        )
        assert consumed.update is None

    @pytest.mark.parametrize("field", ["submission_id", "batch_id", "occurred_at", "site_id"])
    def test_a_known_type_without_what_its_fact_needs_is_poison(self, field: str) -> None:
        env = envelope(scenario(SITE, NOW)[1])
        payload = {k: v for k, v in env.payload.items() if k != field}
        with pytest.raises(InconsistentEventError, match="not a valid compliance event"):
            consumed_compliance(Position(TOPICS.compliance, 0, 0), env.event_type, 1, payload, NOW)

    def test_a_time_without_an_offset_is_poison(self) -> None:
        env = envelope(scenario(SITE, NOW)[1])
        payload = {**env.payload, "occurred_at": "2026-03-02T09:30:00"}
        with pytest.raises(InconsistentEventError):
            consumed_compliance(Position(TOPICS.compliance, 0, 0), env.event_type, 1, payload, NOW)

    def test_a_newer_event_of_the_same_push_wins(self) -> None:
        planned, failed = _consumed(scenario(SITE, NOW)[5:7])
        assert planned.update is not None
        assert failed.update is not None
        assert replace(failed.update).version > planned.update.version  # type: ignore[union-attr]


def _finding(**changes: object) -> dict[str, object]:
    """A ``compliance.finding_changed`` payload as compliance publishes it."""
    payload: dict[str, object] = {
        "finding_id": str(uuid4()),
        "license_number": LICENSE,
        "site_id": str(SITE),
        "finding_class": "CHANGED_IN_METRC",
        "state": "OPEN",
        "batch_ids": [str(uuid4())],
        "tags": ["1A4FF0100000022000000123"],
        "unit": "Grams",
        "canopy_quantity": "100.0000",
        "metrc_quantity": "98.5000",
        "pending_quantity": "0",
        "fix": "LOCAL_MOVEMENT",
        "message": "Package 1A4FF0100000022000000123 was adjusted in Metrc.",
        "decided_by": None,
        "decided_at": None,
        "opened_at": "2026-03-01T18:00:00Z",
        "occurred_at": "2026-03-02T09:30:05Z",
        "actor": "compliance",
    }
    return {**payload, **changes}


def _finding_fact(payload: dict[str, object]) -> ConsumedComplianceUpdate:
    position = Position(TOPICS.compliance, 0, 0)
    return consumed_compliance(position, "compliance.finding_changed", 1, payload, NOW)


async def _open_findings(model: InMemoryReadModel) -> dict[str, int]:
    report = await reports.compliance_status_report(
        model, ComplianceStatusQuery(SiteScope.every_site()), now=NOW, topics=TOPICS
    )
    return {k: v for license in report.licenses for k, v in license.open_findings.items()}


class TestAReconciliationFindingCountsWhileItIsOpen:
    @pytest.mark.parametrize(("state", "open_"), [("OPEN", True), ("APPLYING", True),
                                                  ("APPLIED", False), ("REJECTED", False),
                                                  ("SETTLED", False)])  # fmt: skip
    def test_open_and_applying_findings_are_open_decided_and_settled_ones_are_not(
        self, state: str, open_: bool
    ) -> None:
        update = _finding_fact(_finding(state=state)).update
        assert isinstance(update, FindingUpdate)
        assert (update.finding_class, update.open) == ("CHANGED_IN_METRC", open_)

    async def test_a_finding_opened_then_applied_leaves_no_open_finding_of_its_class(self) -> None:
        model = InMemoryReadModel()
        opened = _finding(state="OPEN", site_id=str(SITE), occurred_at="2026-03-02T09:00:00Z")
        await apply_compliance_updates(model, [_finding_fact(opened)], now=NOW)
        assert await _open_findings(model) == {"CHANGED_IN_METRC": 1}
        applied = {**opened, "state": "APPLIED", "occurred_at": "2026-03-02T09:05:00Z"}
        await apply_compliance_updates(model, [_finding_fact(applied)], now=NOW)
        assert await _open_findings(model) == {}

    def test_a_finding_of_no_site_maps_onto_no_fact(self) -> None:
        assert _finding_fact(_finding(site_id=None)).update is None

    def test_a_finding_without_its_class_is_poison(self) -> None:
        payload = {k: v for k, v in _finding().items() if k != "finding_class"}
        with pytest.raises(InconsistentEventError, match="not a valid compliance event"):
            _finding_fact(payload)
