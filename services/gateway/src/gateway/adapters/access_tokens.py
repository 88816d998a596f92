"""The access token a client presents on every request: a short-lived HS256 JWT naming a session.

It carries no roles or sites on purpose: those are read from the identity store (and cached for a
few seconds), so a revoked session, a disabled user or a changed grant takes effect at once
instead of when the token expires.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

__all__ = ["AccessClaims", "AccessTokens", "InvalidAccessTokenError"]

_ALGORITHM = "HS256"
_AUDIENCE = "canopy-api"
_ISSUER = "canopy-gateway"


class InvalidAccessTokenError(Exception):
    """The token is malformed, forged or expired (the reason is in the message, never the token)."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: datetime


class AccessTokens:
    def __init__(self, secret: SecretStr, ttl: timedelta) -> None:
        self._secret = secret
        self.ttl = ttl

    def issue(self, *, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
        now = datetime.now(UTC)
        claims = {
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "typ": "access",
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": now,
            "exp": now + self.ttl,
        }
        return jwt.encode(claims, self._secret.get_secret_value(), algorithm=_ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret.get_secret_value(),
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                issuer=_ISSUER,
                leeway=5,
                options={"require": ["exp", "iat", "sub", "sid"]},
            )
            if claims.get("typ") != "access":
                raise InvalidAccessTokenError("not an access token")
            return AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                session_id=uuid.UUID(claims["sid"]),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except jwt.ExpiredSignatureError:
            raise InvalidAccessTokenError("the access token has expired") from None
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidAccessTokenError("the access token is not valid") from None
