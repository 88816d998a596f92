"""Every Metrc call on the process's ``/metrics`` (the API's, and the worker's ``--metrics-port``):

* ``compliance_metrc_call_seconds{method, path, outcome}``: a call from its first try to its
  answer, retries and waits included; ``outcome`` is ``ok`` or the error's class;
* ``compliance_metrc_call_errors_total{method, path, error}``: calls that failed, by the error's
  class (``MetrcRateLimitedError``, ``MetrcTransientError``, ``MetrcRejectedError``,
  ``MetrcAuthError``, ``MetrcUnknownOutcomeError`` ...);
* ``compliance_metrc_rate_limit_wait_seconds{cause}``: time spent waiting because of Metrc's
  limits: ``limiter`` (this client's own GET limits, before sending) or ``retry_after`` (a 429
  answered, waited out before the next try).

``path`` is the endpoint's template (``/packages/v2/{label}``), never a filled-in path; no label
carries a key or a license's data beyond the endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

from compliance.adapters.metrc.errors import MetrcError

__all__ = ["CALL_ERRORS", "CALL_SECONDS", "RATE_LIMIT_WAIT_SECONDS", "observed_call"]

CALL_SECONDS = Histogram(
    "compliance_metrc_call_seconds",
    "Metrc calls from the first try to the answer (retries included)",
    ["method", "path", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
CALL_ERRORS = Counter(
    "compliance_metrc_call_errors",
    "Metrc calls that failed, by error class",
    ["method", "path", "error"],
)
RATE_LIMIT_WAIT_SECONDS = Histogram(
    "compliance_metrc_rate_limit_wait_seconds",
    "Waits caused by Metrc's rate limits: the client's own limiter, or a 429's Retry-After",
    ["cause"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


@contextmanager
def observed_call(method: str, path: str) -> Iterator[None]:
    """Time one call and count its failure by the error's class."""
    started, outcome = time.monotonic(), "ok"
    try:
        yield
    except MetrcError as error:
        outcome = type(error).__name__
        CALL_ERRORS.labels(method=method, path=path, error=outcome).inc()
        raise
    finally:
        CALL_SECONDS.labels(method=method, path=path, outcome=outcome).observe(
            time.monotonic() - started
        )
