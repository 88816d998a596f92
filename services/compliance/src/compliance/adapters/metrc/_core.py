"""The HTTP machinery under ``MetrcClient``: auth, limits, retries, error mapping, spans, paging.

``client.py`` adds one typed method per Metrc call on top of this.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from compliance.adapters.metrc._limiter import Clock, MetrcRateLimiter, SystemClock
from compliance.adapters.metrc._metrics import RATE_LIMIT_WAIT_SECONDS, observed_call
from compliance.adapters.metrc._pull import FetchPage, concurrent_pull, sequential_pages
from compliance.adapters.metrc._retry import RetryPolicy
from compliance.adapters.metrc._wire import (
    CallInfo,
    decode_json,
    error_from_response,
    error_from_transport,
)
from compliance.adapters.metrc.deadline import current_deadline
from compliance.adapters.metrc.errors import (
    MetrcDeadlineError,
    MetrcError,
    MetrcRateLimitedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnexpectedResponseError,
)
from compliance.adapters.metrc.paging import (
    MAX_PAGE_SIZE,
    MAX_WINDOW,
    ListEndpoint,
    Page,
    ProgressCallback,
    PullBatch,
    RawPage,
    Window,
    read_page,
    split_windows,
)
from compliance.adapters.metrc.payloads import MetrcPayload, encode_body
from compliance.adapters.metrc.schemas import WriteResult

__all__ = ["MetrcClientBase", "MetrcCredentials", "metrc_base_url"]

T = TypeVar("T", bound=BaseModel)
M = TypeVar("M", bound=BaseModel)

logger = logging.getLogger("compliance.adapters.metrc")
_tracer = trace.get_tracer("compliance.adapters.metrc")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def try_limit(timeout: httpx.Timeout | float) -> float | None:
    """The longest one try may take: its connect and read timeouts together. httpx applies
    them per phase (the read timeout to each read), so the client enforces this total itself."""
    limits = httpx.Timeout(timeout)
    if limits.connect is None or limits.read is None:
        return None
    return limits.connect + limits.read


def metrc_base_url(state: str, *, sandbox: bool = False) -> str:
    """``https://api-{st}.metrc.com`` (or the ``sandbox-api-`` host) for a two-letter state."""
    code = state.strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"not a two-letter state code: {state!r}")
    prefix = "sandbox-api" if sandbox else "api"
    return f"https://{prefix}-{code}.metrc.com"


class MetrcCredentials(BaseModel):
    """The vendor (integrator) key and the user key. Basic auth sends them as
    ``vendor_key:user_key``; ``SecretStr`` keeps them out of reprs and logs."""

    model_config = ConfigDict(frozen=True)

    vendor_key: SecretStr
    user_key: SecretStr

    def basic_token(self) -> SecretStr:
        pair = f"{self.vendor_key.get_secret_value()}:{self.user_key.get_secret_value()}"
        return SecretStr(base64.b64encode(pair.encode()).decode())

    def redactions(self) -> tuple[SecretStr, ...]:
        """Every form in which the keys could leak into text: each key and the Basic token."""
        return (self.vendor_key, self.user_key, self.basic_token())


class _MetrcAuth(httpx.Auth):
    """Builds the Basic header at send time so the keys stay in ``SecretStr`` until then."""

    def __init__(self, credentials: MetrcCredentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._credentials.basic_token().get_secret_value()
        request.headers["Authorization"] = f"Basic {token}"
        yield request

    def __repr__(self) -> str:
        return "<MetrcAuth redacted>"


class MetrcClientBase:
    """Transport, limits, retries and paging shared by every Metrc call."""

    def __init__(
        self,
        *,
        base_url: str,
        credentials: MetrcCredentials,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        limiter: MetrcRateLimiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        now: Callable[[], datetime] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_write_objects: int | None = 10,
        max_window: timedelta = MAX_WINDOW,
        tracer: trace.Tracer | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._clock: Clock = clock or (limiter.clock if limiter else SystemClock())
        self.limiter = limiter or MetrcRateLimiter(clock=self._clock)
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._now = now or (lambda: datetime.now(UTC))
        self.page_size = page_size
        self.max_write_objects = max_write_objects
        self.max_window = max_window
        self._tracer = tracer or _tracer
        self._secrets = credentials.redactions()
        self.try_limit = try_limit(timeout)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=_MetrcAuth(credentials),
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, credentials={self._credentials!r})"
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- one call -----------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        license_number: str | None = None,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | None = None,
        page_number: int | None = None,
        text: bool = False,
    ) -> Any:
        """Send one Metrc call, retrying what is safe to retry; return the decoded JSON body (or,
        with ``text``, the body as text: the manifest's HTML)."""
        url = path.format(**{k: quote(str(v), safe="") for k, v in (path_params or {}).items()})
        query: dict[str, str | int] = {}
        if license_number is not None:
            query["licenseNumber"] = license_number
        query.update(params or {})
        info = CallInfo(method, path, license_number, self._secrets)
        headers = {"Content-Type": "application/json"} if content is not None else None
        span_name = f"Metrc {method} {path}"
        with (
            self._tracer.start_as_current_span(span_name, kind=SpanKind.CLIENT) as span,
            observed_call(method, path),
        ):
            span.set_attribute("http.request.method", method)
            span.set_attribute("url.template", path)
            span.set_attribute("server.address", httpx.URL(self.base_url).host)
            if license_number is not None:
                span.set_attribute("metrc.license_number", license_number)
            if page_number is not None:
                span.set_attribute("metrc.page_number", page_number)
            attempt = 0
            while True:
                attempt += 1
                error: MetrcError
                self._before_deadline(info, attempt, 0.0)
                try:
                    response = await self._send(method, url, query, content, headers, info)
                except (httpx.TransportError, TimeoutError) as exc:
                    error = error_from_transport(exc, info, attempt)
                else:
                    span.set_attribute("http.response.status_code", response.status_code)
                    if response.is_success:
                        span.set_attribute("metrc.retry_count", attempt - 1)
                        if text:
                            return response.text
                        return self._decode_success(response, info, attempt)
                    error = error_from_response(response, info, attempt)
                delay = self._retry_delay(error, info, attempt)
                if delay is None:
                    span.set_attribute("metrc.retry_count", attempt - 1)
                    span.set_attribute("error.type", type(error).__name__)
                    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                    logger.debug("metrc call failed: %s", error)
                    raise error
                logger.warning(
                    "metrc %s %s attempt %d failed (%s); retrying in %.2fs",
                    method,
                    path,
                    attempt,
                    type(error).__name__,
                    delay,
                )
                try:
                    self._before_deadline(info, attempt + 1, delay)
                except MetrcDeadlineError as late:
                    span.set_attribute("metrc.retry_count", attempt - 1)
                    span.set_attribute("error.type", type(late).__name__)
                    span.set_status(Status(StatusCode.ERROR, type(late).__name__))
                    raise late from error
                if isinstance(error, MetrcRateLimitedError):
                    RATE_LIMIT_WAIT_SECONDS.labels(cause="retry_after").observe(delay)
                await self._clock.sleep(delay)

    def _before_deadline(self, info: CallInfo, attempt: int, wait: float) -> None:
        """Raise ``MetrcDeadlineError`` if try ``attempt``, started after ``wait`` seconds,
        would start after the deadline of the caller's work (``deadline.calls_deadline``)."""
        deadline = current_deadline()
        if deadline is None:
            return
        starts = self._now() + timedelta(seconds=wait)
        if starts <= deadline:
            return
        raise MetrcDeadlineError(
            f"try {attempt} would start at {starts.isoformat()}, after the caller's deadline "
            f"{deadline.isoformat()}; nothing was applied",
            method=info.method,
            path=info.path,
            license_number=info.license_number,
            attempts=attempt - 1,
        )

    async def _send(
        self,
        method: str,
        url: str,
        query: dict[str, str | int],
        content: bytes | None,
        headers: dict[str, str] | None,
        info: CallInfo,
    ) -> httpx.Response:
        if info.is_write:
            # Metrc limits GETs only; writes are bounded by the caller's ledger, not here.
            async with asyncio.timeout(self.try_limit):
                return await self._http.request(
                    method, url, params=query, content=content, headers=headers
                )
        waiting = time.monotonic()
        async with self.limiter.slot(info.license_number):
            RATE_LIMIT_WAIT_SECONDS.labels(cause="limiter").observe(time.monotonic() - waiting)
            async with asyncio.timeout(self.try_limit):
                return await self._http.request(method, url, params=query)

    def _decode_success(self, response: httpx.Response, info: CallInfo, attempts: int) -> Any:
        try:
            return decode_json(response.content)
        except ValueError:
            if info.is_write:
                # A 2xx means the write was applied; an unreadable body must not make the caller
                # think otherwise.
                logger.warning("metrc %s %s: 2xx with a non-JSON body", info.method, info.path)
                return None
            raise MetrcUnexpectedResponseError(
                "response body is not JSON",
                method=info.method,
                path=info.path,
                license_number=info.license_number,
                status_code=response.status_code,
                attempts=attempts,
            ) from None

    def _retry_delay(self, error: MetrcError, info: CallInfo, attempt: int) -> float | None:
        if not isinstance(error, MetrcTransientError):
            return None
        if info.is_write and not self.retry.retry_writes:
            return None
        return self.retry.delay(attempt, error.retry_after, self._rng)

    # --- writes -------------------------------------------------------------------------------

    async def _write(
        self,
        method: str,
        path: str,
        license_number: str,
        objects: Sequence[MetrcPayload],
    ) -> WriteResult:
        if not objects:
            raise ValueError("a Metrc write needs at least one object")
        if self.max_write_objects is not None and len(objects) > self.max_write_objects:
            raise MetrcRequestTooLargeError(
                f"{len(objects)} objects in one write; Metrc accepts {self.max_write_objects}",
                method=method,
                path=path,
                license_number=license_number,
                attempts=0,
            )
        body = await self._call(
            method, path, license_number=license_number, content=encode_body(objects)
        )
        return _write_result(body)

    async def _delete(
        self, path: str, license_number: str, path_params: Mapping[str, object]
    ) -> WriteResult:
        body = await self._call(
            "DELETE", path, license_number=license_number, path_params=path_params
        )
        return _write_result(body)

    # --- single-object reads ------------------------------------------------------------------

    async def _get_one(
        self,
        model: type[M],
        path: str,
        *,
        license_number: str | None,
        path_params: Mapping[str, object],
    ) -> M:
        body = await self._call("GET", path, license_number=license_number, path_params=path_params)
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise _shape_error(exc, path, license_number) from None

    # --- lists --------------------------------------------------------------------------------

    async def _fetch_page(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None,
        path_params: Mapping[str, object],
        page_number: int,
        window: Window | None,
        *,
        validate: bool = True,
    ) -> tuple[RawPage, list[T]]:
        params: dict[str, str | int] = {}
        if endpoint.paged:
            params["pageNumber"] = page_number
            params["pageSize"] = self.page_size
        if window is not None:
            params.update(window.params())
        body = await self._call(
            "GET",
            endpoint.path,
            license_number=license_number if endpoint.licensed else None,
            path_params=path_params,
            params=params,
            page_number=page_number if endpoint.paged else None,
        )
        try:
            raw = read_page(body, page_number)
        except ValueError as exc:
            raise MetrcUnexpectedResponseError(
                str(exc), method="GET", path=endpoint.path, license_number=license_number
            ) from None
        if not validate:
            return raw, []
        try:
            records = [endpoint.model.model_validate(item) for item in raw.data]
        except ValidationError as exc:
            raise _shape_error(exc, endpoint.path, license_number) from None
        return raw, records

    async def fetch_page(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None,
        page_number: int,
        window: Window | None = None,
        *,
        path_params: Mapping[str, object] | None = None,
        validate: bool = True,
    ) -> tuple[RawPage, list[T]]:
        """One page of a list, as Metrc numbered it (a caller that checkpoints page by page,
        like the pull sync, drives the paging itself). ``validate=False`` skips building the
        records' models (the list comes back empty) for a caller that keeps the raw records."""
        return await self._fetch_page(
            endpoint, license_number, path_params or {}, page_number, window, validate=validate
        )

    def _windows(
        self, endpoint: ListEndpoint[Any], since: datetime | None, until: datetime | None
    ) -> list[Window | None]:
        if since is None and until is None:
            return [None]
        if not endpoint.time_aware:
            raise ValueError(f"{endpoint.path} has no last-modified filter")
        end = until or self._now()
        start = since or (end - self.max_window)
        return list(split_windows(start, end, self.max_window))

    def pages(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None = None,
        *,
        path_params: Mapping[str, object] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[Page[T]]:
        """Every page of a list, one request at a time, windows oldest first (see
        ``_pull.sequential_pages`` for the stopping rules)."""
        return sequential_pages(
            self._fetcher(endpoint, license_number, path_params),
            self._windows(endpoint, since, until),
            paged=endpoint.paged,
            label=endpoint.path,
        )

    def stream(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None = None,
        *,
        path_params: Mapping[str, object] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        concurrency: int | None = None,
    ) -> AsyncIterator[PullBatch[T]]:
        """A full pull: page 1 first, then the other pages concurrently; yields each page's new
        records with the pull's progress (see ``_pull.concurrent_pull``)."""
        # A second rank of requests waits on the limiter so a freed slot is reused at once.
        ahead = concurrency or 2 * self.limiter.limits.facility_concurrency
        return concurrent_pull(
            self._fetcher(endpoint, license_number, path_params),
            self._windows(endpoint, since, until),
            paged=endpoint.paged,
            ahead=ahead,
            label=endpoint.path,
        )

    def _fetcher(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None,
        path_params: Mapping[str, object] | None,
    ) -> FetchPage[T]:
        params = dict(path_params or {})

        def fetch(
            page_number: int, window: Window | None
        ) -> Coroutine[Any, Any, tuple[RawPage, list[T]]]:
            return self._fetch_page(endpoint, license_number, params, page_number, window)

        return fetch

    async def pull(
        self,
        endpoint: ListEndpoint[T],
        license_number: str | None = None,
        *,
        path_params: Mapping[str, object] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[T]:
        """Everything ``stream`` yields, as one list; ``on_progress`` sees every step."""
        records: list[T] = []
        async for batch in self.stream(
            endpoint, license_number, path_params=path_params, since=since, until=until
        ):
            records.extend(batch.records)
            if on_progress is not None:
                on_progress(batch.progress)
        return records


def _shape_error(
    exc: ValidationError, path: str, license_number: str | None
) -> MetrcUnexpectedResponseError:
    first = exc.errors()[0]
    return MetrcUnexpectedResponseError(
        f"unexpected record shape: {exc.error_count()} error(s), first at "
        f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
        method="GET",
        path=path,
        license_number=license_number,
        status_code=200,
    )


def _write_result(body: Any) -> WriteResult:
    if isinstance(body, dict):
        try:
            return WriteResult.model_validate(body)
        except ValidationError:
            logger.warning("metrc write answered with an unexpected body shape")
            return WriteResult()
    if isinstance(body, list) and all(isinstance(i, int) for i in body):
        return WriteResult(ids=list(body))
    return WriteResult()
