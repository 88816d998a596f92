"""Log in, refresh, log out: sessions whose refresh tokens rotate on every use.

A session is one login. Each refresh spends the presented refresh token and issues the next one
in the same session; presenting a spent token again means it was copied, so the whole session is
revoked (the thief's and the owner's copies alike) and both must log in again.

Failed logins are counted per account and per client address in the identity store; past the
limit, attempts are refused with 429 and Retry-After before the password is even checked.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum, auto

from pydantic import SecretStr
from shared.errors import ServiceError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.adapters import identity_store as store
from gateway.adapters.access_tokens import AccessTokens
from gateway.adapters.passwords import PasswordHashing
from gateway.domain import hash_secret, new_refresh_token
from gateway.errors import invalid_credentials, too_many_attempts
from gateway.service_layer.authenticate import Authenticator

__all__ = ["LoginLimits", "SessionService", "TokenPair"]

log = logging.getLogger(__name__)

_PURGE_INTERVAL_SECONDS = 600.0
_KEEP_ATTEMPTS = timedelta(days=7)
_KEEP_ENDED_SESSIONS = timedelta(days=7)


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int
    ip_max_failures: int
    window: timedelta
    session_lifetime: timedelta


@dataclass(frozen=True)
class TokenPair:
    access_token: SecretStr
    refresh_token: SecretStr
    access_expires_in: int
    refresh_expires_at: datetime
    user: store.UserRecord
    session_id: uuid.UUID


class _Refresh(Enum):
    OK = auto()
    UNKNOWN = auto()
    REUSED = auto()
    ENDED = auto()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class SessionService:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        passwords: PasswordHashing,
        access_tokens: AccessTokens,
        authenticator: Authenticator,
        limits: LoginLimits,
    ) -> None:
        self._engine = engine
        self._passwords = passwords
        self._tokens = access_tokens
        self._authenticator = authenticator
        self._limits = limits
        self._next_purge = 0.0

    async def login(self, *, email: str, password: SecretStr, client_ip: str) -> TokenPair:
        email = normalize_email(email)
        now = datetime.now(UTC)
        since = now - self._limits.window
        pair: TokenPair | None = None
        async with self._engine.begin() as conn:
            await store.lock_account(conn, email)
            refusal = self._locked_out(
                await store.recent_account_failures(conn, email, since),
                self._limits.max_failures,
                now,
                "account",
            ) or self._locked_out(
                await store.count_ip_failures(conn, client_ip, since),
                self._limits.ip_max_failures,
                now,
                "client",
            )
            if refusal is not None:
                log.warning("login refused: too many failures (%s)", refusal.details["scope"])
                raise refusal
            user = await store.get_user_by_email(conn, email)
            usable = user if user is not None and user.active else None
            checked = await self._passwords.verify(
                usable.password_hash if usable else None, password
            )
            await store.record_login_attempt(
                conn, email=email, ip=client_ip, succeeded=checked.matched, now=now
            )
            if checked.matched and usable is not None:
                if checked.new_hash is not None:
                    await store.update_user(
                        conn, usable.id, now=now, password_hash=checked.new_hash
                    )
                pair = await self._open_session(conn, usable, now)
        # Outside the transaction: the failed attempt above must be committed, not rolled back.
        await self._purge_now_and_then(now)
        if pair is None:
            log.info("login failed")
            raise invalid_credentials()
        log.info("login succeeded for user %s", pair.user.id)
        return pair

    async def _purge_now_and_then(self, now: datetime) -> None:
        # Logins are what add rows, so they also take the old ones away; at most every ten
        # minutes per process, in a transaction of its own.
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + _PURGE_INTERVAL_SECONDS
        try:
            async with self._engine.begin() as conn:
                await store.purge_expired(
                    conn,
                    attempts_before=now - max(self._limits.window, _KEEP_ATTEMPTS),
                    sessions_before=now - _KEEP_ENDED_SESSIONS,
                )
        except SQLAlchemyError:
            # Housekeeping only: the login itself is done; the next one tries again.
            log.warning("purging old login attempts and sessions failed", exc_info=True)
            self._next_purge = 0.0

    @staticmethod
    def _locked_out(
        failures: list[datetime], limit: int, now: datetime, scope: str
    ) -> ServiceError | None:
        if len(failures) < limit:
            return None
        # The lock lifts when the limit-th most recent failure leaves the window.
        window_end = failures[limit - 1]
        return too_many_attempts(max(1, int((window_end - now).total_seconds()) + 1), scope)

    async def _open_session(
        self, conn: AsyncConnection, user: store.UserRecord, now: datetime
    ) -> TokenPair:
        session_id = uuid.uuid4()
        expires_at = now + self._limits.session_lifetime
        await store.insert_session(
            conn, session_id=session_id, user_id=user.id, now=now, expires_at=expires_at
        )
        return await self._issue(conn, user, session_id, expires_at, now)

    async def _issue(
        self,
        conn: AsyncConnection,
        user: store.UserRecord,
        session_id: uuid.UUID,
        session_expires_at: datetime,
        now: datetime,
    ) -> TokenPair:
        refresh = new_refresh_token()
        await store.insert_refresh_token(
            conn,
            session_id=session_id,
            token_hash=hash_secret(refresh),
            now=now,
            expires_at=session_expires_at,
        )
        access = self._tokens.issue(user_id=user.id, session_id=session_id)
        return TokenPair(
            access_token=SecretStr(access),
            refresh_token=SecretStr(refresh),
            access_expires_in=int(self._tokens.ttl.total_seconds()),
            refresh_expires_at=session_expires_at,
            user=user,
            session_id=session_id,
        )

    async def refresh(self, refresh_token: SecretStr) -> TokenPair:
        now = datetime.now(UTC)
        outcome = _Refresh.UNKNOWN
        pair: TokenPair | None = None
        async with self._engine.begin() as conn:
            record = await store.find_refresh_token(
                conn, hash_secret(refresh_token.get_secret_value())
            )
            if record is None:
                outcome = _Refresh.UNKNOWN
            elif record.used_at is not None:
                outcome = _Refresh.REUSED
                await store.revoke_session(
                    conn, record.session_id, now=now, reason="refresh_token_reuse"
                )
            elif (
                record.session_revoked_at is not None
                or record.session_expires_at <= now
                or record.expires_at <= now
                or not record.user_active
            ):
                outcome = _Refresh.ENDED
            else:
                user = await store.get_user(conn, record.user_id)
                assert user is not None  # the session's foreign key guarantees it
                await store.mark_refresh_used(conn, record.id, now)
                pair = await self._issue(
                    conn, user, record.session_id, record.session_expires_at, now
                )
                outcome = _Refresh.OK
        if outcome is _Refresh.REUSED and record is not None:
            self._authenticator.forget_session(record.session_id)
            log.warning("refresh token reused: session %s revoked", record.session_id)
            raise ServiceError(
                "REFRESH_TOKEN_REUSED",
                "This refresh token was already used; the session has been ended for safety."
                " Log in again",
                status=401,
            )
        if pair is None:
            raise ServiceError(
                "INVALID_REFRESH_TOKEN",
                "The refresh token is not valid or its session has ended; log in again",
                status=401,
            )
        return pair

    async def logout(self, session_id: uuid.UUID) -> None:
        async with self._engine.begin() as conn:
            await store.revoke_session(conn, session_id, now=datetime.now(UTC), reason="logout")
        self._authenticator.forget_session(session_id)
        log.info("session %s ended by logout", session_id)
