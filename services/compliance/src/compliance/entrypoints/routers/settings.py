"""Jurisdiction rules per site and Metrc keys per license (``compliance:manage``).

Keys go in (PUT) and never come out: every answer is the keys' hints and the status of their
last validation against Metrc."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from shared.contracts import compliance as api
from shared.http import json_response
from shared.http.strict_json import StrictJsonRoute

from compliance.entrypoints import commands as to
from compliance.entrypoints import presenters as show
from compliance.entrypoints.deps import Caller, HandlersDep, endpoint, write
from compliance.entrypoints.routers.params import LicenseNumber, SiteId
from compliance.service_layer import ValidateCredentials
from compliance.service_layer.errors import rules_not_found

__all__ = ["router"]

router = APIRouter(tags=["compliance settings"], route_class=StrictJsonRoute)


def _require_site(caller: Caller, site_id: object) -> None:
    if not caller.can_access_site(site_id):
        # The same answer as for a site without rules: what is not yours does not exist.
        raise rules_not_found(site_id)


@endpoint(router, "GET", "/v1/compliance/rules", response_model=list[api.SiteRules])
async def list_rules(caller: Caller, handlers: HandlersDep) -> Response:
    found = await handlers.rules.all()
    return json_response([show.rules(r) for r in found if caller.can_access_site(r.site_id)])


@endpoint(router, "GET", "/v1/compliance/rules/{siteId}", response_model=api.SiteRules)
async def get_rules(caller: Caller, handlers: HandlersDep, site_id: SiteId) -> Response:
    _require_site(caller, site_id)
    return json_response(show.rules(await handlers.rules.get(site_id)))


@endpoint(router, "PUT", "/v1/compliance/rules/{siteId}", response_model=api.RulesSaveResult)
async def save_rules(
    caller: Caller,
    handlers: HandlersDep,
    request: Request,
    site_id: SiteId,
    body: api.SiteRulesSave,
) -> Response:
    _require_site(caller, site_id)
    cmd = to.save_rules(site_id, body, caller.actor)

    async def work() -> api.RulesSaveResult:
        return show.rules_saved(await handlers.rules.save(cmd))

    return await write(request, caller, work)


@endpoint(router, "GET", "/v1/compliance/credentials", response_model=list[api.CredentialsView])
async def list_credentials(caller: Caller, handlers: HandlersDep) -> Response:
    return json_response([show.credentials(v) for v in await handlers.credentials.all()])


@endpoint(
    router,
    "GET",
    "/v1/compliance/credentials/{licenseNumber}",
    response_model=api.CredentialsView,
)
async def get_credentials(
    caller: Caller, handlers: HandlersDep, license_number: LicenseNumber
) -> Response:
    return json_response(show.credentials(await handlers.credentials.get(license_number)))


@endpoint(
    router,
    "PUT",
    "/v1/compliance/credentials/{licenseNumber}",
    response_model=api.CredentialsView,
)
async def save_credentials(
    caller: Caller,
    handlers: HandlersDep,
    request: Request,
    license_number: LicenseNumber,
    body: api.CredentialsSave,
) -> Response:
    cmd = to.save_credentials(license_number, body, caller.actor)

    async def work() -> api.CredentialsView:
        return show.credentials(await handlers.credentials.save(cmd))

    return await write(request, caller, work)


@endpoint(
    router,
    "POST",
    "/v1/compliance/credentials/{licenseNumber}/validate",
    response_model=api.CredentialsView,
)
async def validate_credentials(
    caller: Caller, handlers: HandlersDep, request: Request, license_number: LicenseNumber
) -> Response:
    cmd = ValidateCredentials(license_number=license_number, actor=caller.actor)

    async def work() -> api.CredentialsView:
        return show.credentials(await handlers.credentials.validate(cmd))

    return await write(request, caller, work)


@endpoint(router, "POST", "/v1/compliance/credentials/rotate", response_model=api.RotationResult)
async def rotate_credentials(caller: Caller, handlers: HandlersDep, request: Request) -> Response:

    async def work() -> api.RotationResult:
        return api.RotationResult(resealed=await handlers.credentials.rotate())

    return await write(request, caller, work)
