"""Property-based tests: random sequences of valid and invalid operations on one batch.

After every step, whatever happened:
* no bucket is negative, reserved + hold <= on-hand, and available is on-hand less its
  earmarks (quarantine is outside on-hand; its clamp never hides anything);
* locations add up to the physical quantity, reservations to the reserved bucket;
* a successful operation bumps the version by exactly one; a failed one (a DomainError)
  changes nothing at all;
* per bucket, the movements' changes add up to the balance, and each movement's
  ``before`` is the previous movement's ``after``; replaying the ledger gives the state;
* the events of an operation carry exactly its movements.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from inventory.domain import (
    PHYSICAL_BUCKETS,
    AdjustmentReason,
    Batch,
    BatchDetails,
    BatchStatus,
    Bucket,
    Costing,
    DomainError,
    IntakeRequest,
    InvariantViolationError,
    LedgerInconsistencyError,
    Movement,
    MovementType,
    OperationResult,
    OptimisticLockConflictError,
    PaymentTerms,
    Reference,
    allowed_transitions,
    invariant_violations,
    replay,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ZERO = Decimal("0.0000")

well_formed = st.one_of(
    st.decimals(min_value="0.0001", max_value=60, places=4),
    st.integers(min_value=1, max_value=60),
)
malformed = st.one_of(
    st.decimals(min_value=-5, max_value=0, places=4),
    st.sampled_from(["0.00001", "abc", "1e30", "2000000", 1.5]),
)
# Mostly well-formed quantities of the batch's order of size, plus the malformed kinds.
quantities = st.one_of(well_formed, well_formed, well_formed, malformed)
adjustments = st.one_of(st.decimals(min_value=-60, max_value=60, places=4), st.just(0), malformed)
references = st.sampled_from([Reference("ORDER", "1"), Reference("ORDER", "2")])
locations = st.sampled_from([None, None, "A", "B", "C", " "])
reasons = st.sampled_from([*AdjustmentReason, None])
notes = st.sampled_from([None, "", "why"])
# Mostly forward in time, sometimes not at all, rarely backwards (which must fail).
time_steps = st.sampled_from([timedelta(minutes=m) for m in (0, 1, 1, 1, 1, 30, 600, -5)])


def _details() -> BatchDetails:
    return BatchDetails(
        code="B-1",
        product_id="p",
        vendor_id="v",
        brand_id="b",
        lot_id="l",
        category="Flower",
        strain="OG",
        costing=Costing.fixed(Decimal("1")),
        payment_terms=PaymentTerms.COD,
    )


class BatchLifecycle(RuleBasedStateMachine):
    batch: Batch

    def __init__(self) -> None:
        super().__init__()
        self.ledger: list[Movement] = []
        self.now = T0
        self.successes = 0

    # ------------------------------------------------------------------ plumbing

    def who(self, step: timedelta) -> dict[str, Any]:
        return {"actor": "prop", "occurred_at": self.now + step}

    def apply(
        self, step: timedelta, operation: Callable[[dict[str, Any]], OperationResult]
    ) -> None:
        before = self.batch.state
        who = self.who(step)
        try:
            result = operation(who)
        except (InvariantViolationError, LedgerInconsistencyError):
            # The aggregate's last line of defence fired: an operation's own checks let
            # through something that would have broken the batch. That is a bug.
            raise
        except DomainError as error:
            assert self.batch.state == before, "a failed operation changed the batch"
            event(f"refused: {error.code}")
            return
        after = self.batch.state
        self.now = who["occurred_at"]
        self.successes += 1
        assert after.version == before.version + 1
        assert after.updated_at == self.now
        self.check_result(result, before.buckets.physical, after.buckets.physical)
        self.ledger.extend(result.movements)
        # Statistics (pytest --hypothesis-show-statistics) show which paths were reached.
        event(f"done: {type(result.events[-1]).__name__} -> {after.status}")

    def check_result(
        self, result: OperationResult, old_physical: Decimal, new_physical: Decimal
    ) -> None:
        version = self.batch.version
        assert [m.sequence for m in result.movements] == list(range(len(result.movements)))
        for movement in result.movements:
            assert movement.batch_version == version
            assert movement.batch_id == self.batch.id
            assert movement.occurred_at == self.now
            assert movement.change != 0
            assert movement.location_id is None or movement.bucket in PHYSICAL_BUCKETS
        carried = sorted((m for e in result.events for m in e.movements), key=lambda m: m.sequence)
        assert carried == list(result.movements), "events must carry exactly the movements"
        assert all(e.version == version and e.batch_id == self.batch.id for e in result.events)
        assert result.events, "every successful operation says what happened"
        # Located movements are exactly the physical change; unlocated ones net to zero.
        located = sum((m.change for m in result.movements if m.location_id), ZERO)
        assert located == new_physical - old_physical
        shifted = sum(
            (
                m.change
                for m in result.movements
                if m.location_id is None and m.bucket in PHYSICAL_BUCKETS
            ),
            ZERO,
        )
        assert shifted == 0
        transfers = [m.change for m in result.movements if m.type is MovementType.TRANSFER]
        assert sum(transfers, ZERO) == 0

    # ------------------------------------------------------------------ rules

    @initialize(
        quantity=st.integers(min_value=40, max_value=200) | st.just(1),
        location=st.sampled_from(["A", "B"]),
        go_live=st.booleans() | st.just(True),
    )
    def intake(self, quantity: int, location: str, go_live: bool) -> None:
        request = IntakeRequest(details=_details(), quantity=quantity, location_id=location)
        self.batch, result = Batch.intake(
            batch_id="b-1", request=request, actor="prop", occurred_at=T0
        )
        assert self.batch.version == 1
        self.ledger.extend(result.movements)
        if go_live:
            self.apply(
                timedelta(0),
                lambda who: self.batch.change_status(
                    new_status=BatchStatus.LIVE, reason="received", **who
                ),
            )

    @rule(step=time_steps, data=st.data(), reason=st.sampled_from(["r", "r", "r", " "]))
    def change_status(self, step: timedelta, data: st.DataObject, reason: str) -> None:
        # Prefer edges of the graph (random targets are nearly always refused).
        edges = sorted(allowed_transitions(self.batch.status))
        targets = st.sampled_from(BatchStatus)
        status = data.draw(st.one_of(st.sampled_from(edges), targets) if edges else targets)
        self.apply(
            step, lambda who: self.batch.change_status(new_status=status, reason=reason, **who)
        )

    @rule(step=time_steps, data=st.data())
    def follow_an_edge(self, step: timedelta, data: st.DataObject) -> None:
        """A second, always-valid status rule, so runs spend time in every status (it
        never closes the batch: change_status and delete do that)."""
        edges = sorted(allowed_transitions(self.batch.status) - {BatchStatus.CLOSED})
        if edges:
            status = data.draw(st.sampled_from(edges))
            self.apply(
                step,
                lambda who: self.batch.change_status(new_status=status, reason="edge", **who),
            )

    @rule(
        step=time_steps,
        bucket=st.sampled_from(Bucket),
        amount=adjustments,
        reason=reasons,
        notes=notes,
        location=locations,
    )
    def adjust(
        self,
        step: timedelta,
        bucket: Bucket,
        amount: Any,
        reason: AdjustmentReason | None,
        notes: str | None,
        location: str | None,
    ) -> None:
        self.apply(
            step,
            lambda who: self.batch.adjust(
                bucket=bucket,
                adjustment=amount,
                reason=reason,
                notes=notes,
                location_id=location,
                **who,
            ),
        )

    @rule(step=time_steps, amount=quantities, reference=references)
    def reserve(self, step: timedelta, amount: Any, reference: Reference) -> None:
        self.apply(
            step, lambda who: self.batch.reserve(quantity=amount, reference=reference, **who)
        )

    @rule(
        step=time_steps,
        reference=references,
        amount=st.one_of(st.none(), quantities),
    )
    def release_reservation(self, step: timedelta, reference: Reference, amount: Any) -> None:
        self.apply(
            step,
            lambda who: self.batch.release_reservation(reference=reference, quantity=amount, **who),
        )

    @rule(step=time_steps, amount=quantities, reference=references, location=locations)
    def sell(
        self, step: timedelta, amount: Any, reference: Reference, location: str | None
    ) -> None:
        self.apply(
            step,
            lambda who: self.batch.sell(
                quantity=amount, reference=reference, location_id=location, **who
            ),
        )

    @rule(step=time_steps, amount=quantities, refund=st.booleans(), location=locations)
    def receive_return(
        self, step: timedelta, amount: Any, refund: bool, location: str | None
    ) -> None:
        self.apply(
            step,
            lambda who: self.batch.receive_return(
                quantity=amount, refund=refund, location_id=location, **who
            ),
        )

    @rule(step=time_steps, amount=quantities, location=locations)
    def send_sample(self, step: timedelta, amount: Any, location: str | None) -> None:
        self.apply(
            step,
            lambda who: self.batch.send_sample(quantity=amount, location_id=location, **who),
        )

    @rule(
        step=time_steps,
        amount=quantities,
        bucket=st.sampled_from(Bucket),
        reason=reasons,
        notes=notes,
        location=locations,
    )
    def dispose(
        self,
        step: timedelta,
        amount: Any,
        bucket: Bucket,
        reason: AdjustmentReason | None,
        notes: str | None,
        location: str | None,
    ) -> None:
        self.apply(
            step,
            lambda who: self.batch.dispose(
                quantity=amount,
                bucket=bucket,
                reason=reason,
                notes=notes,
                location_id=location,
                **who,
            ),
        )

    @rule(step=time_steps, amount=quantities, reason=st.sampled_from(["failed check", " "]))
    def quarantine_part(self, step: timedelta, amount: Any, reason: str) -> None:
        self.apply(
            step, lambda who: self.batch.quarantine_part(quantity=amount, reason=reason, **who)
        )

    @rule(step=time_steps, amount=quantities, reason=st.sampled_from(["passed", " "]))
    def release_part(self, step: timedelta, amount: Any, reason: str) -> None:
        self.apply(step, lambda who: self.batch.release_part(quantity=amount, reason=reason, **who))

    @rule(step=time_steps, amount=quantities)
    def hold(self, step: timedelta, amount: Any) -> None:
        self.apply(step, lambda who: self.batch.hold(quantity=amount, **who))

    @rule(step=time_steps, amount=quantities)
    def release_hold(self, step: timedelta, amount: Any) -> None:
        self.apply(step, lambda who: self.batch.release_hold(quantity=amount, **who))

    @rule(step=time_steps, amount=quantities, reason=reasons, notes=notes)
    def mark_defective(
        self, step: timedelta, amount: Any, reason: AdjustmentReason | None, notes: str | None
    ) -> None:
        self.apply(
            step,
            lambda who: self.batch.mark_defective(
                quantity=amount, reason=reason, notes=notes, **who
            ),
        )

    @rule(
        step=time_steps,
        amount=quantities,
        data=st.data(),
        destination=st.sampled_from(["A", "B", "C", ""]),
        bucket=st.one_of(st.none(), st.none(), st.sampled_from(Bucket)),
    )
    def transfer(
        self,
        step: timedelta,
        amount: Any,
        data: st.DataObject,
        destination: str,
        bucket: Bucket | None,
    ) -> None:
        source = data.draw(st.sampled_from([*sorted(self.batch.locations), "C"]))
        self.apply(
            step,
            lambda who: self.batch.transfer(
                quantity=amount,
                from_location_id=source,
                to_location_id=destination,
                bucket=bucket,
                **who,
            ),
        )

    @rule(step=time_steps)
    def delete(self, step: timedelta) -> None:
        self.apply(step, lambda who: self.batch.delete(reason="cleanup", **who))

    @rule()
    def empty_the_batch(self) -> None:
        """Release every earmark and dispose of everything, one checked operation at a
        time, so that SOLD_OUT, CLOSED and deletion get reached."""
        for reference in list(self.batch.reservations):
            self.apply(
                timedelta(0),
                lambda who, r=reference: self.batch.release_reservation(reference=r, **who),
            )
        if self.batch.buckets.hold:
            hold = self.batch.buckets.hold
            self.apply(timedelta(0), lambda who: self.batch.release_hold(quantity=hold, **who))
        for bucket in sorted(PHYSICAL_BUCKETS):
            for location in sorted(self.batch.locations):
                amount = min(self.batch.buckets.get(bucket), self.batch.locations[location])
                if amount:
                    self.apply(
                        timedelta(0),
                        lambda who, b=bucket, loc=location, q=amount: self.batch.dispose(
                            quantity=q,
                            bucket=b,
                            reason=AdjustmentReason.EXPIRED,
                            location_id=loc,
                            **who,
                        ),
                    )

    @rule(delta=st.integers(min_value=-1, max_value=1))
    def check_version(self, delta: int) -> None:
        before = self.batch.state
        if delta:
            with pytest.raises(OptimisticLockConflictError):
                self.batch.check_version(self.batch.version + delta)
        else:
            self.batch.check_version(self.batch.version)
        assert self.batch.state == before

    # ------------------------------------------------------------------ invariants

    @invariant()
    def buckets_are_never_negative_and_earmarks_fit(self) -> None:
        b = self.batch.buckets
        assert all(value >= 0 for value in b.as_dict().values())
        assert b.reserved + b.hold <= b.on_hand
        assert b.available == b.on_hand - b.reserved - b.hold
        assert invariant_violations(self.batch.state) == []

    @invariant()
    def locations_and_reservations_add_up(self) -> None:
        assert self.batch.locations.total() == self.batch.buckets.physical
        assert self.batch.reservations.total() == self.batch.buckets.reserved
        assert all(q > 0 for q in self.batch.locations.values())

    @invariant()
    def the_ledger_adds_up_to_the_balances(self) -> None:
        running = dict.fromkeys(Bucket, ZERO)
        for movement in self.ledger:
            assert movement.before == running[movement.bucket], "broken before/after chain"
            assert movement.after == movement.before + movement.change
            running[movement.bucket] = movement.after
        for bucket in Bucket:
            total = sum((m.change for m in self.ledger if m.bucket is bucket), ZERO)
            assert total == self.batch.buckets.get(bucket) == running[bucket]
        rebuilt = replay(self.ledger)
        assert rebuilt.buckets == self.batch.buckets
        assert rebuilt.locations == self.batch.locations

    def teardown(self) -> None:
        # The last successful operation's version is what the movements say, or later
        # (status changes and deletions write no movements).
        if self.ledger:
            assert self.ledger[-1].batch_version <= self.batch.version
        assert self.batch.version == 1 + self.successes


BatchLifecycle.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_batch_lifecycle = BatchLifecycle.TestCase
