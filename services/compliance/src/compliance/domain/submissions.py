"""The submission ledger: one row per intended Metrc write, and its state machine.

::

    PENDING ──send──> IN_FLIGHT ──accept──> ACCEPTED            (terminal)
       │  ^              │  │
       │  └──requeue─────┘  └──reject / fail──> REJECTED | FAILED ──retry──> PENDING
       ├──reject (validation) ──> REJECTED                      └──dismiss (stays, unblocks)
       ├──fail (a link that never found its package) ──> FAILED
       ├──accept (writes that need no request: a link, an ingredient draw)
       └──settle by manifest ──> SETTLED                         (terminal; a sale only)

``requeue`` takes an in-flight submission back to PENDING when Metrc did not apply it (a
transient error, or a read-back that found nothing); ``send`` counts an attempt. A submission
whose outcome is unknown stays IN_FLIGHT until a read-back decides (``read_back.py``).

``settle_by_manifest`` closes a sale (``TRANSFER_OUT``) without any request: the package left
on a transfer manifest, and Metrc's own record of the manifest is the write. The receiver's
decision is kept (:class:`ManifestSettlement`): accepted, the package is the receiver's now;
rejected, it never left this facility's Metrc inventory.

A submission is *done* when ACCEPTED or SETTLED, or REJECTED/FAILED and dismissed by a person.
Until then it holds back every later write to its package (``ordering.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from compliance.domain.batches import FromBatches, FromHarvest, OpeningBalance
from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestPlant,
    HarvestUnfinish,
    HarvestWasteRecord,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantGrowthPhase,
)
from compliance.domain.errors import InvalidTransitionError
from compliance.domain.problems import Problem

__all__ = [
    "CREATES_PACKAGE",
    "CREATES_PLANT_BATCH",
    "CULTIVATION_KINDS",
    "PLANT_BATCH_KINDS",
    "AdjustPackage",
    "ChangeLocation",
    "CreatePackage",
    "FinishPackage",
    "IngredientDraw",
    "Intent",
    "LinkPackage",
    "ManifestSettlement",
    "SentAs",
    "SentIngredient",
    "Submission",
    "SubmissionKind",
    "SubmissionQuery",
    "SubmissionState",
    "TransferOut",
    "UnfinishPackage",
]


class SubmissionKind(StrEnum):
    CREATE_PACKAGE = "CREATE_PACKAGE"
    CREATE_HARVEST_PACKAGE = "CREATE_HARVEST_PACKAGE"
    LINK_PACKAGE = "LINK_PACKAGE"
    ADJUST_PACKAGE = "ADJUST_PACKAGE"
    CHANGE_LOCATION = "CHANGE_LOCATION"
    FINISH_PACKAGE = "FINISH_PACKAGE"
    UNFINISH_PACKAGE = "UNFINISH_PACKAGE"
    INGREDIENT_DRAW = "INGREDIENT_DRAW"
    TRANSFER_OUT = "TRANSFER_OUT"
    # cultivation (``cultivation_intents``): keyed by plant batch id
    PLANT_BATCH_PLANTING = "PLANT_BATCH_PLANTING"
    PLANT_BATCH_FROM_PACKAGE = "PLANT_BATCH_FROM_PACKAGE"
    PLANT_BATCH_SPLIT = "PLANT_BATCH_SPLIT"
    PLANT_BATCH_ADJUST = "PLANT_BATCH_ADJUST"
    PLANT_BATCH_LOCATION = "PLANT_BATCH_LOCATION"
    PLANT_BATCH_DESTROY = "PLANT_BATCH_DESTROY"
    PLANT_BATCH_GROWTH_PHASE = "PLANT_BATCH_GROWTH_PHASE"
    PLANT_GROWTH_PHASE = "PLANT_GROWTH_PHASE"
    HARVEST_PLANT = "HARVEST_PLANT"
    HARVEST_MANICURE = "HARVEST_MANICURE"
    HARVEST_WASTE = "HARVEST_WASTE"
    HARVEST_FINISH = "HARVEST_FINISH"
    HARVEST_UNFINISH = "HARVEST_UNFINISH"


class SubmissionState(StrEnum):
    PENDING = "PENDING"
    IN_FLIGHT = "IN_FLIGHT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    SETTLED = "SETTLED"
    """Done without a request of ours: a sale settled by its transfer manifest."""


TRANSFER_REFERENCE: Final = "TRANSFER"
"""The reference type of inventory's movements for an outgoing transfer (``TRANSFER <id>``)."""


@dataclass(frozen=True, kw_only=True)
class CreatePackage:
    """``POST /packages/v2/``: an opening balance, or made from other batches' packages; from
    a harvest, ``POST /harvests/v2/packages`` (kind ``CREATE_HARVEST_PACKAGE``), taking
    ``quantity`` (in the harvest's unit of weight) out of the harvest."""

    quantity: Decimal
    unit: str
    product_id: str
    product_name: str
    location_id: str | None
    source: OpeningBalance | FromBatches | FromHarvest
    date: date


@dataclass(frozen=True, kw_only=True)
class LinkPackage:
    """No write: find the package that arrived by transfer and check it is the batch's."""

    quantity: Decimal
    unit: str
    product_id: str
    product_name: str


@dataclass(frozen=True, kw_only=True)
class AdjustPackage:
    """``POST /packages/v2/adjust`` with a signed delta, the cause's mapped reason and a note
    that carries the submission id (the only way to recognise it in Metrc's history)."""

    quantity: Decimal
    unit: str
    cause: str
    note: str | None
    date: date


@dataclass(frozen=True, kw_only=True)
class ChangeLocation:
    location_id: str
    date: date


@dataclass(frozen=True, kw_only=True)
class FinishPackage:
    date: date


@dataclass(frozen=True, kw_only=True)
class UnfinishPackage:
    pass


@dataclass(frozen=True, kw_only=True)
class IngredientDraw:
    """No write: stock of this batch (or weight of this harvest) went into ``into_batch_id``'s
    package, or into the plant batch ``into_batch_id`` planted from this package, which Metrc
    draws when it creates that record. Marks the draw's place in this package's (harvest's)
    order."""

    into_batch_id: UUID
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class TransferOut:
    """Stock sold: it leaves Metrc on a transfer manifest, never as an adjustment. Waits for
    the manifest (the transfers flow); nothing is sent for it here."""

    quantity: Decimal
    reference_type: str | None
    reference_id: str | None

    @property
    def transfer_id(self) -> UUID | None:
        """The outgoing transfer whose manifest carries the package, when the sale is one."""
        if self.reference_type != TRANSFER_REFERENCE or not self.reference_id:
            return None
        try:
            return UUID(self.reference_id)
        except ValueError:
            return None


@dataclass(frozen=True, kw_only=True)
class ManifestSettlement:
    """How the receiver settled a package shipped on a manifest (Metrc's delivery package)."""

    transfer_id: UUID
    manifest_number: str | None
    accepted: bool
    received_quantity: Decimal | None = None

    def describe(self) -> str:
        manifest = f"manifest {self.manifest_number or '(no number)'}"
        if not self.accepted:
            return (
                f"Settled by {manifest}: rejected by the receiver; the package stayed in this "
                "facility's Metrc inventory."
            )
        received = "" if self.received_quantity is None else f" ({self.received_quantity} received)"
        return f"Settled by {manifest}: accepted by the receiver{received}."


Intent = (
    CreatePackage
    | LinkPackage
    | AdjustPackage
    | ChangeLocation
    | FinishPackage
    | UnfinishPackage
    | IngredientDraw
    | TransferOut
    | PlantBatchPlanting
    | PlantBatchSplitOff
    | PlantBatchCountChange
    | PlantBatchMove
    | PlantBatchDestroy
    | PlantBatchGrowthPhase
    | PlantGrowthPhase
    | HarvestPlant
    | HarvestWasteRecord
    | HarvestFinish
    | HarvestUnfinish
)

_KINDS: dict[type[object], SubmissionKind] = {
    CreatePackage: SubmissionKind.CREATE_PACKAGE,
    LinkPackage: SubmissionKind.LINK_PACKAGE,
    AdjustPackage: SubmissionKind.ADJUST_PACKAGE,
    ChangeLocation: SubmissionKind.CHANGE_LOCATION,
    FinishPackage: SubmissionKind.FINISH_PACKAGE,
    UnfinishPackage: SubmissionKind.UNFINISH_PACKAGE,
    IngredientDraw: SubmissionKind.INGREDIENT_DRAW,
    TransferOut: SubmissionKind.TRANSFER_OUT,
    PlantBatchPlanting: SubmissionKind.PLANT_BATCH_PLANTING,
    PlantBatchSplitOff: SubmissionKind.PLANT_BATCH_SPLIT,
    PlantBatchCountChange: SubmissionKind.PLANT_BATCH_ADJUST,
    PlantBatchMove: SubmissionKind.PLANT_BATCH_LOCATION,
    PlantBatchDestroy: SubmissionKind.PLANT_BATCH_DESTROY,
    PlantBatchGrowthPhase: SubmissionKind.PLANT_BATCH_GROWTH_PHASE,
    PlantGrowthPhase: SubmissionKind.PLANT_GROWTH_PHASE,
    HarvestWasteRecord: SubmissionKind.HARVEST_WASTE,
    HarvestFinish: SubmissionKind.HARVEST_FINISH,
    HarvestUnfinish: SubmissionKind.HARVEST_UNFINISH,
}

CULTIVATION_KINDS = frozenset(
    {
        SubmissionKind.PLANT_BATCH_PLANTING,
        SubmissionKind.PLANT_BATCH_FROM_PACKAGE,
        SubmissionKind.PLANT_BATCH_SPLIT,
        SubmissionKind.PLANT_BATCH_ADJUST,
        SubmissionKind.PLANT_BATCH_LOCATION,
        SubmissionKind.PLANT_BATCH_DESTROY,
        SubmissionKind.PLANT_BATCH_GROWTH_PHASE,
        SubmissionKind.PLANT_GROWTH_PHASE,
        SubmissionKind.HARVEST_PLANT,
        SubmissionKind.HARVEST_MANICURE,
        SubmissionKind.HARVEST_WASTE,
        SubmissionKind.HARVEST_FINISH,
        SubmissionKind.HARVEST_UNFINISH,
    }
)
"""Writes that mirror cultivation (``cultivation_intents``); ``batch_id`` is the id of the plant
batch, tracked plant or harvest written."""
PLANT_BATCH_KINDS = frozenset(k for k in CULTIVATION_KINDS if k.value.startswith("PLANT_BATCH_"))
"""Writes to a plant batch (the rest write a tracked plant or a harvest)."""
CREATES_PLANT_BATCH = frozenset(
    {
        SubmissionKind.PLANT_BATCH_PLANTING,
        SubmissionKind.PLANT_BATCH_FROM_PACKAGE,
        SubmissionKind.PLANT_BATCH_SPLIT,
    }
)
CREATES_PACKAGE = frozenset({SubmissionKind.CREATE_PACKAGE, SubmissionKind.CREATE_HARVEST_PACKAGE})
"""Writes that make a batch's package in Metrc (accepted: the batch is LINKED)."""

SENT_KINDS = frozenset(
    {
        *CREATES_PACKAGE,
        SubmissionKind.ADJUST_PACKAGE,
        SubmissionKind.CHANGE_LOCATION,
        SubmissionKind.FINISH_PACKAGE,
        SubmissionKind.UNFINISH_PACKAGE,
        *CULTIVATION_KINDS,
    }
)
"""Kinds that are Metrc writes (the rest are a read, or wait for another flow)."""
ATTEMPTED_KINDS = SENT_KINDS | {SubmissionKind.LINK_PACKAGE}
"""Kinds the push worker carries out (a link is a read: it is attempted, but never a write)."""


@dataclass(frozen=True)
class SentIngredient:
    tag: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True, kw_only=True)
class SentAs:
    """The Metrc values one attempt used, resolved from the link and the rules at that moment
    (the rules may change later); a read-back compares what Metrc holds with these."""

    tag: str
    item: str | None = None
    unit: str | None = None
    location: str | None = None
    reason: str | None = None
    note: str | None = None
    ingredients: tuple[SentIngredient, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One intended Metrc write for one batch's package.

    Attributes:
        id: the intent id; adjustments carry it in their Metrc note.
        sequence: position in the license's ledger, assigned when stored; writes that share a
            package are applied in this order.
        license_number, site_id, batch_id: whose package.
        intent: what to write.
        state, attempts, next_attempt_at: where it stands; ``attempts`` counts sends (reset by a
            manual retry, counted in ``manual_retries``).
        sent_as: the Metrc values of the last attempt (tag, item, unit, reason, note ...).
        last_error: the last problem (Metrc's message and the guide's guidance).
        metrc_ids: the Ids Metrc returned.
        created_at, first_sent_at, sent_at, completed_at: timings.
        caused_by: the inventory event it came from; ``actor`` who caused it.
        trace_parent: the W3C ``traceparent`` of where it was recorded (the consumer span of
            the inventory event, in the inventory request's trace; for a person's manual push
            or retry, that API request's span): the push's spans join it.
        dismissed_by, dismissed_at: a person declared a rejected/failed write settled.
        settled_by: how the receiver settled a sale's manifest (SETTLED only).
    """

    id: UUID
    sequence: int
    license_number: str
    site_id: UUID
    batch_id: UUID
    intent: Intent
    state: SubmissionState
    created_at: datetime
    next_attempt_at: datetime
    actor: str
    attempts: int = 0
    manual_retries: int = 0
    sent_as: SentAs | None = None
    last_error: Problem | None = None
    metrc_ids: tuple[int, ...] = ()
    first_sent_at: datetime | None = None
    sent_at: datetime | None = None
    completed_at: datetime | None = None
    caused_by: UUID | None = None
    dismissed_by: str | None = None
    dismissed_at: datetime | None = None
    trace_parent: str | None = None
    settled_by: ManifestSettlement | None = None

    @classmethod
    def new(
        cls,
        *,
        id: UUID,
        sequence: int,
        license_number: str,
        site_id: UUID,
        batch_id: UUID,
        intent: Intent,
        now: datetime,
        actor: str,
        caused_by: UUID | None = None,
        trace_parent: str | None = None,
    ) -> Submission:
        return cls(
            id=id,
            sequence=sequence,
            license_number=license_number,
            site_id=site_id,
            batch_id=batch_id,
            intent=intent,
            state=SubmissionState.PENDING,
            created_at=now,
            next_attempt_at=now,
            actor=actor,
            caused_by=caused_by,
            trace_parent=trace_parent,
        )

    @property
    def kind(self) -> SubmissionKind:
        intent = self.intent
        if isinstance(intent, HarvestPlant):
            # One plant's weight into a harvest: all of it, or part (a manicure).
            return (
                SubmissionKind.HARVEST_MANICURE if intent.partial else SubmissionKind.HARVEST_PLANT
            )
        if isinstance(intent, CreatePackage) and isinstance(intent.source, FromHarvest):
            return SubmissionKind.CREATE_HARVEST_PACKAGE
        if isinstance(intent, PlantBatchPlanting) and intent.source is not None:
            return SubmissionKind.PLANT_BATCH_FROM_PACKAGE
        return _KINDS[type(intent)]

    @property
    def is_write(self) -> bool:
        return self.kind in SENT_KINDS

    @property
    def is_attempted(self) -> bool:
        return self.kind in ATTEMPTED_KINDS

    @property
    def is_cultivation(self) -> bool:
        return self.kind in CULTIVATION_KINDS

    @property
    def tag(self) -> str | None:
        return self.sent_as.tag if self.sent_as is not None else None

    @property
    def is_done(self) -> bool:
        if self.state in (SubmissionState.ACCEPTED, SubmissionState.SETTLED):
            return True
        return self.is_settled_failure

    @property
    def is_settled_failure(self) -> bool:
        return (
            self.state in (SubmissionState.REJECTED, SubmissionState.FAILED)
            and self.dismissed_at is not None
        )

    @property
    def package_keys(self) -> frozenset[UUID]:
        """The batches whose packages this write touches (a create draws on its sources)."""
        if isinstance(self.intent, PlantBatchSplitOff):
            return frozenset({self.batch_id, self.intent.new_plant_batch_id})
        return frozenset({self.batch_id, *self.draws_on})

    @property
    def draws_on(self) -> tuple[UUID, ...]:
        """The records this write draws from, each holding an ``IngredientDraw`` into it at
        the place inventory drew (ordering): the source batches of a package made from
        batches, the harvest of a package made from a harvest, the package a plant batch is
        planted from."""
        intent = self.intent
        if isinstance(intent, CreatePackage):
            if isinstance(intent.source, FromBatches):
                return tuple(i.batch_id for i in intent.source.ingredients)
            if isinstance(intent.source, FromHarvest):
                return (intent.source.harvest_uuid,)
        if isinstance(intent, PlantBatchPlanting) and intent.source is not None:
            return (intent.source.batch_id,)
        return ()

    # --- transitions ----------------------------------------------------------------------------

    def send(self, now: datetime, *, sent_as: SentAs) -> Submission:
        self._expect("sent", SubmissionState.PENDING)
        if not self.is_attempted:
            raise InvalidTransitionError(
                self.id, self.state, f"sent ({self.kind} waits for another flow)"
            )
        return replace(
            self,
            state=SubmissionState.IN_FLIGHT,
            attempts=self.attempts + 1,
            sent_as=sent_as,
            sent_at=now,
            first_sent_at=self.first_sent_at or now,
        )

    def resent(self, now: datetime) -> Submission:
        """Sent again within the same attempt (the good rows of a request Metrc rejected)."""
        self._expect("re-sent", SubmissionState.IN_FLIGHT)
        return replace(self, sent_at=now)

    def outcome_unknown(self, error: Problem) -> Submission:
        """The send got no answer: it stays in flight until a read-back decides."""
        self._expect("left in flight", SubmissionState.IN_FLIGHT)
        return replace(self, last_error=error)

    def accept(self, now: datetime, *, metrc_ids: tuple[int, ...] = ()) -> Submission:
        self._expect("accepted", SubmissionState.IN_FLIGHT, SubmissionState.PENDING)
        if self.state is SubmissionState.PENDING and self.is_attempted:
            raise InvalidTransitionError(self.id, self.state, "accepted before it was sent")
        return replace(
            self,
            state=SubmissionState.ACCEPTED,
            metrc_ids=metrc_ids or self.metrc_ids,
            completed_at=now,
            last_error=None,
        )

    def settle_by_manifest(self, now: datetime, settlement: ManifestSettlement) -> Submission:
        """A sale's manifest settled (the receiver accepted or rejected the package): done, with
        no Metrc write of ours. Only the sale of that transfer's package may be settled so."""
        self._expect("settled by a manifest", SubmissionState.PENDING)
        intent = self.intent
        if not isinstance(intent, TransferOut) or intent.transfer_id != settlement.transfer_id:
            raise InvalidTransitionError(
                self.id,
                self.state,
                f"settled by the manifest of transfer {settlement.transfer_id} ({self.kind} is "
                "not that transfer's sale)",
            )
        return replace(
            self,
            state=SubmissionState.SETTLED,
            settled_by=settlement,
            completed_at=now,
            last_error=None,
        )

    def requeue(self, *, retry_at: datetime, error: Problem | None) -> Submission:
        """Back to PENDING: Metrc did not apply it (or a precondition is not met yet)."""
        self._expect("requeued", SubmissionState.IN_FLIGHT, SubmissionState.PENDING)
        return replace(
            self,
            state=SubmissionState.PENDING,
            next_attempt_at=retry_at,
            last_error=error or self.last_error,
        )

    def reject(self, now: datetime, error: Problem) -> Submission:
        self._expect("rejected", SubmissionState.IN_FLIGHT, SubmissionState.PENDING)
        return replace(self, state=SubmissionState.REJECTED, last_error=error, completed_at=now)

    def fail(self, now: datetime, error: Problem) -> Submission:
        self._expect("failed", SubmissionState.IN_FLIGHT, SubmissionState.PENDING)
        return replace(self, state=SubmissionState.FAILED, last_error=error, completed_at=now)

    def retry(self, now: datetime, *, trace_parent: str | None = None) -> Submission:
        """A person's retry of a rejected or failed write: pending again, with fresh attempts.
        ``trace_parent``: the retry request's span, which the next send's spans then join
        (else they keep joining the trace it was recorded in)."""
        self._expect("retried", SubmissionState.REJECTED, SubmissionState.FAILED)
        return replace(
            self,
            state=SubmissionState.PENDING,
            attempts=0,
            manual_retries=self.manual_retries + 1,
            next_attempt_at=now,
            completed_at=None,
            dismissed_by=None,
            dismissed_at=None,
            trace_parent=trace_parent or self.trace_parent,
        )

    def dismiss(self, now: datetime, *, actor: str) -> Submission:
        """A person settles a rejected or failed write (fixed in Metrc by hand, or moot), so the
        writes behind it may go."""
        self._expect("dismissed", SubmissionState.REJECTED, SubmissionState.FAILED)
        return replace(self, dismissed_by=actor, dismissed_at=now)

    def _expect(self, action: str, *states: SubmissionState) -> None:
        if self.state not in states or (self.dismissed_at is not None and action != "retried"):
            raise InvalidTransitionError(self.id, self.state, action)


@dataclass(frozen=True, kw_only=True)
class SubmissionQuery:
    """Filters of the ledger: every given one must match; newest (highest sequence) first."""

    license_number: str | None = None
    site_id: UUID | None = None
    batch_id: UUID | None = None
    states: frozenset[SubmissionState] | None = None
    kinds: frozenset[SubmissionKind] | None = None
    created_since: datetime | None = None
    created_until: datetime | None = None
    limit: int = 100
    before_sequence: int | None = None
    """Keyset paging: only submissions with a lower sequence (the last one of the page before)."""

    def matches(self, s: Submission) -> bool:
        return (
            (self.license_number is None or s.license_number == self.license_number)
            and (self.site_id is None or s.site_id == self.site_id)
            and (self.batch_id is None or s.batch_id == self.batch_id)
            and (self.states is None or s.state in self.states)
            and (self.kinds is None or s.kind in self.kinds)
            and (self.created_since is None or s.created_at >= self.created_since)
            and (self.created_until is None or s.created_at < self.created_until)
            and (self.before_sequence is None or s.sequence < self.before_sequence)
        )
