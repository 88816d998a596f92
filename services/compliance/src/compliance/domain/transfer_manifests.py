"""Outgoing transfer manifests, the compliance side (pure): the name that makes a Metrc template
findable again, and when a manifest's packages are settled.

Metrc's API takes an outgoing licensed transfer only as a template (METRC.md 4.11), and a POST
is not idempotent: the template is named after the inventory transfer's id, so a worker that
lost the answer finds it by name before it would send again (Metrc does not make names unique;
ours are, because the id is in them). The receiver accepts or rejects each package in Metrc's
UI; the manifest is settled when no package is still on its way, and so is each package's sale
(:func:`sale_settlements`: the ``TRANSFER_OUT`` inventory's SALE became). A manifest that
does not move (:func:`stalled`) is told to a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from compliance.domain.submissions import ManifestSettlement

__all__ = [
    "STALL_AFTER",
    "TEMPLATE_PREFIX",
    "ManifestState",
    "PackageOutcome",
    "PackageReport",
    "sale_settlements",
    "settlement",
    "stalled",
    "template_name",
    "templates_to_archive",
    "unregistered_message",
]

TEMPLATE_PREFIX: Final = "Canopy transfer "
STALL_AFTER: Final = timedelta(minutes=15)
"""How long a manifest may wait before a person is told (``COMPLIANCE_TRANSFER_STALL_SECONDS``):
a transfer planned right after its batch waits a round or two for the package's create, and
Metrc away for a few minutes drains by itself."""


class ManifestState(StrEnum):
    PENDING = "PENDING"
    """The transfer is planned; its Metrc template is not known to exist yet."""
    CREATED = "CREATED"
    """Metrc has the template (read back, its Id recorded): the manifest is synced."""
    SETTLED = "SETTLED"
    """The receiver decided every package; inventory was told."""
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    """Metrc refused the template (its message in ``last_error``)."""


def stalled(
    state: ManifestState, waiting_since: datetime | None, now: datetime, *, after: timedelta
) -> bool:
    """Whether a manifest needs a person: Metrc refused it (FAILED, at once: nothing retries
    it), or it has waited ``after`` or longer (``waiting_since``: since its packages were not
    all in Metrc, Metrc did not answer its rounds, or its license's keys could not be used). A
    settled or cancelled manifest, or one that moves, does not."""
    if state is ManifestState.FAILED:
        return True
    if state in (ManifestState.SETTLED, ManifestState.CANCELLED) or waiting_since is None:
        return False
    return now - waiting_since >= after


def unregistered_message(template: str) -> str:
    """A sent transfer's ``last_error`` while Metrc lists no manifest made from its template:
    Metrc has no API to register one, a person does it in Metrc's UI."""
    return (
        f"sent in Canopy, but Metrc has no manifest made from its template '{template}' yet: "
        "register the template as a manifest in Metrc's UI"
    )


def template_name(transfer_id: UUID) -> str:
    return f"{TEMPLATE_PREFIX}{transfer_id}"


def templates_to_archive(
    listed: Iterable[tuple[int, str | None]], *, name: str, recorded_id: int | None
) -> list[int]:
    """What a cancelled transfer still has to archive, read back from Metrc's list of active
    templates (``listed``: each one's Id and name): every one under the transfer's name (a POST
    whose answer was lost may have made one nobody recorded) and the recorded one, whatever it is
    called now. A template Metrc no longer lists is archived already (by a round whose answer
    was lost, or whose worker was killed before it saved): archiving it again would be refused
    ("already archived") and leave the manifest FAILED."""
    return sorted({i for i, named in listed if named == name or i == recorded_id})


@dataclass(frozen=True, kw_only=True)
class PackageReport:
    """A delivery package as Metrc shows it."""

    label: str
    state: str
    received_quantity: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class PackageOutcome:
    label: str
    accepted: bool
    received_quantity: Decimal | None = None


_ACCEPTED: Final = "accepted"
_BACK: Final = frozenset({"rejected", "returned"})


def settlement(packages: Iterable[PackageReport]) -> list[PackageOutcome] | None:
    """Each package's outcome, or None while any is still shipped (or none is listed)."""
    outcomes = []
    for package in packages:
        state = package.state.strip().lower()
        if state == _ACCEPTED:
            outcomes.append(
                PackageOutcome(
                    label=package.label,
                    accepted=True,
                    received_quantity=package.received_quantity,
                )
            )
        elif state in _BACK:
            outcomes.append(PackageOutcome(label=package.label, accepted=False))
        else:
            return None
    return outcomes or None


def sale_settlements(
    transfer_id: UUID,
    manifest_number: str | None,
    shipped: Mapping[str, UUID],
    outcomes: Iterable[PackageOutcome],
) -> dict[UUID, ManifestSettlement]:
    """How each shipped batch's sale settled, by batch id. ``shipped``: the transfer's batch
    per package tag; a package the manifest lists but the transfer does not is not ours."""
    return {
        shipped[o.label]: ManifestSettlement(
            transfer_id=transfer_id,
            manifest_number=manifest_number,
            accepted=o.accepted,
            received_quantity=o.received_quantity,
        )
        for o in outcomes
        if o.label in shipped
    }
