"""A service's routes, registered from its contract's ``ROUTES`` table, each behind the
gateway's identity token and the route's permission.

::

    routes = ContractRoutes(contract.ROUTES, caller=Caller)   # Caller(identity, request_id)

    @routes.endpoint(router, "POST", "/v1/reports", response_model=contract.Report)
    async def create_report(caller: Caller, body: contract.ReportRequest) -> Response: ...

The route's ``caller`` parameter receives the verified, permitted caller: the identity the
gateway signed (``X-Canopy-Identity``, verified with the gateway's public key and remembered until
it expires, see :mod:`shared.http.identity`) and the request id. Verification and the permission
check are one flat dependency: nested dependencies cost FastAPI a resolution each per request.
A route the contract marks license-wide (``Route.every_site``) is refused here, with
SITE_ACCESS_DENIED, to a caller not granted every site: the contract is the one place that says
so, and the gateway documents it from the same table. A path that is not in the contract cannot be registered, and :meth:`ContractRoutes.unserved`
lists the contract's routes nobody registered (a test per service keeps it empty).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.security import APIKeyHeader

from shared.contracts.routes import EverySite, Route
from shared.errors import ErrorBody, ServiceError
from shared.http.identity import VerifiedTokens
from shared.http.request_ids import current_request_id
from shared.identity import ALL_SITES, IDENTITY_HEADER, Identity

__all__ = ["ERROR_RESPONSES", "ContractRoutes"]

C = TypeVar("C")

_identity_header = APIKeyHeader(
    name=IDENTITY_HEADER,
    auto_error=False,
    scheme_name="CanopyIdentity",
    description="Ed25519 JWT signed by the gateway (the verified caller, its permissions and sites)",
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid identity token"},
    403: {"model": ErrorBody, "description": "Missing permission or site grant"},
    404: {"model": ErrorBody, "description": "Not found (or not visible to the caller)"},
    409: {"model": ErrorBody, "description": "A stale version or a duplicate"},
    422: {"model": ErrorBody, "description": "VALIDATION_ERROR or a business rule refused it"},
}


def _require_one_site(every_site: EverySite, request: Request) -> None:
    """A license-wide route, from a caller granted some sites: refused unless it names one."""
    if every_site is EverySite.WITHOUT_SITE_ID and request.query_params.get("siteId"):
        return  # that site's grant is checked as any siteId's is (the gateway checks it)
    raise ServiceError(
        "SITE_ACCESS_DENIED",
        "License-wide data needs access to every site"
        + ("; name a siteId" if every_site is EverySite.WITHOUT_SITE_ID else ""),
        status=403,
    )


class ContractRoutes(Generic[C]):
    def __init__(
        self,
        routes: Sequence[Route],
        *,
        caller: Callable[[Identity, str | None], C],
        responses: dict[int | str, dict[str, Any]] | None = None,
    ) -> None:
        self._routes = {(r.method, r.path): r for r in routes}
        self._caller = caller
        self._responses = ERROR_RESPONSES if responses is None else responses
        self._registered: set[tuple[str, str]] = set()

    def _authorized(self, route: Route) -> Callable[..., Awaitable[C]]:
        make_caller = self._caller

        # ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool.
        async def authorized_caller(
            request: Request, token: Annotated[str | None, Security(_identity_header)] = None
        ) -> C:
            if not token:
                raise ServiceError(
                    "UNAUTHENTICATED", "Requests must come through the gateway", status=401
                )
            tokens: VerifiedTokens = request.app.state.identity_tokens
            identity = tokens.verify(token)
            identity.require(route.permission)
            if route.every_site is not None and ALL_SITES not in identity.sites:
                _require_one_site(route.every_site, request)
            return make_caller(identity, current_request_id())

        return authorized_caller

    def endpoint(
        self,
        router: APIRouter,
        method: str,
        path: str,
        *,
        response_model: Any,
        status_code: int = 200,
        tags: Sequence[str] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the contract's route ``method path`` on ``router``: its summary, its
        permission (checked here as defence in depth; the gateway checks it too) and the
        documented error bodies."""
        route = self._routes[(method, path)]
        self._registered.add((method, path))

        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            dependency = Depends(self._authorized(route))
            takes_caller = "caller" in handler.__annotations__
            if takes_caller:
                handler.__annotations__["caller"] = Annotated[Any, dependency]
            return router.api_route(
                path,
                methods=[method],
                summary=route.summary,
                description=f"Permission: `{route.permission}`.",
                response_model=response_model,
                status_code=status_code,
                responses=self._responses,
                dependencies=None if takes_caller else [dependency],
                tags=list(tags) if tags else None,
            )(handler)

        return register

    def unserved(self, app: FastAPI) -> list[Route]:
        """The contract's routes that ``app`` does not serve (read from its OpenAPI document,
        which lists what the app really routes: included routers are resolved lazily)."""
        served = {
            (method.upper(), path)
            for path, operations in app.openapi()["paths"].items()
            for method in operations
        }
        return [r for key, r in self._routes.items() if key not in served]
