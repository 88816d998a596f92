"""What the operator sees: a batch's link and the state of each push with why it waits; the
ledger; the sync log; each license's queue health."""

from __future__ import annotations

from datetime import timedelta

from compliance.adapters.metrc import MetrcTransientError
from compliance.domain import (
    OpeningBalance,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogQuery,
    SyncStatus,
    Wait,
)
from compliance.service_layer import Queries
from compliance.testing import LICENSE, ComplianceHarness


async def test_a_batch_shows_its_link_and_why_each_of_its_writes_waits() -> None:
    h = ComplianceHarness()
    await h.save_keys()
    b = h.batch(tag=h.tags[0], source=OpeningBalance())
    await h.record(b.created("100"))
    await h.record(b.adjust("-1"))
    await h.record(b.sell("5"))
    h.fake.fail_next("create_packages", MetrcTransientError("503", status_code=503))
    await h.pusher.push_due()
    view = await Queries(h.ctx).batch(b.batch_id)
    assert view.link.tag == b.tag
    waits = [(s.kind, s.state, r.wait if r else None) for s, r in view.submissions]
    assert waits == [
        (SubmissionKind.CREATE_PACKAGE, SubmissionState.PENDING, Wait.NOT_DUE),
        (SubmissionKind.ADJUST_PACKAGE, SubmissionState.PENDING, Wait.BEHIND_EARLIER_WRITE),
        (SubmissionKind.TRANSFER_OUT, SubmissionState.PENDING, Wait.AWAITING_MANIFEST),
    ]
    await h.settle()
    view = await Queries(h.ctx).batch(b.batch_id)
    assert [(s.state, r) for s, r in view.submissions][:2] == [(SubmissionState.ACCEPTED, None)] * 2
    assert view.last is not None
    assert view.last.kind is SubmissionKind.TRANSFER_OUT


async def test_the_ledger_and_the_sync_log_filter_and_page_newest_first() -> None:
    h = ComplianceHarness()
    await h.save_keys()
    for i in range(3):
        await h.record(h.batch(f"B-{i}", tag=h.tags[i], source=OpeningBalance()).created("10"))
        h.clock.advance(timedelta(seconds=1))
    await h.settle()
    queries = Queries(h.ctx)
    page = await queries.ledger(SubmissionQuery(license_number=LICENSE, limit=2))
    assert [s.sequence for s in page] == [3, 2]
    rest = await queries.ledger(
        SubmissionQuery(license_number=LICENSE, before_sequence=page[-1].sequence)
    )
    assert [s.sequence for s in rest] == [1]
    assert await queries.ledger(SubmissionQuery(states=frozenset({SubmissionState.FAILED}))) == []
    log = await queries.sync_log(SyncLogQuery(license_number=LICENSE, operation="packages.create"))
    assert [(e.status, e.objects) for e in log] == [(SyncStatus.SUCCESS, 3)]


async def test_queue_health_counts_waiting_in_flight_and_stopped_writes() -> None:
    h = ComplianceHarness()
    await h.save_keys()
    await h.record(h.batch(tag=h.tags[0], source=OpeningBalance()).created("10"))
    h.clock.advance(timedelta(minutes=7))
    health = await Queries(h.ctx).health(LICENSE)
    assert (health.waiting, health.in_flight, health.stopped) == (1, 0, 0)
    assert health.oldest_waiting_age == timedelta(minutes=7)
    async with h.db.uow() as uow:
        assert await uow.submissions.count_by_state() == {(LICENSE, SubmissionState.PENDING): 1}
