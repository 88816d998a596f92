"""The gateway's pure rules: roles, permissions, credential formats. No I/O."""

from gateway.domain.credentials import (
    API_KEY_PREFIX,
    ApiKeyParts,
    hash_secret,
    new_api_key,
    new_refresh_token,
    parse_api_key,
    secrets_equal,
)
from gateway.domain.roles import (
    ALL_PERMISSIONS,
    ROLE_DESCRIPTIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    permissions_of,
)

__all__ = [
    "ALL_PERMISSIONS",
    "API_KEY_PREFIX",
    "ROLE_DESCRIPTIONS",
    "ROLE_PERMISSIONS",
    "ApiKeyParts",
    "Permission",
    "Role",
    "hash_secret",
    "new_api_key",
    "new_refresh_token",
    "parse_api_key",
    "permissions_of",
    "secrets_equal",
]
