"""HTTP Basic with username = vendor API key, password = user API key (METRC.md 1.2)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from metrc_sandbox.model import User
from metrc_sandbox.store import SandboxState


@dataclass(frozen=True)
class Caller:
    vendor_key: str
    user: User


def authenticate(state: SandboxState, authorization: str | None) -> Caller | None:
    if authorization is None:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    vendor_key, separator, user_key = decoded.partition(":")
    if not separator or vendor_key not in state.vendor_keys:
        return None
    user = state.users.get(user_key)
    return None if user is None else Caller(vendor_key, user)
