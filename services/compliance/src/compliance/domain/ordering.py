"""Which submissions may go to Metrc now: writes to one package are applied in order.

A submission waits for every earlier (lower ``sequence``) submission of its package that is not
done (accepted, settled, or rejected/failed and dismissed), with two exceptions where the order
cannot change Metrc's outcome:

* a sale waiting for its manifest (``TRANSFER_OUT``) holds back only the writes that need the
  quantity to be gone (finishing); adjustments and moves go past it, since Metrc still holds
  more than Canopy, never less. Once the manifest settles the sale is done (SETTLED,
  ``sale_settlement``) and holds nothing back;
* a package made from other batches takes its place in each *source's* order at the source's
  ``INGREDIENT_DRAW`` (the row where inventory took the stock out of the source): it waits for
  the source's writes before that row, and the source's later writes wait for the create. Until
  compliance has seen that row it waits (``AWAITING_INGREDIENT_DRAW``). The same holds for a
  package made from a harvest (the draw is the harvest's ``inventory.harvest.packaged``, so the
  package waits for the harvest's writes before it, and the harvest's finish waits for the
  package) and for a plant batch planted from a package (the package's CONSUMPTION row).
  A package from a harvest whose draw has not come ``DRAW_WAIT`` after its create was recorded
  takes its place at its own row in the harvest's order instead: the harvest's packaging was
  consumed without a draw being written (by a compliance from before packages from harvests
  were pushed, or while the site did not push yet), and the draw would never come.

A rejected or failed write holds back its package's later writes until someone retries or
dismisses it: pushing them past a missing create, or past an adjustment Metrc refused, would
apply them to a package that is not what Canopy planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from uuid import UUID

from compliance.domain.submissions import (
    IngredientDraw,
    Submission,
    SubmissionKind,
    SubmissionState,
)

__all__ = ["DRAW_WAIT", "Readiness", "Wait", "readiness", "ready"]

DRAW_WAIT: Final = timedelta(minutes=10)
"""How long a package from a harvest waits for the harvest's draw: the two events are on
different topics, consumed seconds apart; a draw missing for this long was never written."""


class Wait(StrEnum):
    READY = "READY"
    NOT_DUE = "NOT_DUE"
    IN_FLIGHT = "IN_FLIGHT"
    BEHIND_EARLIER_WRITE = "BEHIND_EARLIER_WRITE"
    BEHIND_FAILED_WRITE = "BEHIND_FAILED_WRITE"
    AWAITING_MANIFEST = "AWAITING_MANIFEST"
    AWAITING_INGREDIENT_DRAW = "AWAITING_INGREDIENT_DRAW"
    AWAITING_PACKAGE_CREATE = "AWAITING_PACKAGE_CREATE"
    STOPPED = "STOPPED"


@dataclass(frozen=True)
class Readiness:
    wait: Wait
    blocker: UUID | None = None

    @property
    def is_ready(self) -> bool:
        return self.wait is Wait.READY


# Metrc still holds the sold stock until the manifest: these need no less than it holds.
_PASS_PENDING_SALES = frozenset(
    {
        SubmissionKind.ADJUST_PACKAGE,
        SubmissionKind.CHANGE_LOCATION,
        SubmissionKind.CREATE_PACKAGE,
        SubmissionKind.PLANT_BATCH_FROM_PACKAGE,
    }
)


def ready(queue: Iterable[Submission], now: datetime) -> list[Submission]:
    """The submissions that may be sent (or, for a link, checked) now, in ledger order."""
    subs = sorted(queue, key=lambda s: s.sequence)
    states = readiness(subs, now)
    return [s for s in subs if s.id in states and states[s.id].is_ready]


def readiness(queue: Iterable[Submission], now: datetime) -> dict[UUID, Readiness]:
    """Why each open submission of one license waits, or that it is ready.

    ``queue`` holds the license's submissions that are not done; done ones are ignored if given.
    """
    subs = sorted((s for s in queue if not s.is_done), key=lambda s: s.sequence)
    by_package: dict[UUID, list[Submission]] = defaultdict(list)
    for s in subs:
        by_package[s.batch_id].append(s)
    result: dict[UUID, Readiness] = {}
    for s in subs:
        result[s.id] = _readiness(s, by_package, now)
    return result


def _readiness(s: Submission, by_package: dict[UUID, list[Submission]], now: datetime) -> Readiness:
    if s.state is SubmissionState.IN_FLIGHT:
        return Readiness(Wait.IN_FLIGHT)
    if s.state is not SubmissionState.PENDING:
        return Readiness(Wait.STOPPED)
    if s.kind is SubmissionKind.TRANSFER_OUT:
        return Readiness(Wait.AWAITING_MANIFEST)
    if isinstance(s.intent, IngredientDraw):
        return Readiness(Wait.AWAITING_PACKAGE_CREATE, _create_for(s, by_package))
    blocked = _first_blocker(s, by_package[s.batch_id], before=s.sequence)
    if blocked is not None:
        return blocked
    for source in s.draws_on:
        source_queue = by_package.get(source, [])
        marker = next(
            (
                m
                for m in source_queue
                if isinstance(m.intent, IngredientDraw) and m.intent.into_batch_id == s.batch_id
            ),
            None,
        )
        if marker is None and not _draw_never_written(s, now):
            return Readiness(Wait.AWAITING_INGREDIENT_DRAW)
        place = s.sequence if marker is None else marker.sequence
        blocked = _first_blocker(s, source_queue, before=place)
        if blocked is not None:
            return blocked
    if s.next_attempt_at > now:
        return Readiness(Wait.NOT_DUE)
    return Readiness(Wait.READY)


def _draw_never_written(s: Submission, now: datetime) -> bool:
    return s.kind is SubmissionKind.CREATE_HARVEST_PACKAGE and now - s.created_at >= DRAW_WAIT


def _first_blocker(
    s: Submission, package_queue: Sequence[Submission], *, before: int
) -> Readiness | None:
    for earlier in package_queue:
        if earlier.sequence >= before:
            break
        if earlier.is_done or earlier.id == s.id:
            continue
        if earlier.kind is SubmissionKind.TRANSFER_OUT:
            if s.kind in _PASS_PENDING_SALES:
                continue
            return Readiness(Wait.AWAITING_MANIFEST, earlier.id)
        if earlier.state in (SubmissionState.REJECTED, SubmissionState.FAILED):
            return Readiness(Wait.BEHIND_FAILED_WRITE, earlier.id)
        return Readiness(Wait.BEHIND_EARLIER_WRITE, earlier.id)
    return None


def _create_for(draw: Submission, by_package: dict[UUID, list[Submission]]) -> UUID | None:
    assert isinstance(draw.intent, IngredientDraw)
    for s in by_package.get(draw.intent.into_batch_id, []):
        if s.draws_on:
            return s.id
    return None
