"""User accounts and API keys: create, grant roles and sites, list, disable, revoke.

Every grant change clears this process's authentication cache, so it applies at once here (and
within ``GATEWAY_AUTH_CACHE_SECONDS`` in other gateway processes).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr
from shared.errors import ServiceError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.adapters import identity_store as store
from gateway.adapters.passwords import PasswordHashing
from gateway.domain import Role, hash_secret, new_api_key
from gateway.service_layer.authenticate import Authenticator
from gateway.service_layer.sessions import normalize_email

__all__ = ["AccountService", "CreatedApiKey", "user_not_found"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedApiKey:
    record: store.ApiKeyRecord
    key: SecretStr


def user_not_found(user_id: uuid.UUID) -> ServiceError:
    return ServiceError(
        "USER_NOT_FOUND", "No user has this id", status=404, details={"user_id": str(user_id)}
    )


def _roles(names: Sequence[str]) -> list[str]:
    # The request models already restrict roles to Role; this guards the command line too.
    unknown = sorted(set(names) - {role.value for role in Role})
    if unknown:
        raise ServiceError(
            "UNKNOWN_ROLE",
            "Unknown role(s): " + ", ".join(unknown),
            status=422,
            details={"roles": unknown},
        )
    return sorted(set(names))


class AccountService:
    def __init__(
        self, *, engine: AsyncEngine, passwords: PasswordHashing, authenticator: Authenticator
    ) -> None:
        self._engine = engine
        self._passwords = passwords
        self._authenticator = authenticator

    async def create_user(
        self,
        *,
        email: str,
        password: SecretStr,
        display_name: str | None,
        roles: Sequence[str],
        sites: Sequence[str],
    ) -> store.UserRecord:
        email = normalize_email(email)
        role_names = _roles(roles)
        password_hash = await self._passwords.hash(password)
        user_id = uuid.uuid4()
        now = datetime.now(UTC)
        try:
            async with self._engine.begin() as conn:
                await store.insert_user(
                    conn,
                    user_id=user_id,
                    email=email,
                    display_name=display_name or email,
                    password_hash=password_hash,
                    now=now,
                )
                await store.set_user_roles(conn, user_id, role_names)
                await store.set_user_sites(conn, user_id, sorted(set(sites)))
                user = await store.get_user(conn, user_id)
        except IntegrityError:
            raise ServiceError(
                "USER_EXISTS", "A user with this email already exists", status=409
            ) from None
        assert user is not None
        log.info("user %s created with roles %s", user_id, ",".join(role_names))
        return user

    async def user(self, user_id: uuid.UUID) -> store.UserRecord:
        async with self._engine.connect() as conn:
            user = await store.get_user(conn, user_id)
        if user is None:
            raise user_not_found(user_id)
        return user

    async def user_by_email(self, email: str) -> store.UserRecord | None:
        async with self._engine.connect() as conn:
            return await store.get_user_by_email(conn, normalize_email(email))

    async def users(self, *, limit: int, offset: int) -> tuple[list[store.UserRecord], int]:
        async with self._engine.connect() as conn:
            return await store.list_users(conn, limit=limit, offset=offset)

    async def set_roles(self, user_id: uuid.UUID, roles: Sequence[str]) -> store.UserRecord:
        names = _roles(roles)
        async with self._engine.begin() as conn:
            if await store.get_user(conn, user_id, for_update=True) is None:
                raise user_not_found(user_id)
            await store.set_user_roles(conn, user_id, names)
            await store.update_user(conn, user_id, now=datetime.now(UTC))
            user = await store.get_user(conn, user_id)
        self._authenticator.forget_everything()
        assert user is not None
        return user

    async def set_sites(self, user_id: uuid.UUID, sites: Sequence[str]) -> store.UserRecord:
        async with self._engine.begin() as conn:
            if await store.get_user(conn, user_id, for_update=True) is None:
                raise user_not_found(user_id)
            await store.set_user_sites(conn, user_id, sorted(set(sites)))
            await store.update_user(conn, user_id, now=datetime.now(UTC))
            user = await store.get_user(conn, user_id)
        self._authenticator.forget_everything()
        assert user is not None
        return user

    async def update_user(
        self,
        user_id: uuid.UUID,
        *,
        display_name: str | None = None,
        active: bool | None = None,
        password: SecretStr | None = None,
    ) -> store.UserRecord:
        password_hash = await self._passwords.hash(password) if password is not None else None
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            if await store.get_user(conn, user_id, for_update=True) is None:
                raise user_not_found(user_id)
            await store.update_user(
                conn,
                user_id,
                now=now,
                display_name=display_name,
                active=active,
                password_hash=password_hash,
            )
            # A disabled account or a new password ends every open session of the user.
            if active is False or password_hash is not None:
                await store.revoke_user_sessions(conn, user_id, now=now, reason="account_changed")
            user = await store.get_user(conn, user_id)
        self._authenticator.forget_everything()
        assert user is not None
        return user

    async def create_api_key(
        self,
        *,
        name: str,
        roles: Sequence[str],
        sites: Sequence[str],
        created_by: uuid.UUID | None,
        expires_at: datetime | None,
    ) -> CreatedApiKey:
        parts = new_api_key()
        record = store.ApiKeyRecord(
            id=parts.key_id,
            name=name,
            secret_hash=hash_secret(parts.secret),
            roles=tuple(_roles(roles)),
            sites=tuple(sorted(set(sites))),
            created_by=created_by,
            created_at=datetime.now(UTC),
            expires_at=expires_at,
            revoked_at=None,
        )
        async with self._engine.begin() as conn:
            await store.insert_api_key(conn, record)
        log.info("API key %s created", record.id)
        return CreatedApiKey(record=record, key=SecretStr(parts.token))

    async def api_keys(self, *, limit: int, offset: int) -> tuple[list[store.ApiKeyRecord], int]:
        async with self._engine.connect() as conn:
            return await store.list_api_keys(conn, limit=limit, offset=offset)

    async def revoke_api_key(self, key_id: str) -> None:
        async with self._engine.begin() as conn:
            existing = await store.get_api_key(conn, key_id)
            if existing is None:
                raise ServiceError(
                    "API_KEY_NOT_FOUND",
                    "No API key has this id",
                    status=404,
                    details={"key_id": key_id},
                )
            await store.revoke_api_key(conn, key_id, datetime.now(UTC))
        self._authenticator.forget_api_key(key_id)
        log.info("API key %s revoked", key_id)
