"""``/api/v1/users`` and ``/api/v1/api-keys``: account management (permission users:manage)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import Response
from shared.http.strict_json import StrictJsonRoute

from gateway.adapters.identity_store import ApiKeyRecord
from gateway.domain import Permission, Role
from gateway.entrypoints.auth_routes import user_view
from gateway.entrypoints.responses import AUTHENTICATED, documented
from gateway.entrypoints.schemas import (
    ApiKeyView,
    CreateApiKeyRequest,
    CreatedApiKeyView,
    CreateUserRequest,
    Page,
    RolesRequest,
    SitesRequest,
    UpdateUserRequest,
    UserView,
)
from gateway.entrypoints.security import container_of, requires
from gateway.service_layer.authenticate import Authenticated

__all__ = ["router"]

Manager = Annotated[Authenticated, Depends(requires(Permission.USERS_MANAGE))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
UserId = Annotated[uuid.UUID, Path()]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]

_NOT_FOUND = documented(404, "USER_NOT_FOUND")
_EXISTS = documented(409, "USER_EXISTS")

router = APIRouter(
    prefix="/api/v1", tags=["users"], responses=AUTHENTICATED, route_class=StrictJsonRoute
)
_MANAGE: dict[str, object] = {"x-required-permission": Permission.USERS_MANAGE.value}


def _key_view(record: ApiKeyRecord) -> ApiKeyView:
    return ApiKeyView(
        id=record.id,
        name=record.name,
        roles=[Role(r) for r in record.roles],
        sites=list(record.sites),
        created_by=record.created_by,
        created_at=record.created_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
    )


@router.post(
    "/users",
    openapi_extra=_MANAGE,
    summary="Create a user",
    status_code=status.HTTP_201_CREATED,
    responses=_EXISTS,
)
async def create_user(body: CreateUserRequest, _: Manager, request: Request) -> UserView:
    user = await container_of(request).accounts.create_user(
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        roles=[role.value for role in body.roles],
        sites=body.sites,
    )
    return user_view(user)


@router.get("/users", openapi_extra=_MANAGE, summary="List users (by email)")
async def list_users(
    _: Manager, request: Request, limit: Limit = 50, offset: Offset = 0
) -> Page[UserView]:
    users, total = await container_of(request).accounts.users(limit=limit, offset=offset)
    return Page(items=[user_view(u) for u in users], total=total, limit=limit, offset=offset)


@router.get("/users/{user_id}", openapi_extra=_MANAGE, summary="One user", responses=_NOT_FOUND)
async def get_user(user_id: UserId, _: Manager, request: Request) -> UserView:
    return user_view(await container_of(request).accounts.user(user_id))


@router.patch(
    "/users/{user_id}",
    openapi_extra=_MANAGE,
    summary="Rename, disable or re-enable a user, or set a new password",
    description="Disabling a user or setting a new password ends all of the user's sessions.",
    responses=_NOT_FOUND,
)
async def update_user(
    user_id: UserId, body: UpdateUserRequest, _: Manager, request: Request
) -> UserView:
    user = await container_of(request).accounts.update_user(
        user_id, display_name=body.display_name, active=body.active, password=body.password
    )
    return user_view(user)


@router.put(
    "/users/{user_id}/roles",
    openapi_extra=_MANAGE,
    summary="Set the user's roles",
    responses=_NOT_FOUND,
)
async def set_roles(user_id: UserId, body: RolesRequest, _: Manager, request: Request) -> UserView:
    user = await container_of(request).accounts.set_roles(
        user_id, [role.value for role in body.roles]
    )
    return user_view(user)


@router.put(
    "/users/{user_id}/sites",
    openapi_extra=_MANAGE,
    summary="Set the sites the user may see ('*' = all)",
    responses=_NOT_FOUND,
)
async def set_sites(user_id: UserId, body: SitesRequest, _: Manager, request: Request) -> UserView:
    return user_view(await container_of(request).accounts.set_sites(user_id, body.sites))


@router.post(
    "/api-keys",
    openapi_extra=_MANAGE,
    summary="Create an API key for an integration",
    description="The answer holds the whole key, once: only its hash is stored.",
    status_code=status.HTTP_201_CREATED,
)
async def create_api_key(
    body: CreateApiKeyRequest, caller: Manager, request: Request
) -> CreatedApiKeyView:
    created_by = uuid.UUID(caller.identity.subject) if caller.identity.kind == "user" else None
    created = await container_of(request).accounts.create_api_key(
        name=body.name,
        roles=[role.value for role in body.roles],
        sites=body.sites,
        created_by=created_by,
        expires_at=body.expires_at,
    )
    view = _key_view(created.record)
    return CreatedApiKeyView(**view.model_dump(), key=created.key.get_secret_value())


@router.get("/api-keys", openapi_extra=_MANAGE, summary="List API keys (never their secrets)")
async def list_api_keys(
    _: Manager, request: Request, limit: Limit = 50, offset: Offset = 0
) -> Page[ApiKeyView]:
    keys, total = await container_of(request).accounts.api_keys(limit=limit, offset=offset)
    return Page(items=[_key_view(k) for k in keys], total=total, limit=limit, offset=offset)


@router.delete(
    "/api-keys/{key_id}",
    openapi_extra=_MANAGE,
    summary="Revoke an API key",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(404, "API_KEY_NOT_FOUND"),
)
async def revoke_api_key(key_id: KeyId, _: Manager, request: Request) -> Response:
    await container_of(request).accounts.revoke_api_key(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
