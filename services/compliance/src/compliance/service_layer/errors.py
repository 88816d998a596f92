"""Refusals of the service layer (the domain's are in ``compliance.domain.errors``). A refusal
says what to do about it: the message names the screen and the route that fix it, and
``details.fix`` carries them for a client to link to."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from compliance.domain import ComplianceError

__all__ = [
    "NotFoundError",
    "batch_not_tracked",
    "credentials_not_found",
    "rules_not_found",
]


class NotFoundError(ComplianceError):
    """``code`` names what is missing: BATCH_NOT_TRACKED, SUBMISSION_NOT_FOUND,
    CREDENTIALS_NOT_FOUND, RULES_NOT_FOUND."""

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        self.code = code
        super().__init__(message, details=details)


def _fix(screen: str, route: str, permission: str) -> dict[str, str]:
    return {"screen": screen, "route": route, "permission": permission}


def rules_not_found(site_id: UUID | object, *, to: str = "") -> NotFoundError:
    """A site without jurisdiction rules (``to``: what the caller wanted them for)."""
    purpose = f" {to}" if to else ""
    return NotFoundError(
        "RULES_NOT_FOUND",
        f"Site {site_id} has no jurisdiction rules{purpose}. A user with compliance:manage sets "
        "them under Compliance > Rules (PUT /api/v1/compliance/rules/{siteId}): the state, "
        "program, the facility's Metrc license number and Metrc URL.",
        details={
            "siteId": str(site_id),
            "fix": _fix(
                "Compliance > Rules", "PUT /api/v1/compliance/rules/{siteId}", "compliance:manage"
            ),
        },
    )


def credentials_not_found(license_number: str) -> NotFoundError:
    return NotFoundError(
        "CREDENTIALS_NOT_FOUND",
        f"License {license_number} has no Metrc API keys. A user with compliance:manage saves "
        "the facility's vendor and user keys under Compliance > API keys "
        "(PUT /api/v1/compliance/credentials/{licenseNumber}); they are validated on save.",
        details={
            "licenseNumber": license_number,
            "fix": _fix(
                "Compliance > API keys",
                "PUT /api/v1/compliance/credentials/{licenseNumber}",
                "compliance:manage",
            ),
        },
    )


def batch_not_tracked(batch_id: UUID) -> NotFoundError:
    return NotFoundError(
        "BATCH_NOT_TRACKED",
        f"Compliance has not heard of batch {batch_id}. A batch reaches compliance seconds "
        "after inventory records it (the compliance worker consumes inventory's events): if it "
        "is new, try again shortly; if it stays unknown, check that the compliance worker runs.",
        details={"batchId": str(batch_id)},
    )
