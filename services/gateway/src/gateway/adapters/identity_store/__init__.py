"""Reads and writes of the identity store, on a connection inside the caller's transaction.

SQLAlchemy Core with bound parameters only; every function takes the connection so the service
layer decides the transaction boundaries (a login checks, verifies and records in one).
"""

from gateway.adapters.identity_store._api_keys import (
    ApiKeyRecord,
    get_api_key,
    insert_api_key,
    list_api_keys,
    revoke_api_key,
)
from gateway.adapters.identity_store._login_attempts import (
    count_ip_failures,
    lock_account,
    recent_account_failures,
    record_login_attempt,
)
from gateway.adapters.identity_store._sessions import (
    RefreshRecord,
    SessionPrincipal,
    find_refresh_token,
    insert_refresh_token,
    insert_session,
    mark_refresh_used,
    purge_expired,
    revoke_session,
    revoke_user_sessions,
    session_principal,
)
from gateway.adapters.identity_store._users import (
    UserRecord,
    get_user,
    get_user_by_email,
    insert_user,
    known_roles,
    list_users,
    set_user_roles,
    set_user_sites,
    update_user,
)

__all__ = [
    "ApiKeyRecord",
    "RefreshRecord",
    "SessionPrincipal",
    "UserRecord",
    "count_ip_failures",
    "find_refresh_token",
    "get_api_key",
    "get_user",
    "get_user_by_email",
    "insert_api_key",
    "insert_refresh_token",
    "insert_session",
    "insert_user",
    "known_roles",
    "list_api_keys",
    "list_users",
    "lock_account",
    "mark_refresh_used",
    "purge_expired",
    "recent_account_failures",
    "record_login_attempt",
    "revoke_api_key",
    "revoke_session",
    "revoke_user_sessions",
    "session_principal",
    "set_user_roles",
    "set_user_sites",
    "update_user",
]
