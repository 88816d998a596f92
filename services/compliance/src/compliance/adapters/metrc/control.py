"""``MetrcControl``: what happens in Metrc's web UI, which its API cannot do, but tests need.

A user puts a package on hold or releases it, registers a transfer template as a manifest, and the
recipient accepts or rejects a delivery. The sandbox does these through its admin API, the fake in
memory; a test drives either through this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

__all__ = ["MetrcControl", "SentTransfer"]


@dataclass(frozen=True)
class SentTransfer:
    """The manifest a template became: its Id, its number, and one delivery per destination."""

    transfer_id: int
    manifest_number: str
    delivery_ids: list[int]


class MetrcControl(Protocol):
    async def hold_package(self, label: str) -> None: ...

    async def release_package(self, label: str) -> None: ...

    async def send_transfer_template(self, template_id: int) -> SentTransfer:
        """Register the template as a manifest: its packages leave for the recipients."""
        ...

    async def receive_delivery(self, delivery_id: int, *, accept: bool) -> None:
        """Accepted packages become the recipient's; rejected ones go back to the shipper."""
        ...

    async def receive_delivery_packages(
        self, delivery_id: int, decisions: dict[str, Decimal | None]
    ) -> None:
        """Partial acceptance: each named package accepted with the quantity given (``None``:
        rejected); packages not named are accepted as shipped."""
        ...
