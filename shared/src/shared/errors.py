"""The one error body every Canopy HTTP API answers with: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ErrorBody", "ErrorDetail", "ServiceError"]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable code, e.g. NEGATIVE_INVENTORY")
    message: str = Field(description="For people; may change between versions")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail


class ServiceError(Exception):
    """An error a service reports to its caller with a stable code and an HTTP status (and, when
    the answer needs them, headers such as Retry-After or WWW-Authenticate)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}
        self.headers = headers or {}

    def body(self) -> ErrorBody:
        return ErrorBody(
            error=ErrorDetail(code=self.code, message=self.message, details=self.details)
        )
