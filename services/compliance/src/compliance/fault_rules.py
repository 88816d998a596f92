"""The faults the exactly-once fault runs (``fault_run``, ``transfer_fault_run``) ask the Metrc
sandbox for: rules of its ``/_sandbox/faults`` queue, each spent by the next matching call."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

__all__ = ["FAULT_KINDS", "fault_rule"]

FAULT_KINDS = ("lost_response", "rate_limit", "status")
"""What the sandbox injects on a write: the answer lost after Metrc applied it, a 429 storm, a
5xx. A run draws from all of them at once unless told otherwise."""


def fault_rule(rng: random.Random, kinds: Sequence[str], method: str, path: str) -> dict[str, Any]:
    """A fault of one of ``kinds`` on the next ``method path`` call."""
    kind = rng.choice(list(kinds))
    rule: dict[str, Any] = {"method": method, "path": path, "kind": kind, "times": 1}
    if kind == "rate_limit":
        rule["times"] = rng.randint(2, 6)  # a storm: several answers in a row
    if kind == "status":
        rule["status"] = rng.choice([500, 502, 503])
    return rule
