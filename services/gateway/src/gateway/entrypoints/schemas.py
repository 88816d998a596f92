"""Request and response bodies of the gateway's own routes (authentication, users, API keys)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
)
from shared.contracts.types import UtcDateTime

from gateway.domain import Permission, Role

__all__ = [
    "ApiKeyView",
    "CreateApiKeyRequest",
    "CreateUserRequest",
    "CreatedApiKeyView",
    "Email",
    "LoginRequest",
    "MeView",
    "Page",
    "RefreshRequest",
    "RoleView",
    "RolesRequest",
    "SiteId",
    "SitesRequest",
    "TokenResponse",
    "UpdateUserRequest",
    "UserView",
]

T = TypeVar("T")


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and UTF-8 cannot hold lone surrogates; control characters
    # have no place in a name or an address either. Refused as input, not failed at the database.
    if any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError("must not contain control characters")
    return value


Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
    AfterValidator(_storable),
]
SiteId = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,99})$"),
    Field(description="A site id, or '*' for every site"),
]
NewPassword = Annotated[SecretStr, Field(min_length=12, max_length=1024)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_storable),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Strict):
    email: Email
    password: Annotated[SecretStr, Field(min_length=1, max_length=1024)]


class RefreshRequest(_Strict):
    refresh_token: Annotated[SecretStr, Field(min_length=1, max_length=200)]


class UserView(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    active: bool
    roles: list[Role]
    sites: list[str]
    created_at: datetime


class TokenResponse(BaseModel):
    access_token: str = Field(description="Send as 'Authorization: Bearer <token>'")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str = Field(description="Single use: each refresh returns the next one")
    refresh_expires_at: datetime = Field(description="When the session ends at the latest")
    user: UserView


class MeView(BaseModel):
    subject: str
    kind: str
    display_name: str | None
    roles: list[str]
    permissions: list[str]
    sites: list[str]


class RoleView(BaseModel):
    name: Role
    description: str
    permissions: list[Permission]


class CreateUserRequest(_Strict):
    email: Email
    password: NewPassword
    display_name: Name | None = None
    roles: Annotated[list[Role], Field(max_length=6)] = []
    sites: Annotated[list[SiteId], Field(max_length=500)] = []


class UpdateUserRequest(_Strict):
    display_name: Name | None = None
    active: bool | None = Field(default=None, description="false disables the account")
    password: NewPassword | None = None


class RolesRequest(_Strict):
    roles: Annotated[list[Role], Field(max_length=6)]


class SitesRequest(_Strict):
    sites: Annotated[list[SiteId], Field(max_length=500)]


def _in_the_future(value: datetime) -> datetime:
    if value <= datetime.now(UTC):
        raise ValueError("must be in the future: a key that has already expired is of no use")
    return value


class CreateApiKeyRequest(_Strict):
    name: Name
    roles: Annotated[list[Role], Field(min_length=1, max_length=6)]
    sites: Annotated[list[SiteId], Field(min_length=1, max_length=500)]
    # UtcDateTime: an instant past year 9999 in UTC is refused here, not failed at the database.
    expires_at: Annotated[UtcDateTime, AfterValidator(_in_the_future)] | None = None


class ApiKeyView(BaseModel):
    id: str = Field(description="The public key id, also the key's prefix: cnp_<id>_...")
    name: str
    roles: list[Role]
    sites: list[str]
    created_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class CreatedApiKeyView(ApiKeyView):
    key: str = Field(description="The whole key. Shown this once only: store it now")


class Page(BaseModel, Generic[T]):
    """The gateway's list envelope: ``?limit=&offset=`` in, the page and the total out."""

    items: list[T]
    total: int
    limit: int
    offset: int
