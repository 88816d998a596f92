"""The acting user's identity, from the gateway to the services, in a form they can verify.

The gateway authenticates the caller (password and token, or API key), then signs a short-lived
EdDSA (Ed25519) JWT with its private key and sends it in the ``X-Canopy-Identity`` header. Services
hold only the public key: they verify the signature, the audience and the expiry, and trust nothing
else. A header that anyone could set proves nothing; this one proves the gateway issued it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, Field

from shared.errors import ServiceError

__all__ = [
    "ALL_SITES",
    "IDENTITY_HEADER",
    "Identity",
    "generate_keypair",
    "issue_identity_token",
    "verify_identity_token",
]

IDENTITY_HEADER = "X-Canopy-Identity"
AUDIENCE = "canopy-services"
ISSUER = "canopy-gateway"
ALL_SITES = "*"
_ALGORITHM = "EdDSA"


class Identity(BaseModel):
    """Who is acting, what they may do, and on which sites."""

    subject: str = Field(description="User id or API key id")
    kind: str = Field(default="user", description="user | api_key | system")
    display_name: str | None = None
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    sites: tuple[str, ...] = Field(default=(), description=f"Granted site ids; '{ALL_SITES}' = all")

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def can_access_site(self, site_id: str) -> bool:
        return ALL_SITES in self.sites or site_id in self.sites

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise ServiceError(
                "PERMISSION_DENIED",
                f"Permission denied: {permission} is required",
                status=403,
                details={"permission": permission},
            )


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as PEM strings: (private, public)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def issue_identity_token(
    identity: Identity, private_key_pem: str, *, ttl: timedelta = timedelta(seconds=60)
) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": identity.subject,
        "iat": now,
        "exp": now + ttl,
        "identity": identity.model_dump(mode="json"),
    }
    return jwt.encode(claims, private_key_pem, algorithm=_ALGORITHM)


def verify_identity_token(token: str, public_key_pem: str) -> Identity:
    try:
        claims = jwt.decode(
            token,
            public_key_pem,
            algorithms=[_ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=5,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise ServiceError(
            "UNAUTHENTICATED", f"Invalid identity token: {error}", status=401
        ) from None
    return Identity.model_validate(claims["identity"])
