"""Authenticated encryption of the Metrc API keys at rest (AES-256-GCM, rotating keys).

The keyring comes from settings (``COMPLIANCE_CREDENTIAL_KEYS``, a ``SecretStr``): comma-separated
``<key id>:<base64 of 32 random bytes>`` entries, the **first** being the current key. New
secrets are sealed with the current key; any key of the ring opens what it sealed, so rotation
is: put a new key first, keep the old ones after it, run the re-seal (``CredentialsService.rotate``),
then drop the old keys.

Each sealed secret is ``key id`` + ``nonce (12 random bytes) || ciphertext || tag (16 bytes)``.
The associated data binds the key id and a *context* (the license and the field), so a
ciphertext copied onto another license's row, or from the user key to the vendor key, does not
open. A wrong key, a changed byte or a wrong context all fail the same way
(``SecretUnreadableError``), saying nothing about the secret. No key and no secret is ever in a
repr, an exception or a log line.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from compliance.domain import SealedSecret
from compliance.service_layer.ports import SecretUnreadableError

__all__ = ["CredentialCipher", "InvalidKeyringError", "generate_key"]

KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class InvalidKeyringError(ValueError):
    """The configured keyring is malformed (the message never contains key material)."""


def generate_key() -> str:
    """A new random key for the keyring, base64-encoded."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


class CredentialCipher:
    """Implements ``SecretCipher``."""

    def __init__(self, keys: Mapping[str, bytes], *, current: str) -> None:
        if current not in keys:
            raise InvalidKeyringError("the current key id is not in the keyring")
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id):
                raise InvalidKeyringError(f"key id {key_id!r} must be 1-64 of A-Z a-z 0-9 _ . -")
            if len(key) != KEY_BYTES:
                raise InvalidKeyringError(f"key {key_id!r} must be {KEY_BYTES} bytes")
        self._current = current
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}

    @classmethod
    def from_keyring(cls, keyring: SecretStr) -> CredentialCipher:
        """Parse ``id:base64[,id:base64...]``; the first entry is the current key."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for entry in keyring.get_secret_value().split(","):
            key_id, sep, encoded = entry.strip().partition(":")
            if not sep:
                raise InvalidKeyringError("each keyring entry must be <key id>:<base64 key>")
            if key_id in keys:
                raise InvalidKeyringError(f"key id {key_id!r} appears twice")
            try:
                keys[key_id] = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise InvalidKeyringError(f"key {key_id!r} is not base64") from None
            order.append(key_id)
        if not order:
            raise InvalidKeyringError("the keyring is empty")
        return cls(keys, current=order[0])

    @property
    def current_key_id(self) -> str:
        return self._current

    def seal(self, secret: SecretStr, *, context: str) -> SealedSecret:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self._current].encrypt(
            nonce, secret.get_secret_value().encode(), _associated(self._current, context)
        )
        return SealedSecret(self._current, nonce + sealed)

    def open(self, sealed: SealedSecret, *, context: str) -> SecretStr:
        aead = self._aead.get(sealed.key_id)
        if aead is None or len(sealed.blob) < NONCE_BYTES + TAG_BYTES:
            raise SecretUnreadableError("the secret cannot be opened with the configured keys")
        nonce, body = sealed.blob[:NONCE_BYTES], sealed.blob[NONCE_BYTES:]
        try:
            plain = aead.decrypt(nonce, body, _associated(sealed.key_id, context))
        except InvalidTag:
            raise SecretUnreadableError(
                "the secret cannot be opened with the configured keys"
            ) from None
        return SecretStr(plain.decode())

    def needs_reseal(self, sealed: SealedSecret) -> bool:
        return sealed.key_id != self._current

    def __repr__(self) -> str:
        return f"CredentialCipher(current={self._current!r}, keys={len(self._aead)})"


def _associated(key_id: str, context: str) -> bytes:
    return f"canopy-credential:v1:{key_id}:{context}".encode()
