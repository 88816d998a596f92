"""Who is calling: an access token (a user's session) or an API key, resolved to an Identity.

Verification is cheap on the hot path: the access token's signature is checked locally, and the
session or key behind it is read from the identity store at most once per cache period
(``GATEWAY_AUTH_CACHE_SECONDS``), so a revocation or a changed grant is seen within seconds.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.identity import Identity
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.adapters import identity_store as store
from gateway.adapters.access_tokens import AccessTokens, InvalidAccessTokenError
from gateway.domain import hash_secret, parse_api_key, permissions_of, secrets_equal
from gateway.domain.credentials import API_KEY_PREFIX
from gateway.errors import unauthenticated
from gateway.service_layer.cache import TtlCache

__all__ = ["Authenticated", "Authenticator"]


@dataclass(frozen=True)
class Authenticated:
    identity: Identity
    session_id: uuid.UUID | None = None
    api_key_id: str | None = None


@dataclass(frozen=True)
class _KeyEntry:
    record: store.ApiKeyRecord
    identity: Identity


class Authenticator:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        access_tokens: AccessTokens,
        cache_seconds: float,
        max_verified: int = 10_000,
    ) -> None:
        self._engine = engine
        self._tokens = access_tokens
        self._cache_seconds = cache_seconds
        self._sessions: TtlCache[Identity | None] = TtlCache(cache_seconds)
        self._keys: TtlCache[_KeyEntry | None] = TtlCache(cache_seconds)
        # Credentials already verified, by their exact text: a client sends the same token on
        # every request, and re-checking its signature each time cost more than forwarding.
        self._verified: dict[str, tuple[float, Authenticated]] = {}
        self._max_verified = max_verified

    async def bearer(self, token: str) -> Authenticated:
        if (known := self._recall(token)) is not None:
            return known
        if token.startswith(API_KEY_PREFIX + "_"):
            return await self.api_key(token)
        try:
            claims = self._tokens.verify(token)
        except InvalidAccessTokenError as error:
            raise unauthenticated(str(error)) from None
        identity = await self._sessions.get(
            claims.session_id, lambda: self._load_session(claims.session_id, claims.user_id)
        )
        if identity is None or identity.subject != str(claims.user_id):
            raise unauthenticated("The session has ended; log in again")
        authenticated = Authenticated(identity=identity, session_id=claims.session_id)
        remaining = (claims.expires_at - datetime.now(UTC)).total_seconds()
        self._remember(token, authenticated, min(self._cache_seconds, remaining))
        return authenticated

    def _recall(self, token: str) -> Authenticated | None:
        entry = self._verified.get(token)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._verified.pop(token, None)
            return None
        return entry[1]

    def _remember(self, token: str, authenticated: Authenticated, seconds: float) -> None:
        if seconds <= 0:
            return
        if len(self._verified) >= self._max_verified:
            self._verified.clear()
        self._verified[token] = (time.monotonic() + seconds, authenticated)

    async def api_key(self, token: str) -> Authenticated:
        if (known := self._recall(token)) is not None:
            return known
        parts = parse_api_key(token)
        if parts is None:
            raise unauthenticated("The API key is not valid")
        entry = await self._keys.get(parts.key_id, lambda: self._load_key(parts.key_id))
        if entry is None or not secrets_equal(entry.record.secret_hash, hash_secret(parts.secret)):
            raise unauthenticated("The API key is not valid")
        expires_at = entry.record.expires_at
        remaining = self._cache_seconds
        if expires_at is not None:
            left = (expires_at - datetime.now(UTC)).total_seconds()
            if left <= 0:
                raise unauthenticated("The API key has expired")
            remaining = min(remaining, left)
        authenticated = Authenticated(identity=entry.identity, api_key_id=parts.key_id)
        self._remember(token, authenticated, remaining)
        return authenticated

    def forget_session(self, session_id: uuid.UUID) -> None:
        self._sessions.forget(session_id)
        self._verified.clear()

    def forget_api_key(self, key_id: str) -> None:
        self._keys.forget(key_id)
        self._verified.clear()

    def forget_everything(self) -> None:
        """After a change of grants, so this process applies it at once (others within the TTL)."""
        self._sessions.clear()
        self._keys.clear()
        self._verified.clear()

    async def _load_session(self, session_id: uuid.UUID, user_id: uuid.UUID) -> Identity | None:
        async with self._engine.connect() as conn:
            principal = await store.session_principal(conn, session_id=session_id, user_id=user_id)
        if principal is None or principal.revoked or not principal.active:
            return None
        if principal.expires_at <= datetime.now(UTC):
            return None
        return Identity(
            subject=str(user_id),
            kind="user",
            display_name=principal.display_name,
            roles=principal.roles,
            permissions=tuple(sorted(permissions_of(principal.roles))),
            sites=principal.sites,
        )

    async def _load_key(self, key_id: str) -> _KeyEntry | None:
        async with self._engine.connect() as conn:
            record = await store.get_api_key(conn, key_id)
        if record is None or record.revoked_at is not None:
            return None
        identity = Identity(
            subject=f"api-key:{record.id}",
            kind="api_key",
            display_name=record.name,
            roles=record.roles,
            permissions=tuple(sorted(permissions_of(record.roles))),
            sites=record.sites,
        )
        return _KeyEntry(record=record, identity=identity)
