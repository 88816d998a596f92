"""How hard and how often the push worker tries: attempts, backoff, read-back wait, batch sizes,
and when the keys' expiry is warned of (a growing backlog is the sync watch's,
``domain.sync_watch``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["PushPolicy"]


@dataclass(frozen=True, kw_only=True)
class PushPolicy:
    """Attributes:
    max_attempts: sends of one submission before it is failed (``compliance.push_failed``).
        The client retries 429 and 5xx within a call on its own; this counts calls.
    first_retry: the backoff ceiling after the first failed attempt; it doubles per attempt.
    max_retry: the backoff ceiling's cap.
    read_back_after: how long after a send a write with an unknown outcome is read back. Must
        exceed the longest a Metrc call can take plus Metrc's own lag, or an abandoned write can
        land after the read-back said "not applied". With the client's defaults a write call
        lasts at most 4 attempts x (10 s connect + 30 s read) + 3 waits of at most 60 s
        (Retry-After cap) = 340 s; 10 minutes leaves Metrc over 4 minutes to finish a request
        the client gave up on.
    max_objects_per_request: Metrc's limit of objects per write.
    concurrent_requests: Metrc writes in flight at once per license.
    claim_limit: submissions claimed per license per cycle.
    key_lifetime: assumed life of a user API key when the operator gives no expiry (Metrc
        keys are reported to expire after about a year; Metrc has no call that says).
    key_expiry_warning: how long before a key's expiry the team is warned.
    catalog_ttl: how long Metrc's items, units, reasons, locations and tags are reused.
    """

    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(minutes=15)
    read_back_after: timedelta = timedelta(minutes=10)
    max_objects_per_request: int = 10
    concurrent_requests: int = 10
    claim_limit: int = 500
    key_lifetime: timedelta = timedelta(days=365)
    key_expiry_warning: timedelta = timedelta(days=30)
    catalog_ttl: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 1 <= self.max_objects_per_request <= 10:
            raise ValueError("max_objects_per_request must be between 1 and 10 (Metrc's limit)")
        if self.concurrent_requests < 1 or self.claim_limit < 1:
            raise ValueError("concurrent_requests and claim_limit must be at least 1")

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def retry_at(
        self,
        *,
        attempts: int,
        now: datetime,
        jitter: float,
        retry_after: timedelta | None = None,
    ) -> datetime:
        """When to try again after ``attempts`` failed sends.

        Equal jitter: between half and all of ``min(max_retry, first_retry * 2**(attempts-1))``
        (``jitter`` in [0, 1] picks where), so retries spread out but never come at once; never
        earlier than Metrc's ``Retry-After``.
        """
        ceiling = min(self.max_retry, self.first_retry * 2 ** max(0, attempts - 1))
        delay = ceiling * (0.5 + 0.5 * min(1.0, max(0.0, jitter)))
        if retry_after is not None:
            delay = max(delay, retry_after)
        moment: datetime = now + delay
        return moment
