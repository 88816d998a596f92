"""Identity tokens: only the gateway's key makes one the services accept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from shared.errors import ServiceError
from shared.identity import (
    ALL_SITES,
    Identity,
    generate_keypair,
    issue_identity_token,
    verify_identity_token,
)

ALICE = Identity(
    subject="u-1", roles=("Inventory",), permissions=("inventory:read",), sites=("s1",)
)


def test_a_token_signed_by_the_gateway_verifies_and_carries_the_identity() -> None:
    private, public = generate_keypair()
    assert verify_identity_token(issue_identity_token(ALICE, private), public) == ALICE


def test_a_token_signed_with_another_key_is_refused() -> None:
    forger, _ = generate_keypair()
    _, public = generate_keypair()
    with pytest.raises(ServiceError) as refused:
        verify_identity_token(issue_identity_token(ALICE, forger), public)
    assert (refused.value.code, refused.value.status) == ("UNAUTHENTICATED", 401)


def test_an_expired_token_is_refused() -> None:
    private, public = generate_keypair()
    token = issue_identity_token(ALICE, private, ttl=timedelta(seconds=-60))
    with pytest.raises(ServiceError, match="expired"):
        verify_identity_token(token, public)


def test_a_tampered_token_is_refused() -> None:
    private, public = generate_keypair()
    header, payload, signature = issue_identity_token(ALICE, private).split(".")
    with pytest.raises(ServiceError):
        verify_identity_token(f"{header}.{payload[:-2]}AA.{signature}", public)


def test_site_grants_and_permissions() -> None:
    assert ALICE.can_access_site("s1")
    assert not ALICE.can_access_site("s2")
    assert Identity(subject="admin", sites=(ALL_SITES,)).can_access_site("anything")
    with pytest.raises(ServiceError) as denied:
        ALICE.require("inventory:update")
    assert denied.value.status == 403


def test_a_token_for_another_audience_or_issuer_is_refused() -> None:
    private, public = generate_keypair()
    now = datetime.now(UTC)
    base = {
        "sub": "u-1",
        "iat": now,
        "exp": now + timedelta(minutes=1),
        "identity": ALICE.model_dump(mode="json"),
    }
    for claims in (
        {**base, "aud": "someone-else", "iss": "canopy-gateway"},
        {**base, "aud": "canopy-services", "iss": "someone-else"},
        {**base, "iss": "canopy-gateway"},
    ):
        with pytest.raises(ServiceError):
            verify_identity_token(jwt.encode(claims, private, algorithm="EdDSA"), public)


def test_a_token_without_an_expiry_is_refused() -> None:
    private, public = generate_keypair()
    claims = {
        "sub": "u-1",
        "aud": "canopy-services",
        "iss": "canopy-gateway",
        "iat": datetime.now(UTC),
        "identity": ALICE.model_dump(mode="json"),
    }
    with pytest.raises(ServiceError):
        verify_identity_token(jwt.encode(claims, private, algorithm="EdDSA"), public)


def test_a_token_signed_with_the_public_key_as_an_hmac_secret_is_refused() -> None:
    _, public = generate_keypair()
    now = datetime.now(UTC)
    claims = {
        "sub": "u-1",
        "aud": "canopy-services",
        "iss": "canopy-gateway",
        "iat": now,
        "exp": now + timedelta(minutes=1),
        "identity": ALICE.model_dump(mode="json"),
    }
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).rstrip(
        b"="
    )
    body = base64.urlsafe_b64encode(
        json.dumps(claims, default=lambda d: int(d.timestamp())).encode()
    ).rstrip(b"=")
    signature = base64.urlsafe_b64encode(
        hmac.new(public.encode(), header + b"." + body, hashlib.sha256).digest()
    ).rstrip(b"=")
    with pytest.raises(ServiceError):
        verify_identity_token((header + b"." + body + b"." + signature).decode(), public)


def test_the_key_pair_is_created_once_with_a_private_private_key(tmp_path: Path) -> None:
    from shared.identity_keys import ensure_keypair

    assert ensure_keypair(tmp_path / "private", tmp_path / "public")
    private, public = tmp_path / "private" / "private.pem", tmp_path / "public" / "public.pem"
    assert private.stat().st_mode & 0o777 == 0o400
    assert public.stat().st_mode & 0o777 == 0o444
    before = public.read_text()
    assert not ensure_keypair(tmp_path / "private", tmp_path / "public")
    assert public.read_text() == before
    token = issue_identity_token(ALICE, private.read_text())
    assert verify_identity_token(token, public.read_text()) == ALICE
