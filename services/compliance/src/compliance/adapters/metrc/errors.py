"""Everything the Metrc client raises.

The tree answers the only question a caller has after a failed call: *what do I do now?*

    MetrcError                      base class; never raised itself
    ├── MetrcAuthError              401/403: bad or expired keys, no permission, record not in facility
    ├── MetrcRejectedError          400 with per-row messages: a business outcome, never retried
    ├── MetrcNotFoundError          404: no such record, or no such endpoint in this state
    ├── MetrcRequestTooLargeError   413, or refused locally: more objects than Metrc takes per write
    ├── MetrcUnexpectedResponseError  any other status, or a body we cannot read
    ├── MetrcTransientError         Metrc could not serve the call and did not apply it; try later
    │   ├── MetrcRateLimitedError   429, carries ``retry_after`` (seconds) when Metrc sent one
    │   └── MetrcDeadlineError      the caller's deadline (``deadline.calls_deadline``) came
    │                               before the next try could start; nothing was applied
    └── MetrcUnknownOutcomeError    a write reached the wire but no answer came back; it may or may
                                    not have been applied. Read Metrc back before deciding to resend.

What counts as *transient*: a 5xx response, a 400 whose body is a server fault in disguise
(``{"Message": "Could not load file or assembly ..."}``), and transport failures that happened
before the request was sent (connect errors, connect/pool timeouts). For a GET, every transport
failure is transient because reading twice is harmless. For a write, a transport failure after the
request was handed to the network (read timeout, connection reset, truncated response) is an
*unknown outcome*: POST is not idempotent in Metrc and there is no idempotency key, so the client
never resends it on its own.

No exception carries credentials: messages are built from the method, the path template, the
license number and Metrc's own error text, never from headers or the ``httpx.Request``.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

__all__ = [
    "MetrcAuthError",
    "MetrcDeadlineError",
    "MetrcError",
    "MetrcNotFoundError",
    "MetrcRateLimitedError",
    "MetrcRejectedError",
    "MetrcRequestTooLargeError",
    "MetrcTransientError",
    "MetrcUnexpectedResponseError",
    "MetrcUnknownOutcomeError",
]


class _Context(TypedDict, total=False):
    method: str
    path: str
    license_number: str | None
    status_code: int | None
    attempts: int


class MetrcError(Exception):
    """Base class of every error the Metrc client raises.

    Attributes:
        message: Metrc's error text, or the client's own description of the failure.
        method: HTTP method of the call, e.g. ``"POST"``.
        path: the path template of the call, e.g. ``"/packages/v2/{label}"`` (no query string).
        license_number: the facility the call acted on, if any.
        status_code: the HTTP status Metrc answered with, or ``None`` when no response came.
        attempts: how many times the request was sent (retries included).
        applied_before: for a call the client sent as several requests (the cultivation and
            transfer writes that take any number of objects, ``batched``), how many leading
            objects earlier requests had applied before this one failed; their Ids are
            ``applied_ids``. The objects from that index on were not applied, except that after a
            ``MetrcUnknownOutcomeError`` the failed request's own objects may have been. A
            ``MetrcRejectedError``'s ``rows`` index the failed request: add ``applied_before``.
    """

    applied_before: int = 0
    applied_ids: tuple[int, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        license_number: str | None = None,
        status_code: int | None = None,
        attempts: int = 1,
    ) -> None:
        self.message = message
        self.method = method
        self.path = path
        self.license_number = license_number
        self.status_code = status_code
        self.attempts = attempts
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        parts = [where] if where else []
        if self.license_number:
            parts.append(f"license {self.license_number}")
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}")
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class MetrcAuthError(MetrcError):
    """401/403: the keys are wrong or expired, the user lacks a permission, or the record or
    endpoint is not valid for the license number. Retrying will not help; a human must act."""


class MetrcRejectedError(MetrcError):
    """400: Metrc validated the request and refused it. Nothing was applied.

    Attributes:
        rows: ``(row, message)`` pairs; ``row`` is the zero-based index into the posted array,
            or ``None`` when Metrc's message is not about a particular row.
    """

    def __init__(
        self, message: str, *, rows: list[tuple[int | None, str]], **context: Unpack[_Context]
    ) -> None:
        self.rows = rows
        super().__init__(message, **context)

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.rows]


class MetrcNotFoundError(MetrcError):
    """404: the record does not exist, or this state's Metrc has no such endpoint."""


class MetrcRequestTooLargeError(MetrcError):
    """413 (or refused before sending): more objects in one write than Metrc accepts.
    Nothing was applied; split the intent into smaller writes."""


class MetrcUnexpectedResponseError(MetrcError):
    """Metrc answered with a status or body the client does not know how to interpret."""


class MetrcTransientError(MetrcError):
    """Metrc could not serve the call and did not apply it. Safe to try again later.

    Attributes:
        sent: ``False`` when the failure happened before the request left the client.
        retry_after: Metrc's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        sent: bool = True,
        retry_after: float | None = None,
        **context: Unpack[_Context],
    ) -> None:
        self.sent = sent
        self.retry_after = retry_after
        super().__init__(message, **context)


class MetrcRateLimitedError(MetrcTransientError):
    """429: too many requests. ``retry_after`` is Metrc's ``Retry-After`` in seconds, if sent."""


class MetrcDeadlineError(MetrcTransientError):
    """The call stopped before its next try because the caller's deadline
    (``deadline.calls_deadline``) would pass first: no try starts after the deadline and no wait
    (a backoff, a ``Retry-After``) runs past it. Every earlier try was answered as not applied
    (only those are tried again), so nothing was applied; ``attempts`` counts the tries sent."""


class MetrcUnknownOutcomeError(MetrcError):
    """A write was sent and no response came back (read timeout, dropped connection, truncated
    response). Metrc may have applied it. Read back (package by tag, recent packages, adjustment
    history) before deciding whether to send it again."""
