"""Roles and the permissions they carry: the one authorization matrix (README, Gateway section).

Roles are coarse job descriptions; routes require permissions, never roles, so the matrix can
change without touching a route. A user with several roles holds the union of their permissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "ALL_PERMISSIONS",
    "ROLE_DESCRIPTIONS",
    "ROLE_PERMISSIONS",
    "Permission",
    "Role",
    "permissions_of",
]


class Permission(StrEnum):
    INVENTORY_READ = "inventory:read"
    INVENTORY_CREATE = "inventory:create"
    INVENTORY_UPDATE = "inventory:update"
    INVENTORY_DELETE = "inventory:delete"
    COMPLIANCE_SYNC = "compliance:sync"
    COMPLIANCE_MANAGE = "compliance:manage"
    REPORTS_READ = "reports:read"
    USERS_MANAGE = "users:manage"


class Role(StrEnum):
    ADMIN = "Admin"
    OWNER = "Owner"
    COMPLIANCE_QA = "Compliance QA"
    INVENTORY = "Inventory"
    SALES_MANAGER = "Sales Manager"
    AUDITOR = "Auditor"


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)

_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: ALL_PERMISSIONS,
    # The business owner runs everything in the business but leaves accounts to an Admin.
    Role.OWNER: ALL_PERMISSIONS - {_P.USERS_MANAGE},
    # QA quarantines and releases batches (a status change, hence update) and owns the Metrc side.
    Role.COMPLIANCE_QA: frozenset(
        {
            _P.INVENTORY_READ,
            _P.INVENTORY_UPDATE,
            _P.COMPLIANCE_SYNC,
            _P.COMPLIANCE_MANAGE,
            _P.REPORTS_READ,
        }
    ),
    # Receiving, counting and moving stock; deleting batches stays with the owner.
    Role.INVENTORY: frozenset({_P.INVENTORY_READ, _P.INVENTORY_CREATE, _P.INVENTORY_UPDATE}),
    # Reserving and selling stock changes batches; the numbers of the business are theirs to read.
    Role.SALES_MANAGER: frozenset({_P.INVENTORY_READ, _P.INVENTORY_UPDATE, _P.REPORTS_READ}),
    # Read-only, everywhere they are granted.
    Role.AUDITOR: frozenset({_P.INVENTORY_READ, _P.REPORTS_READ}),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Everything, including user accounts and API keys",
    Role.OWNER: "Everything in the business except user accounts",
    Role.COMPLIANCE_QA: "Quality and state compliance: status changes, Metrc sync and settings",
    Role.INVENTORY: "Receiving, adjusting and moving stock",
    Role.SALES_MANAGER: "Reserving and selling stock; reports",
    Role.AUDITOR: "Read-only access to inventory and reports",
}


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    """The union of the roles' permissions; unknown role names grant nothing."""
    granted: set[Permission] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(granted)
