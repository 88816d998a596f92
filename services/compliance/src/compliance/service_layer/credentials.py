"""Metrc API keys: saved sealed, validated against Metrc (the guide's green check), rotated to a
new encryption key, and watched for expiry. A key is never returned or logged; what callers get
back is a :class:`CredentialsView` with the keys' hints (last four characters)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from pydantic import SecretStr

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcError
from compliance.domain import (
    ComplianceError,
    Direction,
    KeyStatus,
    LicenseCredentials,
    Notification,
    NotificationKind,
    Problem,
    ProblemCode,
    Severity,
    SyncStatus,
    key_hint,
    problem,
)
from compliance.service_layer.commands import SaveCredentials, ValidateCredentials
from compliance.service_layer.context import (
    ServiceContext,
    key_invalid_key,
    user_key_context,
    vendor_key_context,
)
from compliance.service_layer.errors import credentials_not_found

__all__ = [
    "CredentialsService",
    "CredentialsView",
    "InvalidCredentialsError",
    "MetrcUnavailableError",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_KEY_LENGTH = 512


class InvalidCredentialsError(ComplianceError):
    code = "INVALID_CREDENTIALS"


class MetrcUnavailableError(ComplianceError):
    code = "METRC_UNAVAILABLE"


@dataclass(frozen=True, kw_only=True)
class CredentialsView:
    """What may be shown of a license's credentials."""

    license_number: str
    state: str
    vendor_key_hint: str
    user_key_hint: str
    status: KeyStatus
    validated_at: datetime | None
    validation_message: str | None
    expires_at: datetime | None
    notify_emails: tuple[str, ...]
    saved_at: datetime
    saved_by: str

    @classmethod
    def of(cls, c: LicenseCredentials) -> CredentialsView:
        return cls(
            license_number=c.license_number,
            state=c.state,
            vendor_key_hint=c.vendor_key_hint,
            user_key_hint=c.user_key_hint,
            status=c.status,
            validated_at=c.validated_at,
            validation_message=c.validation_message,
            expires_at=c.expires_at,
            notify_emails=c.notify_emails,
            saved_at=c.saved_at,
            saved_by=c.saved_by,
        )


class CredentialsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def save(self, cmd: SaveCredentials) -> CredentialsView:
        """Seal and store the keys, then validate them against Metrc (as the guide asks)."""
        ctx = self._ctx
        license_number, vendor, user = _checked(cmd)
        now = ctx.now()
        record = LicenseCredentials(
            license_number=license_number,
            state=cmd.state.strip().upper(),
            vendor_key=ctx.cipher.seal(vendor, context=vendor_key_context(license_number)),
            user_key=ctx.cipher.seal(user, context=user_key_context(license_number)),
            vendor_key_hint=key_hint(vendor.get_secret_value()),
            user_key_hint=key_hint(user.get_secret_value()),
            saved_at=now,
            saved_by=cmd.actor,
            expires_at=cmd.expires_at or now + ctx.policy.key_lifetime,
            notify_emails=tuple(e.strip() for e in cmd.notify_emails),
        )
        async with ctx.uow() as uow:
            await uow.credentials.save(record)
            await uow.notifications.resolve(f"key-missing:{license_number}", now)
            await uow.commit()
        ctx.catalogs.forget(license_number)
        try:
            return await self.validate(
                ValidateCredentials(license_number=license_number, actor=cmd.actor)
            )
        except MetrcUnavailableError:
            return CredentialsView.of(record)

    async def validate(self, cmd: ValidateCredentials) -> CredentialsView:
        """Ask Metrc which facilities the keys reach. The license among them: VALID. A 401, or
        the license not among them: INVALID, and the compliance team is told. Metrc not
        answering changes nothing (``METRC_UNAVAILABLE``)."""
        ctx = self._ctx
        started = ctx.now()
        opened = await ctx.metrc_for(cmd.license_number, even_if_invalid=True)
        if isinstance(opened, Problem) and opened.code is ProblemCode.CREDENTIALS_MISSING:
            raise credentials_not_found(cmd.license_number)
        valid, message = False, ""
        if isinstance(opened, Problem):
            message = opened.message
        else:
            try:
                facilities = await opened.list_facilities()
            except MetrcAuthError as error:
                message = f"Metrc refused the keys: {error.message}"
            except MetrcError as error:
                await self._log(
                    cmd,
                    started,
                    SyncStatus.FAILED,
                    problem(ProblemCode.METRC_UNAVAILABLE, error.message),
                )
                raise MetrcUnavailableError(f"Metrc did not answer: {error.message}") from None
            else:
                valid = any(f.license_number == cmd.license_number for f in facilities)
                if not valid:
                    message = f"These keys do not give access to facility {cmd.license_number}."
        now = ctx.now()
        async with ctx.uow() as uow:
            record = await uow.credentials.get(cmd.license_number)
            if record is None:
                raise credentials_not_found(cmd.license_number)
            record = record.validated(now, valid=valid, message=message or None)
            await uow.credentials.save(record)
            if valid:
                await uow.notifications.resolve(key_invalid_key(cmd.license_number), now)
            else:
                await ctx.notify_keys_invalid(uow, cmd.license_number, message, now=now)
            await uow.commit()
        ctx.catalogs.forget(cmd.license_number)
        refused = None if valid else problem(ProblemCode.CREDENTIALS_INVALID, message)
        await self._log(cmd, started, SyncStatus.SUCCESS if valid else SyncStatus.REJECTED, refused)
        return CredentialsView.of(record)

    async def get(self, license_number: str) -> CredentialsView:
        async with self._ctx.uow() as uow:
            record = await uow.credentials.get(license_number)
        if record is None:
            raise credentials_not_found(license_number)
        return CredentialsView.of(record)

    async def all(self) -> list[CredentialsView]:
        async with self._ctx.uow() as uow:
            records = await uow.credentials.all()
        return sorted((CredentialsView.of(r) for r in records), key=lambda v: v.license_number)

    async def rotate(self) -> int:
        """Re-seal every key not sealed with the current encryption key; returns how many
        licenses were re-sealed. Old keys must stay configured until this has run."""
        ctx = self._ctx
        count = 0
        async with ctx.uow() as uow:
            for record in await uow.credentials.all():
                if not (
                    ctx.cipher.needs_reseal(record.vendor_key)
                    or ctx.cipher.needs_reseal(record.user_key)
                ):
                    continue
                license_number = record.license_number
                vendor = ctx.cipher.open(
                    record.vendor_key, context=vendor_key_context(license_number)
                )
                user = ctx.cipher.open(record.user_key, context=user_key_context(license_number))
                await uow.credentials.save(
                    record.resealed(
                        ctx.cipher.seal(vendor, context=vendor_key_context(license_number)),
                        ctx.cipher.seal(user, context=user_key_context(license_number)),
                    )
                )
                count += 1
            await uow.commit()
        return count

    async def warn_expiring(self) -> int:
        """Raise a notification for each user key that expires within the warning period."""
        ctx = self._ctx
        now = ctx.now()
        raised = 0
        async with ctx.uow() as uow:
            for record in await uow.credentials.all():
                expires = record.expires_at
                if expires is None or expires - now > ctx.policy.key_expiry_warning:
                    continue
                days = max(0, (expires - now).days)
                stored = await uow.notifications.raise_(
                    Notification(
                        id=uuid4(),
                        kind=NotificationKind.KEY_EXPIRING,
                        severity=Severity.WARNING if expires > now else Severity.ERROR,
                        title=f"Metrc user key of license {record.license_number} expires soon",
                        message=f"The user API key ({record.user_key_hint}) expires on "
                        f"{expires.date().isoformat()} ({days} days).",
                        guidance="Generate a new user API key in Metrc (profile > API Keys) and "
                        "enter it under Admin > Compliance > API Keys.",
                        created_at=now,
                        license_number=record.license_number,
                        dedup_key=f"key-expiring:{record.license_number}:{expires.date().isoformat()}",
                    )
                )
                raised += stored
            await uow.commit()
        return raised

    async def _log(
        self, cmd: ValidateCredentials, started: datetime, status: SyncStatus, error: Problem | None
    ) -> None:
        async with self._ctx.uow() as uow:
            await self._ctx.log(
                uow,
                operation="credentials.validate",
                direction=Direction.CHECK,
                status=status,
                started=started,
                actor=cmd.actor,
                license_number=cmd.license_number,
                problem=error,
            )
            await uow.commit()


def _checked(cmd: SaveCredentials) -> tuple[str, SecretStr, SecretStr]:
    fields: list[dict[str, str]] = []
    license_number = cmd.license_number.strip()
    vendor = cmd.vendor_key.get_secret_value().strip()
    user = cmd.user_key.get_secret_value().strip()
    if not license_number or len(license_number) > 64:
        fields.append({"field": "license_number", "message": "must be 1 to 64 characters"})
    if not re.match(r"^[A-Za-z]{2}$", cmd.state.strip()):
        fields.append({"field": "state", "message": "must be a two-letter state code"})
    for name, value in (("vendor_key", vendor), ("user_key", user)):
        if not value or len(value) > MAX_KEY_LENGTH or any(c.isspace() for c in value):
            fields.append({"field": name, "message": "must be 1 to 512 characters without spaces"})
    for email in cmd.notify_emails:
        if not _EMAIL.match(email.strip()):
            fields.append({"field": "notify_emails", "message": "must be email addresses"})
            break
    if fields:
        raise InvalidCredentialsError("The credentials are invalid", details={"fields": fields})
    return license_number, SecretStr(vendor), SecretStr(user)
