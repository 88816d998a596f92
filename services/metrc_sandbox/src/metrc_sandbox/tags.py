"""Deterministic 24-character tag labels.

Shape, after real sandbox tags: ``1A4FF01`` (package) or ``1A4FF00`` (plant) + an 8-character
facility block drawn from the seed + a 9-digit serial. Tags of one facility and kind are sequential,
which is what lets ``StartingTag`` + ``Count`` name a run of plant tags.
"""

from __future__ import annotations

import random
import re

TAG_PATTERN = re.compile(r"^[0-9A-Z]{24}$")
_PREFIX = {"Package": "1A4FF01", "Plant": "1A4FF00"}
SERIAL_DIGITS = 9


def facility_block(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08X}"


def tag_label(kind: str, block: str, serial: int) -> str:
    return f"{_PREFIX[kind]}{block}{serial:0{SERIAL_DIGITS}d}"


def is_tag_label(label: str) -> bool:
    return TAG_PATTERN.fullmatch(label) is not None


def next_labels(starting: str, count: int) -> list[str] | None:
    """``count`` labels from ``starting`` on, or None if ``starting`` does not end in a serial."""
    stem, serial = starting[:-SERIAL_DIGITS], starting[-SERIAL_DIGITS:]
    if not serial.isdigit():
        return None
    first = int(serial)
    if first + count > 10**SERIAL_DIGITS:
        return None
    return [f"{stem}{first + offset:0{SERIAL_DIGITS}d}" for offset in range(count)]
