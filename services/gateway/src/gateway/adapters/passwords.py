"""Password hashing with argon2id, off the event loop (a hash costs tens of milliseconds of CPU)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import SecretStr

__all__ = ["PasswordHashing", "Verification"]


class Verification:
    """The outcome of checking a password: whether it matched, and a better hash if one is due."""

    __slots__ = ("matched", "new_hash")

    def __init__(self, *, matched: bool, new_hash: str | None = None) -> None:
        self.matched = matched
        self.new_hash = new_hash


class PasswordHashing:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified when the account does not exist, so a miss costs as long as a wrong password
        # and response times do not reveal which emails have accounts.
        self._decoy = self._hasher.hash("decoy password that matches nothing")

    async def hash(self, password: SecretStr) -> str:
        return await asyncio.to_thread(self._hasher.hash, password.get_secret_value())

    async def verify(self, stored_hash: str | None, password: SecretStr) -> Verification:
        return await asyncio.to_thread(self._verify, stored_hash, password.get_secret_value())

    def _verify(self, stored_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(stored_hash or self._decoy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(matched=False)
        if stored_hash is None:
            return Verification(matched=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verification(matched=True, new_hash=self._hasher.hash(password))
        return Verification(matched=True)
