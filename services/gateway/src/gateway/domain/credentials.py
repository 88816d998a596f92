"""Formats of the secrets the gateway hands out, and how they are stored (hashed, never in clear).

Refresh tokens and API key secrets are 256 random bits, so a plain SHA-256 is enough to store
them: nobody can brute-force the preimage of a uniformly random 256-bit value, and a fast hash
keeps the lookup on every API-key request cheap. Passwords are different (people choose them) and
go through argon2id instead (:mod:`gateway.adapters.passwords`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = [
    "API_KEY_PREFIX",
    "ApiKeyParts",
    "hash_secret",
    "new_api_key",
    "new_refresh_token",
    "parse_api_key",
    "secrets_equal",
]

API_KEY_PREFIX = "cnp"
_REFRESH_PREFIX = "rt"
_KEY_ID_BYTES = 6
_SECRET_BYTES = 32


@dataclass(frozen=True)
class ApiKeyParts:
    """An API key as handed out, ``cnp_<key id>_<secret>``: the id is public, the secret is not."""

    key_id: str
    secret: str

    def __repr__(self) -> str:
        return f"ApiKeyParts(key_id={self.key_id!r}, secret='**********')"

    @property
    def token(self) -> str:
        return f"{API_KEY_PREFIX}_{self.key_id}_{self.secret}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secrets_equal(left: str, right: str) -> bool:
    """Constant-time comparison, so timing does not tell how much of a guess was right."""
    return hmac.compare_digest(left.encode(), right.encode())


def new_api_key() -> ApiKeyParts:
    return ApiKeyParts(
        key_id=secrets.token_hex(_KEY_ID_BYTES), secret=secrets.token_urlsafe(_SECRET_BYTES)
    )


def parse_api_key(token: str) -> ApiKeyParts | None:
    """The parts of a presented key, or None when it does not have the key format at all."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != API_KEY_PREFIX or len(key_id) != 2 * _KEY_ID_BYTES or not secret:
        return None
    if any(c not in "0123456789abcdef" for c in key_id):
        return None
    return ApiKeyParts(key_id=key_id, secret=secret)


def new_refresh_token() -> str:
    return f"{_REFRESH_PREFIX}_{secrets.token_urlsafe(_SECRET_BYTES)}"
