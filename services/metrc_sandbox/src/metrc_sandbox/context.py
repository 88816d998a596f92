"""What a Metrc route handler gets injected: the sandbox, the caller, and the facility acted on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from metrc_sandbox.auth import Caller
from metrc_sandbox.config import SandboxConfig
from metrc_sandbox.errors import MetrcError, bad_request, not_found, unauthorized
from metrc_sandbox.model import Facility, Record
from metrc_sandbox.paging import query_param
from metrc_sandbox.runtime import Sandbox
from metrc_sandbox.store import SandboxState

CALLER_SCOPE_KEY = "metrc_sandbox.caller"
RecordT = TypeVar("RecordT", bound=Record)


def get_sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def get_caller(request: Request) -> Caller:
    caller = request.scope.get(CALLER_SCOPE_KEY)
    if not isinstance(caller, Caller):
        raise unauthorized()
    return caller


@dataclass(frozen=True)
class Ctx:
    """A Metrc call that may or may not name a facility (``licenseNumber``)."""

    sandbox: Sandbox
    caller: Caller
    request: Request

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    @property
    def config(self) -> SandboxConfig:
        return self.sandbox.config

    def can_access(self, facility_id: int) -> bool:
        return facility_id in self.caller.user.facility_ids


@dataclass(frozen=True)
class FacilityCtx(Ctx):
    """A facility-scoped Metrc call: ``licenseNumber`` was given and the user may act for it."""

    facility: Facility

    def own(self, record: RecordT | None, what: str, key: object) -> RecordT:
        """``record`` if it belongs to this facility; Metrc answers 401 for another facility's."""
        if record is None:
            raise not_found(f"No {what} found with {key}.")
        if record.facility_id != self.facility.id:
            raise unauthorized(
                f"The {what} {key} is not valid for facility {self.facility.license_number}."
            )
        return record


def caller_context(request: Request) -> Ctx:
    return Ctx(get_sandbox(request), get_caller(request), request)


def facility_context(request: Request) -> FacilityCtx:
    ctx = caller_context(request)
    license_number = query_param(request, "licenseNumber")
    if not license_number:
        raise bad_request("The licenseNumber parameter is required.")
    facility = ctx.state.facilities_by_license.get(license_number)
    if facility is None or not ctx.can_access(facility.id):
        raise unauthorized(
            f"The user does not have access to the facility with license {license_number}."
        )
    return FacilityCtx(ctx.sandbox, ctx.caller, request, facility)


def require_capability(ctx: FacilityCtx, allowed: bool, what: str) -> None:
    """Metrc answers 401 when the facility type cannot use an endpoint (e.g. plants at a store)."""
    if not allowed:
        raise MetrcError(401, f"Facility {ctx.facility.license_number} is not permitted to {what}.")


CallerDep = Annotated[Ctx, Depends(caller_context)]
FacilityDep = Annotated[FacilityCtx, Depends(facility_context)]
