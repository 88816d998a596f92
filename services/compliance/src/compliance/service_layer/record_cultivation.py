"""Recording a cultivation change: the Metrc write it calls for becomes a submission.

Like ``record_batch_change``, it runs *inside* the consumer's unit of work (the inbox row of the
event, the submission and its ``compliance.push_planned`` event commit together) and never calls
Metrc. A site that does not push to Metrc plans nothing (its plant batches stay Canopy's only).
From here on the write is an ordinary submission: the push worker claims, validates, sends and
records it, and the recovery reads it back before any re-send.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

from compliance.domain import IngredientDraw, Submission, submission_event
from compliance.domain.cultivation_intents import CultivationChange
from compliance.service_layer.ports import UnitOfWork

__all__ = ["record_cultivation_changes"]


async def record_cultivation_changes(
    uow: UnitOfWork,
    changes: Sequence[CultivationChange],
    *,
    now: datetime,
    trace_parent: str | None = None,
) -> list[Submission | None]:
    """Store the writes of one event's ``changes``, in order (the caller commits, with the
    event's inbox row); None for each when the site does not push to Metrc."""
    # The record each draw goes into, all locked at once in one order before anything else:
    # the record's acceptance settles its draws under this same link lock
    # (``outcomes.store_accepted_many``), so without it both could read before the other
    # commits, leaving a draw PENDING and the harvest's later writes held for good; locked
    # draw by draw in the event's order (a packaging of [P2, P1]), this transaction and an
    # acceptance or a claim, each locking its links sorted in one statement, could deadlock.
    await uow.links.lock(
        {c.intent.into_batch_id for c in changes if isinstance(c.intent, IngredientDraw)}
    )
    return [await _record(uow, c, now=now, trace_parent=trace_parent) for c in changes]


async def _record(
    uow: UnitOfWork,
    change: CultivationChange,
    *,
    now: datetime,
    trace_parent: str | None = None,
) -> Submission | None:
    """Store ``change``'s write (the caller commits, with the event's inbox row); None when the
    site does not push to Metrc."""
    rules = await uow.jurisdictions.get(change.site_id)
    if rules is None or not rules.pushes_to_metrc or rules.license_number is None:
        return None
    s = Submission.new(
        id=uuid4(),
        sequence=await uow.submissions.next_sequence(),
        license_number=rules.license_number,
        site_id=change.site_id,
        batch_id=change.aggregate_id,
        intent=change.intent,
        now=now,
        actor=change.actor,
        caused_by=change.event_id,
        trace_parent=trace_parent,
    )
    if isinstance(change.intent, IngredientDraw) and await _made_already(uow, change):
        # A draw recorded after its record was made (or settled by a person) has nothing left
        # to order: stored settled, it holds none of the harvest's later writes back. Decided
        # before it is published, so its one event says it is done (a "planned" and an
        # "accepted" at one instant carry one version for reporting, which keeps only a newer
        # one, and would count the draw pending for good).
        s = s.accept(now)
    await uow.submissions.add(s)
    await uow.outbox.add(submission_event(s, at=now, actor=change.actor))
    return s


async def _made_already(uow: UnitOfWork, change: CultivationChange) -> bool:
    assert isinstance(change.intent, IngredientDraw)
    return any(
        change.aggregate_id in made.draws_on and made.is_done
        for made in await uow.submissions.for_batch(change.intent.into_batch_id)
    )
