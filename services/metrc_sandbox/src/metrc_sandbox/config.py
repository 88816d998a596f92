"""Runtime knobs of the sandbox, changeable at run time through ``PUT /_sandbox/config``."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SandboxConfig(BaseModel):
    """Limits and latency the sandbox applies to Metrc calls (defaults are Metrc's published ones)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_ms: int = Field(default=0, ge=0)
    jitter_ms: int = Field(default=0, ge=0)
    get_rate_per_facility: float = Field(default=50, gt=0)
    get_rate_per_vendor: float = Field(default=150, gt=0)
    concurrency_per_facility: int = Field(default=10, ge=1)
    concurrency_per_vendor: int = Field(default=30, ge=1)
    max_page_size: int = Field(default=20, ge=1)
    max_write_objects: int = Field(default=10, ge=1)
    last_modified_max_hours: float = Field(default=24, gt=0)
    retry_after_seconds: int = Field(default=1, ge=0)
    rate_limits_enabled: bool = True

    def updated(self, changes: dict[str, Any]) -> SandboxConfig:
        """A new config with ``changes`` applied and validated as a whole."""
        return SandboxConfig.model_validate({**self.model_dump(), **changes})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SandboxConfig:
        """Defaults overridden by ``METRC_SANDBOX_<FIELD>`` variables (e.g. METRC_SANDBOX_LATENCY_MS)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(f"METRC_SANDBOX_{name.upper()}")
            if raw is not None:
                values[name] = raw
        return cls.model_validate(values)
