"""One batch operated on like the inventory service would, publishing the real event models of
``shared.events.inventory`` (for tests and benchmarks; see ``inventory_history``).

A :class:`SimulatedBatch` keeps a batch's buckets, status, reservations and costs the way the
inventory service does (buckets never negative, earmarks within on-hand, the spec's status
machine, quarantine moving all of on-hand) and turns each operation into the events inventory
would publish: the batch after the operation, exactly the ledger rows it wrote, and several
events with one version where inventory emits several (quarantining releases reservations and
the hold first; closing a quarantined batch disposes of its stock; deleting closes first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final
from uuid import UUID, uuid5

from pydantic import BaseModel
from shared.events import inventory as ev

__all__ = ["NAMESPACE", "NOW", "PRODUCTS", "SITES", "SimulatedBatch", "location"]

NOW: Final = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""The instant the property tests measure ages at."""
Q: Final = Decimal("0.0001")
NAMESPACE: Final = UUID("3b241101-e2bb-4255-8caf-4136c566a962")

SITES: Final = [
    {"id": str(uuid5(NAMESPACE, f"site-{n}")), "name": f"Site {n}", "license_number": f"OR-{n:06d}",
     "state": "OR"}
    for n in range(2)
]  # fmt: skip
PRODUCTS: Final = [
    {"id": str(uuid5(NAMESPACE, f"product-{n}")), "name": f"=Product {n}" if n == 3 else f"Product {n}",
     "category": category, "subcategory": subcategory, "strain": strain,
     "brand_id": str(uuid5(NAMESPACE, "brand")), "brand_name": "Brand", "sku": f"SKU-{n}"}
    for n, (category, subcategory, strain) in enumerate(
        [("Flower", "Indoor", "Blue Dream"), ("Flower", None, "Sour Diesel"), ("Vape", "Cart", None),
         ("Edible", None, None)]
    )
]  # fmt: skip


def location(site: dict[str, str], n: int) -> dict[str, Any]:
    return {
        "id": str(uuid5(NAMESPACE, f"{site['id']}-loc-{n}")),
        "site_id": site["id"],
        "zone": "Z",
        "rack": f"R{n}",
        "shelf": None,
        "bin": None,
        "label": f"Z/R{n}",
    }


def _text(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _portion(limit: Decimal, share: int) -> Decimal:
    """``share`` ten-thousandths of ``limit``, rounded down to 4 places."""
    return (limit * share / 10_000).quantize(Q, rounding=ROUND_DOWN)


@dataclass
class SimulatedBatch:
    """One batch, operated on like the inventory service would; ``events`` is what it
    published, in order."""

    batch_id: UUID
    site: dict[str, str]
    product: dict[str, Any]
    created_at: datetime
    costs: dict[str, str | None]
    status: str = "AWAITING_INTAKE"
    on_hand: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    quarantine: Decimal = Decimal(0)
    hold: Decimal = Decimal(0)
    defective: Decimal = Decimal(0)
    reservations: dict[str, Decimal] = field(default_factory=dict)
    version: int = 0
    clock: datetime = NOW
    deleted_at: datetime | None = None
    events: list[BaseModel] = field(default_factory=list)
    _moves: list[dict[str, Any]] = field(default_factory=list)
    _pending: list[tuple[type[ev.BatchEventBase], int, dict[str, Any]]] = field(
        default_factory=list
    )

    # ------------------------------------------------------------------ bookkeeping

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.reserved - self.hold, Decimal(0))

    @property
    def physical(self) -> Decimal:
        return self.on_hand + self.quarantine + self.defective

    @property
    def location(self) -> dict[str, Any]:
        return location(self.site, 0)

    def _begin(self) -> None:
        self.version += 1
        self.clock += timedelta(minutes=7)
        self._moves = []
        self._pending = []

    def _post(self, bucket: str, kind: str, change: Decimal, **extra: Any) -> None:
        attribute = bucket.lower()
        before = getattr(self, attribute)
        after = before + change
        assert after >= 0, f"{bucket} would go negative"
        setattr(self, attribute, after)
        self._moves.append({
            "batch_version": self.version, "sequence": len(self._moves), "bucket": bucket,
            "type": kind, "change": f"{change:.4f}", "before": f"{before:.4f}",
            "after": f"{after:.4f}", "reason": extra.get("reason"), "notes": extra.get("notes"),
            "reference": extra.get("reference"), "location": extra.get("location"),
            "actor": "user-1", "occurred_at": _text(self.clock),
        })  # fmt: skip

    def _emit(self, model: type[ev.BatchEventBase], **fields: Any) -> None:
        """An event of the running operation, explaining the ledger rows since the last one."""
        since = sum(len(p[2].get("_moves", [])) for p in self._pending)
        self._pending.append((model, since, {**fields, "_moves": self._moves[since:]}))

    def _commit(self) -> None:
        batch = self.snapshot()
        for model, _, fields in self._pending:
            moves = fields.pop("_moves")
            payload = {
                "batch": batch,
                "movements": moves,
                "actor": "user-1",
                "occurred_at": _text(self.clock),
                **fields,
            }
            self.events.append(model.model_validate(payload))

    def snapshot(self) -> dict[str, Any]:
        def q(value: Decimal) -> str:
            return f"{value:.4f}"

        return {
            "batch_id": str(self.batch_id), "code": f"B-{str(self.batch_id)[:8]}",
            "sku": self.product["sku"], "site": self.site, "product": self.product,
            "vendor": {"id": str(uuid5(NAMESPACE, "vendor")), "name": "Vendor", "license_number": None},
            "lot": {"id": str(uuid5(NAMESPACE, "lot")), "code": "LOT-1"}, "unit_of_measure": "Grams",
            "status": self.status, "grade": None, "is_sample": False,
            "balances": {
                "on_hand": q(self.on_hand), "reserved": q(self.reserved),
                "quarantine": q(self.quarantine), "hold": q(self.hold),
                "defective": q(self.defective), "available": q(self.available),
                "physical": q(self.physical),
            },
            "locations": [{"location": self.location, "qty": q(self.physical)}]
            if self.physical
            else [],
            "costs": {**self.costs, "payment_terms": "NET_30"}, "version": self.version,
            "created_at": _text(self.created_at), "updated_at": _text(self.clock),
            "deleted_at": None if self.deleted_at is None else _text(self.deleted_at),
        }  # fmt: skip

    # ------------------------------------------------------------------ operations
    # Each returns whether it happened (an operation the batch's state forbids is skipped).

    def intake(self, quantity: Decimal) -> bool:
        self._begin()
        self.clock = max(self.clock, self.created_at)
        self._post("ON_HAND", "INTAKE", quantity, location=self.location)
        self._emit(ev.BatchCreatedV1, quantity=f"{quantity:.4f}", location=self.location,
                   reference=None, notes=None)  # fmt: skip
        self._commit()
        return True

    def _status(self, to: str, reason: str = "by hand") -> None:
        self._emit(ev.BatchStatusChangedV1, from_status=self.status, to_status=to, reason=reason)
        self.status = to

    def change_status(self, to: str) -> bool:
        allowed = {
            "AWAITING_INTAKE": {"LIVE"},
            "LIVE": {"PHOTOGRAPHY_COMPLETE", "ON_HOLD", "QUARANTINED", "SOLD_OUT", "CLOSED"},
            "PHOTOGRAPHY_COMPLETE": {"LIVE", "ON_HOLD", "QUARANTINED"},
            "ON_HOLD": {"LIVE", "QUARANTINED", "CLOSED"},
            "QUARANTINED": {"LIVE", "CLOSED"},
            "SOLD_OUT": {"CLOSED"},
        }
        if self.deleted_at is not None or to not in allowed.get(self.status, set()):
            return False
        empty = not (self.physical or self.reserved or self.hold)
        if (to == "SOLD_OUT" or (to == "CLOSED" and self.status != "QUARANTINED")) and not empty:
            return False
        self._begin()
        if to == "QUARANTINED":
            for reference, amount in sorted(self.reservations.items()):
                ref = {"type": "ORDER", "id": reference}
                self._post("RESERVED", "RELEASE_RESERVATION", -amount, reference=ref)
                self._emit(ev.BatchReservationReleasedV1, reference=ref,
                           quantity=f"{amount:.4f}", remaining="0.0000")  # fmt: skip
            self.reservations.clear()
            if self.hold:
                amount = self.hold
                self._post("HOLD", "RELEASE_HOLD", -amount)
                self._emit(ev.BatchHoldReleasedV1, quantity=f"{amount:.4f}")
            if self.on_hand:
                amount = self.on_hand
                self._post("ON_HAND", "QUARANTINE", -amount)
                self._post("QUARANTINE", "QUARANTINE", amount)
        elif self.status == "QUARANTINED" and to == "LIVE" and self.quarantine:
            amount = self.quarantine
            self._post("QUARANTINE", "RELEASE_FROM_QUARANTINE", -amount)
            self._post("ON_HAND", "RELEASE_FROM_QUARANTINE", amount)
        elif self.status == "QUARANTINED" and to == "CLOSED":
            for bucket in ("QUARANTINE", "DEFECTIVE"):
                amount = getattr(self, bucket.lower())
                if amount:
                    self._post(bucket, "DISPOSAL", -amount, reason="QUALITY_ISSUE",
                               location=self.location)  # fmt: skip
                    self._emit(ev.BatchDisposedV1, bucket=bucket, quantity=f"{amount:.4f}",
                               reason="QUALITY_ISSUE", location=self.location)  # fmt: skip
        self._status(to)
        self._commit()
        return True

    def delete(self) -> bool:
        if self.deleted_at is not None or self.physical or self.reserved or self.hold:
            return False
        if self.status not in ("CLOSED", "LIVE", "ON_HOLD", "SOLD_OUT", "QUARANTINED"):
            return False
        self._begin()
        if self.status != "CLOSED":
            self._status("CLOSED", "duplicate")
        self.deleted_at = self.clock
        self._emit(ev.BatchDeletedV1, reason="duplicate")
        self._commit()
        return True

    def _sellable(self) -> bool:
        return self.deleted_at is None and self.status in ("LIVE", "PHOTOGRAPHY_COMPLETE")

    def adjust(self, share: int, up: bool) -> bool:
        if self.deleted_at is not None or self.status in ("CLOSED", "SOLD_OUT", "QUARANTINED"):
            return False
        amount = _portion(Decimal(50) if up else self.available, share)
        if not amount:
            return False
        self._begin()
        change = amount if up else -amount
        self._post("ON_HAND", "ADJUSTMENT", change, reason="COUNT_DISCREPANCY",
                   location=self.location)  # fmt: skip
        self._emit(ev.BatchAdjustedV1, bucket="ON_HAND", adjustment=f"{change:.4f}",
                   reason="COUNT_DISCREPANCY", notes=None, location=self.location)  # fmt: skip
        self._commit()
        return True

    def reserve(self, share: int, order: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        reference = f"SO-{order}"
        ref = {"type": "ORDER", "id": reference}
        self.reservations[reference] = self.reservations.get(reference, Decimal(0)) + amount
        self._post("RESERVED", "RESERVE", amount, reference=ref)
        self._emit(ev.BatchReservedV1, reference=ref, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def release_reservation(self, share: int) -> bool:
        if not self.reservations or self.deleted_at is not None:
            return False
        reference, held = sorted(self.reservations.items())[0]
        amount = _portion(held, share) or held
        self._begin()
        ref = {"type": "ORDER", "id": reference}
        self.reservations[reference] = held - amount
        if not self.reservations[reference]:
            del self.reservations[reference]
        self._post("RESERVED", "RELEASE_RESERVATION", -amount, reference=ref)
        self._emit(ev.BatchReservationReleasedV1, reference=ref, quantity=f"{amount:.4f}",
                   remaining=f"{held - amount:.4f}")  # fmt: skip
        self._commit()
        return True

    def sell(self, share: int, from_reservation: bool) -> bool:
        if not self._sellable():
            return False
        reference, held = (
            sorted(self.reservations.items())[0]
            if from_reservation and self.reservations
            else ("SO-walk-in", Decimal(0))
        )
        amount = _portion(held + self.available, share)
        if not amount:
            return False
        consumed = min(amount, held)
        ref = {"type": "ORDER", "id": reference}
        self._begin()
        if consumed:
            self.reservations[reference] = held - consumed
            if not self.reservations[reference]:
                del self.reservations[reference]
            self._post("RESERVED", "SALE", -consumed, reference=ref)
        self._post("ON_HAND", "SALE", -amount, reference=ref, location=self.location)
        self._emit(ev.BatchSoldV1, reference=ref, quantity=f"{amount:.4f}",
                   from_reservation=f"{consumed:.4f}", location=self.location)  # fmt: skip
        self._commit()
        return True

    def receive_return(self, share: int, refund: bool) -> bool:
        if self.deleted_at is not None or self.status in ("AWAITING_INTAKE", "SOLD_OUT", "CLOSED"):
            return False
        amount = _portion(Decimal(20), share)
        if not amount:
            return False
        bucket = "QUARANTINE" if self.status == "QUARANTINED" else "ON_HAND"
        self._begin()
        kind = "REFUND_RETURN" if refund else "RETURN"
        self._post(bucket, kind, amount, location=self.location)
        self._emit(ev.BatchReturnedV1, refund=refund, bucket=bucket, quantity=f"{amount:.4f}",
                   location=self.location, reference=None)  # fmt: skip
        self._commit()
        return True

    def _out_of_available(
        self, share: int, kind: str, model: type[ev.BatchEventBase], **fields: Any
    ) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        extra = {"reason": fields.get("reason"), "location": self.location}
        self._post("ON_HAND", kind, -amount, **extra)
        self._emit(model, quantity=f"{amount:.4f}", location=self.location, **fields)
        self._commit()
        return True

    def sample(self, share: int) -> bool:
        return self._out_of_available(share, "SAMPLE", ev.BatchSampleSentV1, reference=None)

    def dispose(self, share: int) -> bool:
        return self._out_of_available(
            share, "DISPOSAL", ev.BatchDisposedV1, bucket="ON_HAND", reason="DAMAGED"
        )

    def consume(self, share: int) -> bool:
        """Drawn into another batch made from this one (inventory draws from LIVE,
        PHOTOGRAPHY_COMPLETE and ON_HOLD batches, out of what is available)."""
        amount = _portion(self.available, share)
        drawable = self.status in ("LIVE", "PHOTOGRAPHY_COMPLETE", "ON_HOLD")
        if self.deleted_at is not None or not drawable or not amount:
            return False
        into = uuid5(self.batch_id, f"made-from-{self.version}")
        self._begin()
        self._post("ON_HAND", "CONSUMPTION", -amount, location=self.location,
                   reference={"type": "BATCH", "id": str(into)})  # fmt: skip
        self._emit(ev.BatchConsumedV1, quantity=f"{amount:.4f}", into_batch_id=into)
        self._commit()
        return True

    def put_on_hold(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        self._post("HOLD", "HOLD", amount)
        self._emit(ev.BatchHeldV1, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def release_hold(self, share: int) -> bool:
        amount = _portion(self.hold, share) or self.hold
        if self.deleted_at is not None or not amount:
            return False
        self._begin()
        self._post("HOLD", "RELEASE_HOLD", -amount)
        self._emit(ev.BatchHoldReleasedV1, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def quarantine_part(self, share: int) -> bool:
        """Part of a LIVE batch's available on-hand into quarantine (the status stays)."""
        amount = _portion(self.available, share)
        if self.deleted_at is not None or self.status != "LIVE" or not amount:
            return False
        self._begin()
        self._post("ON_HAND", "QUARANTINE", -amount, notes="failed check")
        self._post("QUARANTINE", "QUARANTINE", amount, notes="failed check")
        self._emit(ev.BatchQuarantinedPartV1, quantity=f"{amount:.4f}", reason="failed check")
        self._commit()
        return True

    def release_quarantine_part(self, share: int) -> bool:
        amount = _portion(self.quarantine, share) or self.quarantine
        partly = self.status in ("LIVE", "PHOTOGRAPHY_COMPLETE", "ON_HOLD")
        if self.deleted_at is not None or not partly or not amount:
            return False
        self._begin()
        self._post("QUARANTINE", "RELEASE_FROM_QUARANTINE", -amount, notes="retest passed")
        self._post("ON_HAND", "RELEASE_FROM_QUARANTINE", amount, notes="retest passed")
        self._emit(ev.BatchQuarantinePartReleasedV1, quantity=f"{amount:.4f}",
                   reason="retest passed")  # fmt: skip
        self._commit()
        return True

    def mark_defective(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        self._post("ON_HAND", "DEFECTIVE", -amount, reason="DAMAGED")
        self._post("DEFECTIVE", "DEFECTIVE", amount, reason="DAMAGED")
        self._emit(ev.BatchMarkedDefectiveV1, source_bucket="ON_HAND", quantity=f"{amount:.4f}",
                   reason="DAMAGED")  # fmt: skip
        self._commit()
        return True

    def transfer(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        other = location(self.site, 1)
        self._begin()
        self._post("ON_HAND", "TRANSFER", -amount, location=self.location)
        self._post("ON_HAND", "TRANSFER", amount, location=other)
        self._emit(ev.BatchTransferredV1, bucket="ON_HAND", quantity=f"{amount:.4f}",
                   from_location=self.location, to_location=other)  # fmt: skip
        self._commit()
        return True

    def clear_out(self) -> bool:
        """Release every earmark and dispose of all stock, one operation each (then the batch
        can be closed and deleted)."""
        if not self._sellable():
            return False
        while self.reservations:
            self.release_reservation(10_000)
        if self.hold:
            self.release_hold(10_000)
        for bucket in ("ON_HAND", "QUARANTINE", "DEFECTIVE"):
            amount = getattr(self, bucket.lower())
            if amount:
                self._begin()
                self._post(bucket, "DISPOSAL", -amount, reason="EXPIRED", location=self.location)
                self._emit(ev.BatchDisposedV1, bucket=bucket, quantity=f"{amount:.4f}",
                           reason="EXPIRED", location=self.location)  # fmt: skip
                self._commit()
        return True

    def reprice(self, share: int, costs: dict[str, str | None]) -> bool:
        """Change the ticket (none when ``share`` is 0) and the costs (BatchUpdatedV1)."""
        if self.deleted_at is not None:
            return False
        self._begin()
        ticket = None if share == 0 else f"{Decimal(share) / 1000:.4f}"
        before = self.costs.get("ticket")
        self.costs = {**costs, "ticket": ticket}
        self._emit(ev.BatchUpdatedV1, changes={"ticket": {"before": before, "after": ticket}},
                   reason="repricing")  # fmt: skip
        self._commit()
        return True
