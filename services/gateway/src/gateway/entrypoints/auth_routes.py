"""``/api/v1/auth``: log in, refresh, log out, who am I; and the role catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from shared.errors import ServiceError
from shared.http.strict_json import StrictJsonRoute

from gateway.adapters.identity_store import UserRecord
from gateway.domain import ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, Role
from gateway.entrypoints.responses import AUTHENTICATED, PUBLIC, documented
from gateway.entrypoints.schemas import (
    LoginRequest,
    MeView,
    RefreshRequest,
    RoleView,
    TokenResponse,
    UserView,
)
from gateway.entrypoints.security import Caller, container_of
from gateway.service_layer.sessions import TokenPair

__all__ = ["router", "user_view"]

router = APIRouter(prefix="/api/v1", tags=["authentication"], route_class=StrictJsonRoute)
_PUBLIC: dict[str, object] = {"x-required-permission": "none"}
_ANY_CALLER: dict[str, object] = {"x-required-permission": "authenticated"}

_LIMITED = documented(429, "TOO_MANY_LOGIN_ATTEMPTS, see Retry-After")
_BAD_CREDENTIALS = documented(401, "INVALID_CREDENTIALS or INVALID_REFRESH_TOKEN")


def user_view(user: UserRecord) -> UserView:
    return UserView(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        active=user.active,
        roles=[Role(r) for r in user.roles],
        sites=list(user.sites),
        created_at=user.created_at,
    )


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token.get_secret_value(),
        expires_in=pair.access_expires_in,
        refresh_token=pair.refresh_token.get_secret_value(),
        refresh_expires_at=pair.refresh_expires_at,
        user=user_view(pair.user),
    )


@router.post(
    "/auth/login",
    openapi_extra=_PUBLIC,
    summary="Log in with email and password",
    description="Returns a short-lived access token and a single-use refresh token. After"
    " repeated failures, the account (or the client address) is locked out for a while: 429"
    " with Retry-After.",
    responses={**PUBLIC, **_LIMITED, **_BAD_CREDENTIALS},
)
async def login(body: LoginRequest, request: Request) -> TokenResponse:
    client_ip = request.client.host if request.client else "unknown"
    pair = await container_of(request).sessions.login(
        email=body.email, password=body.password, client_ip=client_ip
    )
    return _tokens(pair)


@router.post(
    "/auth/refresh",
    openapi_extra=_PUBLIC,
    summary="Exchange a refresh token for new tokens",
    description="The refresh token is spent: the answer carries the next one. Presenting a spent"
    " token again ends the whole session (it was copied).",
    responses={**PUBLIC, **_BAD_CREDENTIALS},
)
async def refresh(body: RefreshRequest, request: Request) -> TokenResponse:
    return _tokens(await container_of(request).sessions.refresh(body.refresh_token))


@router.post(
    "/auth/logout",
    openapi_extra=_ANY_CALLER,
    summary="End the current session",
    description="Revokes the session of the access token, and with it every refresh token.",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=AUTHENTICATED,
)
async def logout(caller: Caller, request: Request) -> Response:
    if caller.session_id is None:
        raise ServiceError(
            "NOT_A_SESSION", "API keys have no session to end; revoke the key instead", status=400
        )
    await container_of(request).sessions.logout(caller.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/auth/me",
    summary="Who the credentials belong to",
    responses=AUTHENTICATED,
    openapi_extra=_ANY_CALLER,
)
async def me(caller: Caller) -> MeView:
    identity = caller.identity
    return MeView(
        subject=identity.subject,
        kind=identity.kind,
        display_name=identity.display_name,
        roles=list(identity.roles),
        permissions=list(identity.permissions),
        sites=list(identity.sites),
    )


@router.get(
    "/roles",
    openapi_extra=_ANY_CALLER,
    summary="The roles and the permissions each carries",
    tags=["users"],
    responses=AUTHENTICATED,
)
async def roles(_: Caller) -> list[RoleView]:
    return [
        RoleView(
            name=role,
            description=ROLE_DESCRIPTIONS[role],
            permissions=sorted(ROLE_PERMISSIONS[role]),
        )
        for role in ROLE_PERMISSIONS
    ]
