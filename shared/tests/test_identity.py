"""Identity tokens: only the gateway's key makes one the services accept."""

from __future__ import annotations

from datetime import timedelta

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
