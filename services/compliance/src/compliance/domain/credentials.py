"""Metrc credentials of a license: the vendor and user API keys, sealed, and their status.

The keys never exist here in clear: :class:`SealedSecret` is the authenticated ciphertext the
credentials cipher produced (``adapters/credentials_crypto.py``), tagged with the id of the key
that sealed it so keys can rotate. What the API may show of a key is its *hint* (the last four
characters), never more.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

__all__ = ["KeyStatus", "LicenseCredentials", "SealedSecret", "key_hint"]


class KeyStatus(StrEnum):
    UNVALIDATED = "UNVALIDATED"
    VALID = "VALID"
    INVALID = "INVALID"


@dataclass(frozen=True)
class SealedSecret:
    """A secret encrypted at rest: the sealing key's id and ``nonce || ciphertext || tag``.

    Stored as text: ``<key_id>:<base64>``.
    """

    key_id: str
    blob: bytes

    def to_text(self) -> str:
        return f"{self.key_id}:{base64.b64encode(self.blob).decode()}"

    @classmethod
    def from_text(cls, text: str) -> SealedSecret:
        key_id, sep, data = text.rpartition(":")
        if not sep or not key_id:
            raise ValueError("not a sealed secret")
        try:
            return cls(key_id, base64.b64decode(data, validate=True))
        except binascii.Error as error:
            raise ValueError("not a sealed secret") from error

    def __repr__(self) -> str:
        return f"SealedSecret(key_id={self.key_id!r}, {len(self.blob)} bytes)"


def key_hint(secret: str) -> str:
    """What may be shown of a key: its last four characters, if it is long enough to spare them."""
    return f"…{secret[-4:]}" if len(secret) >= 16 else "…"


@dataclass(frozen=True, kw_only=True)
class LicenseCredentials:
    """The keys of one license (Metrc facility) and what the last validation found.

    Attributes:
        vendor_key, user_key: sealed; Basic auth sends ``vendor:user``.
        vendor_key_hint, user_key_hint: the last characters, for the operator to recognise them.
        status, validated_at, validation_message: the guide's green check (or why not).
        expires_at: when the user key is expected to expire (the operator's date, or an
            estimate from the save date); a warning is raised ahead of it.
        notify_emails: where this license's notifications are mailed.
    """

    license_number: str
    state: str
    vendor_key: SealedSecret
    user_key: SealedSecret
    vendor_key_hint: str
    user_key_hint: str
    saved_at: datetime
    saved_by: str
    status: KeyStatus = KeyStatus.UNVALIDATED
    validated_at: datetime | None = None
    validation_message: str | None = None
    expires_at: datetime | None = None
    notify_emails: tuple[str, ...] = ()

    def validated(self, at: datetime, *, valid: bool, message: str | None) -> LicenseCredentials:
        return replace(
            self,
            status=KeyStatus.VALID if valid else KeyStatus.INVALID,
            validated_at=at,
            validation_message=message,
        )

    def resealed(self, vendor_key: SealedSecret, user_key: SealedSecret) -> LicenseCredentials:
        return replace(self, vendor_key=vendor_key, user_key=user_key)
