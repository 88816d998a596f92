"""Metrc's GET limits: token buckets per facility and per vendor key, plus concurrency caps.

Metrc counts GETs only (writes are never throttled). A request that would exceed any limit is refused
at once with 429; it does not queue, because Metrc does not queue either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TypeVar

from metrc_sandbox.config import SandboxConfig

_K = TypeVar("_K", str, tuple[str, str])


@dataclass
class _Bucket:
    tokens: float
    updated: float

    def refill(self, rate: float, now: float) -> None:
        # Capacity equals one second's worth, so a client may burst up to the per-second rate.
        self.tokens = min(rate, self.tokens + (now - self.updated) * rate)
        self.updated = now


@dataclass
class GetPermit:
    """Held for the life of one admitted GET; ``release`` frees its concurrency slots."""

    limiter: GetLimiter
    vendor_key: str
    facility_key: tuple[str, str] | None
    released: bool = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        self.limiter.in_flight_vendor[self.vendor_key] -= 1
        if self.facility_key is not None:
            self.limiter.in_flight_facility[self.facility_key] -= 1


@dataclass
class GetLimiter:
    vendor_buckets: dict[str, _Bucket] = field(default_factory=dict)
    facility_buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    in_flight_vendor: dict[str, int] = field(default_factory=dict)
    in_flight_facility: dict[tuple[str, str], int] = field(default_factory=dict)

    def try_acquire(
        self, config: SandboxConfig, vendor_key: str, license_number: str | None
    ) -> GetPermit | str:
        """A permit, or the reason the GET is refused."""
        now = time.monotonic()
        # Metrc's per-facility limit is per integrator too, so the bucket key carries both.
        facility_key = None if license_number is None else (vendor_key, license_number)
        if self.in_flight_vendor.get(vendor_key, 0) >= config.concurrency_per_vendor:
            return "Too many concurrent requests for this integrator."
        if (
            facility_key is not None
            and self.in_flight_facility.get(facility_key, 0) >= config.concurrency_per_facility
        ):
            return "Too many concurrent requests for this facility."
        vendor_bucket = self._bucket(
            self.vendor_buckets, vendor_key, config.get_rate_per_vendor, now
        )
        facility_bucket = (
            None
            if facility_key is None
            else self._bucket(
                self.facility_buckets, facility_key, config.get_rate_per_facility, now
            )
        )
        if vendor_bucket.tokens < 1:
            return "Rate limit exceeded for this integrator."
        if facility_bucket is not None and facility_bucket.tokens < 1:
            return "Rate limit exceeded for this facility."
        vendor_bucket.tokens -= 1
        if facility_bucket is not None:
            facility_bucket.tokens -= 1
        self.in_flight_vendor[vendor_key] = self.in_flight_vendor.get(vendor_key, 0) + 1
        if facility_key is not None:
            self.in_flight_facility[facility_key] = self.in_flight_facility.get(facility_key, 0) + 1
        return GetPermit(self, vendor_key, facility_key)

    @staticmethod
    def _bucket(buckets: dict[_K, _Bucket], key: _K, rate: float, now: float) -> _Bucket:
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _Bucket(tokens=rate, updated=now)
        else:
            bucket.refill(rate, now)
        return bucket
