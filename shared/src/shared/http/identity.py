"""Verified identity tokens, remembered until they expire.

Checking an Ed25519 signature costs about 160 us, a tenth of an adjustment's whole budget. A
token is immutable: the same bytes verify the same way until their ``exp``, so a verified token
is kept (bounded, least recently used first out) and re-checked only for expiry. A token that
fails verification is never cached.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import jwt

from shared.identity import Identity, verify_identity_token

__all__ = ["VerifiedTokens"]


class VerifiedTokens:
    def __init__(self, public_key_pem: str, *, capacity: int = 10_000) -> None:
        self._key = public_key_pem
        self._capacity = capacity
        self._known: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    def verify(self, token: str) -> Identity:
        """The token's identity; UNAUTHENTICATED (401) when invalid or expired."""
        known = self._known.get(token)
        if known is not None:
            identity, expires = known
            if time.time() < expires:
                self._known.move_to_end(token)
                return identity
            del self._known[token]
        identity = verify_identity_token(token, self._key)
        # The signature is valid, so the claims can be read without checking it again.
        expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        self._known[token] = (identity, expires)
        if len(self._known) > self._capacity:
            self._known.popitem(last=False)
        return identity

    def clear(self) -> None:
        self._known.clear()
