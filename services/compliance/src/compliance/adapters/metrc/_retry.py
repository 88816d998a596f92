"""When to try a Metrc call again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring ``Retry-After``.

    Only calls that are safe to repeat are retried: every GET, and a write only when Metrc
    answered without applying it (429, 5xx, a server fault returned as 400) or the failure
    happened before the request was sent. A write that may have reached Metrc is never resent by
    the client (``MetrcUnknownOutcomeError``).

    Attributes:
        max_attempts: total tries, the first included.
        base_delay: the first backoff ceiling in seconds; it doubles on every retry.
        max_delay: cap on the backoff ceiling.
        max_retry_after: a ``Retry-After`` longer than this is not waited out inside the call;
            the error goes to the caller, who can reschedule.
        retry_writes: set to False to hand every failed write straight to the caller.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_retry_after: float = 60.0
    retry_writes: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return rng.uniform(0, ceiling)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before the next try after ``attempt`` failed, or ``None`` to give up."""
        if attempt >= self.max_attempts:
            return None
        jittered = self.backoff(attempt, rng)
        if retry_after is None:
            return jittered
        if retry_after > self.max_retry_after:
            return None
        # Never earlier than Metrc asked; the jitter spreads callers that were told the same.
        return max(retry_after, jittered)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
