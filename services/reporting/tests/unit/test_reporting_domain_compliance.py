"""Compliance status per license, from compliance facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from reporting.domain import (
    BatchLinkUpdate,
    FindingKey,
    FindingUpdate,
    LicenseKey,
    LinkCounts,
    LinkState,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
    compliance_status,
    fold_compliance,
)

T = datetime(2026, 3, 2, tzinfo=UTC)
SITE = uuid4()
LICENSE = LicenseKey(SITE, "OR-1")


def link(batch: object, state: LinkState, version: int) -> BatchLinkUpdate:
    return BatchLinkUpdate(batch, SITE, "OR-1", state, version, T)  # type: ignore[arg-type]


def test_a_batch_moving_from_pending_to_linked_moves_one_count() -> None:
    batch = uuid4()
    first = fold_compliance([link(batch, LinkState.PENDING, 1)], links={}, findings={}, syncs={})
    assert first.deltas.links == {LICENSE: LinkCounts(0, 1, 0)}
    second = fold_compliance(
        [link(batch, LinkState.LINKED, 2)], links=first.links, findings={}, syncs={}
    )
    assert second.deltas.links == {LICENSE: LinkCounts(1, -1, 0)}


def test_an_update_no_newer_than_the_state_changes_nothing() -> None:
    batch = uuid4()
    known = {batch: link(batch, LinkState.LINKED, 5)}
    result = fold_compliance(
        [link(batch, LinkState.FAILED, 5), link(batch, LinkState.PENDING, 4)],
        links=known, findings={}, syncs={},
    )  # fmt: skip
    assert (result.applied, result.skipped, result.links) == (0, 2, {})
    assert result.deltas.links == {}


def test_open_findings_are_counted_by_class_until_resolved() -> None:
    finding = uuid4()
    opened = FindingUpdate(finding, SITE, "OR-1", "MISSING_IN_METRC", True, 1, T)
    resolved = FindingUpdate(finding, SITE, "OR-1", "MISSING_IN_METRC", False, 2, T)
    assert fold_compliance([opened], links={}, findings={}, syncs={}).deltas.open_findings == {
        opened.key: 1
    }
    both = fold_compliance([opened, resolved, opened], links={}, findings={}, syncs={})
    assert both.deltas.open_findings == {}
    assert both.skipped == 1


def test_the_last_sync_is_the_latest_finished_and_an_older_one_changes_nothing() -> None:
    newer = SyncFinished(uuid4(), SITE, "OR-1", SyncDirection.PULL, SyncOutcome.SUCCEEDED, T)
    older = SyncFinished(
        uuid4(), SITE, "OR-1", SyncDirection.PUSH, SyncOutcome.FAILED, T - timedelta(hours=1)
    )
    result = fold_compliance([newer, older], links={}, findings={}, syncs={})
    assert result.syncs == {LICENSE: newer}
    assert fold_compliance([older], links={}, findings={}, syncs={LICENSE: newer}).syncs == {}


def test_the_report_lists_every_license_with_a_batch_a_finding_or_a_sync() -> None:
    other = LicenseKey(SITE, "OR-2")
    sync = SyncFinished(uuid4(), SITE, "OR-2", SyncDirection.PULL, SyncOutcome.PARTIAL, T)
    report = compliance_status(
        counts=[(LICENSE, LinkCounts(3, 1, 1)), (LICENSE, LinkCounts(1, 0, 0))],
        open_findings=[
            (FindingKey(SITE, "OR-1", "PUSH_FAILED"), 2),
            (FindingKey(SITE, "OR-1", "UNIT_MISMATCH"), 0),
        ],
        syncs=[sync],
        as_of=T,
    )
    first, second = report.licenses
    assert (first.license_number, first.linked, first.pending, first.failed) == ("OR-1", 4, 1, 1)
    assert first.open_findings == {"PUSH_FAILED": 2}
    assert (second.license_number, second.last_sync, second.linked) == ("OR-2", sync, 0)
    assert other == LicenseKey(second.site_id, second.license_number)
