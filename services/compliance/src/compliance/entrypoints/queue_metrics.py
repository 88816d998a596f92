"""The ledger on the worker's ``/metrics`` (``--metrics-port``, served by ``shared.runner``):
sampled from the database every ``interval`` seconds by one grouped read, so the numbers are the
ledger's (every worker and the API agree, a restart loses nothing), not one process's counters.

* ``compliance_submissions{kind, state}``: submissions of each kind in each state, all licenses;
* ``compliance_queue_depth{license}``: writes the worker still has to complete (pending or in
  flight; sales waiting for a manifest and ingredient draws are not counted: nothing sends them);
* ``compliance_queue_oldest_pending_age_seconds{license}``: how long the oldest pending write
  has waited since it was planned (0 when none waits): the backlog alert's measure.

The Metrc calls themselves (latency, errors by class, rate-limit waits) are measured where they
are made, in the Metrc client (``adapters/metrc/_metrics.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import datetime

from prometheus_client import Gauge

from compliance.domain import SubmissionState
from compliance.domain.submissions import ATTEMPTED_KINDS
from compliance.service_layer import ServiceContext
from compliance.service_layer.ports import SubmissionCount

__all__ = ["OLDEST_PENDING", "QUEUE_DEPTH", "SUBMISSIONS", "publish_queue_metrics", "sample"]

log = logging.getLogger(__name__)

SUBMISSIONS = Gauge(
    "compliance_submissions", "Submissions of each kind in each state", ["kind", "state"]
)
QUEUE_DEPTH = Gauge(
    "compliance_queue_depth", "Metrc writes pending or in flight, per license", ["license"]
)
OLDEST_PENDING = Gauge(
    "compliance_queue_oldest_pending_age_seconds",
    "Age of the license's oldest pending Metrc write (0 when none waits)",
    ["license"],
)
_OPEN = (SubmissionState.PENDING, SubmissionState.IN_FLIGHT)
_shown: set[tuple[str, str]] = set()
"""The (kind, state) pairs shown so far: a pair no submission is in any more shows 0."""


def sample(counts: list[SubmissionCount], now: datetime) -> None:
    """Set the gauges from one grouped read of the ledger."""
    by_kind: dict[tuple[str, str], int] = defaultdict(int)
    depth: dict[str, int] = defaultdict(int)
    oldest: dict[str, datetime] = {}
    for c in counts:
        by_kind[(c.kind.value, c.state.value)] += c.count
        depth.setdefault(c.license_number, 0)
        if c.kind not in ATTEMPTED_KINDS or c.state not in _OPEN:
            continue
        depth[c.license_number] += c.count
        if c.state is SubmissionState.PENDING:
            first = oldest.get(c.license_number)
            oldest[c.license_number] = min(c.oldest_created_at, first or c.oldest_created_at)
    for kind, state in _shown - by_kind.keys():
        by_kind[(kind, state)] = 0
    for (kind, state), n in by_kind.items():
        SUBMISSIONS.labels(kind=kind, state=state).set(n)
        _shown.add((kind, state))
    for license_number, n in depth.items():
        QUEUE_DEPTH.labels(license=license_number).set(n)
        first = oldest.get(license_number)
        age = (now - first).total_seconds() if first is not None else 0.0
        OLDEST_PENDING.labels(license=license_number).set(max(age, 0.0))


async def publish_queue_metrics(ctx: ServiceContext, stop: asyncio.Event, *, every: float) -> None:
    while not stop.is_set():
        try:
            async with ctx.uow() as uow:
                counts = await uow.submissions.counts()
            sample(counts, ctx.now())
        except Exception:
            log.exception("compliance: reading the ledger for metrics failed; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
