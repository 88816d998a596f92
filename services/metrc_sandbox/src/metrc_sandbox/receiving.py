"""The receiving facility's decision on a delivery, package by package: what Metrc's web UI does
and its API cannot (METRC.md 4.11). Accepted packages move to the recipient with the quantity it
received; rejected ones go back to the shipper's active inventory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from metrc_sandbox.lifecycle import LifecycleError
from metrc_sandbox.store import SandboxState, Tx


@dataclass(frozen=True)
class Decision:
    accept: bool
    received_quantity: Decimal | None = None  # None: as shipped


def receive(
    state: SandboxState, delivery_id: int, decisions: Mapping[str, Decision]
) -> dict[str, Any]:
    """Receive a delivery; packages ``decisions`` does not name are accepted as shipped."""
    delivery = state.deliveries.get(delivery_id)
    if delivery is None:
        raise LifecycleError(404, f"no delivery {delivery_id}")
    if delivery.received_date_time is not None:
        raise LifecycleError(409, f"delivery {delivery_id} was already received")
    labels = {}
    for entry in delivery.packages:
        package = state.packages.get(entry.package_id)
        assert package is not None
        labels[package.label] = entry
    unknown = sorted(set(decisions) - set(labels))
    if unknown:
        raise LifecycleError(422, f"not on delivery {delivery_id}: {', '.join(unknown)}")
    for label, decision in decisions.items():
        if decision.received_quantity is not None and (
            not decision.accept or decision.received_quantity <= 0
        ):
            raise LifecycleError(
                422, f"{label}: a received quantity must be positive, on an accepted package"
            )
    transfer = state.transfers.get(delivery.transfer_id)
    assert transfer is not None
    tx = Tx(state)
    received = []
    counts = {"Accepted": 0, "Rejected": 0}
    for label, entry in labels.items():
        decision = decisions.get(label, Decision(accept=True))
        package = state.packages.get(entry.package_id)
        assert package is not None
        tx.touch(package)
        package.status = "active"
        outcome = "Accepted" if decision.accept else "Rejected"
        counts[outcome] += 1
        quantity = None
        if decision.accept:
            quantity = decision.received_quantity or entry.shipped_quantity
            package.facility_id = delivery.recipient_facility_id
            package.quantity = quantity
            package.location_id = None
            package.received_from_manifest_number = transfer.manifest_number
            package.received_from_facility_id = delivery.facility_id
            package.received_date_time = tx.now
        received.append(replace(entry, state=outcome, received_quantity=quantity))
    tx.touch(delivery)
    delivery.packages = tuple(received)
    delivery.received_date_time = tx.now
    tx.touch(transfer)
    state_name = "Accepted" if not counts["Rejected"] else "Rejected"
    if counts["Accepted"] and counts["Rejected"]:
        state_name = "PartiallyAccepted"
    return {
        "delivery_id": delivery.id,
        "state": state_name,
        "packages": len(received),
        "accepted": counts["Accepted"],
        "rejected": counts["Rejected"],
    }


def receive_all(state: SandboxState, delivery_id: int, *, accept: bool) -> dict[str, Any]:
    """Accept every package as shipped, or reject every one."""
    delivery = state.deliveries.get(delivery_id)
    if delivery is None:
        raise LifecycleError(404, f"no delivery {delivery_id}")
    packages = [state.packages.get(entry.package_id) for entry in delivery.packages]
    decision = Decision(accept=accept)
    outcome = receive(state, delivery_id, {p.label: decision for p in packages if p is not None})
    return {key: outcome[key] for key in ("delivery_id", "state", "packages")}
