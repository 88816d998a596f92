"""The worker's ledger gauges move when work happens: submissions by kind and state, and each
license's queue depth and oldest pending age. The service layer on the in-memory unit of work
and FakeMetrc; the gauges read from the process's registry."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from compliance.domain import OpeningBalance
from compliance.entrypoints.queue_metrics import sample
from compliance.testing import LICENSE, ComplianceHarness
from prometheus_client import REGISTRY


def value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def sampled(h: ComplianceHarness) -> None:
    async with h.db.uow() as uow:
        sample(await uow.submissions.counts(), h.clock.now())


async def test_a_backlog_shows_its_depth_and_age_and_draining_it_moves_the_counts() -> None:
    h = ComplianceHarness()
    for _ in range(3):
        b = h.batch(f"B-{uuid4().hex[:6]}", source=OpeningBalance(), tag=h.tags.pop(0))
        await h.record(b.created("10"))
    h.clock.advance(timedelta(minutes=2))
    await sampled(h)
    assert value("compliance_queue_depth", license=LICENSE) == 3
    assert value("compliance_queue_oldest_pending_age_seconds", license=LICENSE) == 120
    assert value("compliance_submissions", kind="CREATE_PACKAGE", state="PENDING") == 3

    await h.save_keys()
    await h.pusher.push_due()
    await sampled(h)
    assert value("compliance_queue_depth", license=LICENSE) == 0
    assert value("compliance_queue_oldest_pending_age_seconds", license=LICENSE) == 0
    assert value("compliance_submissions", kind="CREATE_PACKAGE", state="PENDING") == 0
    assert value("compliance_submissions", kind="CREATE_PACKAGE", state="ACCEPTED") == 3


async def test_a_sale_waiting_for_its_manifest_is_counted_but_is_not_queue_depth() -> None:
    h = ComplianceHarness()
    await h.save_keys()
    b = h.batch(f"B-{uuid4().hex[:6]}", source=OpeningBalance(), tag=h.tags.pop(0))
    await h.record(b.created("10"))
    await h.settle()
    await h.record(b.sell("4"))
    await sampled(h)
    assert value("compliance_submissions", kind="TRANSFER_OUT", state="PENDING") == 1
    assert value("compliance_queue_depth", license=LICENSE) == 0
