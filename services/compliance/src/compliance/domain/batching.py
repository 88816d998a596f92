"""Grouping ready writes into Metrc requests, and splitting a request Metrc rejected.

Metrc takes up to 10 objects per write and validates the whole array: one bad row rejects the
request and applies nothing. So a rejected request is split: the rows Metrc named are failed
with Metrc's message, the others are sent again without them. When Metrc's answer does not say
which row is bad (a message without a row number, or a row out of range), every row is sent
again on its own, so the next answer names the culprit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from compliance.domain.submissions import Submission, SubmissionKind

__all__ = ["MAX_OBJECTS_PER_REQUEST", "Request", "Split", "group_requests", "split_rejection"]

MAX_OBJECTS_PER_REQUEST: Final = 10


@dataclass(frozen=True)
class Request:
    """One Metrc call: writes of one kind for one license, in ledger order."""

    license_number: str
    kind: SubmissionKind
    submissions: tuple[Submission, ...]


def group_requests(
    ready: Sequence[Submission], *, max_objects: int = MAX_OBJECTS_PER_REQUEST
) -> list[Request]:
    """Ready writes as requests of at most ``max_objects``, one kind and license each.

    A request never carries two writes to one package (only the first write of a package is
    ever ready, but a request must not depend on that). Requests come out in the order of
    their first write.
    """
    if max_objects < 1:
        raise ValueError("max_objects must be at least 1")
    open_requests: dict[tuple[str, SubmissionKind], list[Submission]] = {}
    keys: dict[tuple[str, SubmissionKind], set[object]] = {}
    done: list[Request] = []
    order: list[tuple[str, SubmissionKind]] = []
    for s in sorted(ready, key=lambda s: s.sequence):
        slot = (s.license_number, s.kind)
        current = open_requests.get(slot)
        if current is not None and (len(current) >= max_objects or keys[slot] & s.package_keys):
            done.append(Request(slot[0], slot[1], tuple(current)))
            order.remove(slot)
            current = None
        if current is None:
            current = open_requests[slot] = []
            keys[slot] = set()
            order.append(slot)
        current.append(s)
        keys[slot] |= s.package_keys
    done.extend(Request(slot[0], slot[1], tuple(open_requests[slot])) for slot in order)
    return sorted(done, key=lambda r: r.submissions[0].sequence)


@dataclass(frozen=True)
class Split:
    """What to do after Metrc rejected a request.

    Attributes:
        resend: requests to send again (nothing was applied, so this is safe).
        rejected: the rows Metrc refused, each with Metrc's messages for it.
    """

    resend: tuple[tuple[Submission, ...], ...]
    rejected: tuple[tuple[Submission, tuple[str, ...]], ...]


def split_rejection(request: Sequence[Submission], rows: Sequence[tuple[int | None, str]]) -> Split:
    if len(request) == 1:
        messages = tuple(m for _, m in rows) or ("Metrc rejected the request.",)
        return Split(resend=(), rejected=((request[0], messages),))
    named: dict[int, list[str]] = {}
    for row, message in rows:
        if row is None or not 0 <= row < len(request):
            return Split(resend=tuple((s,) for s in request), rejected=())
        named.setdefault(row, []).append(message)
    if not named:
        return Split(resend=tuple((s,) for s in request), rejected=())
    good = tuple(s for i, s in enumerate(request) if i not in named)
    bad = tuple((request[i], tuple(named[i])) for i in sorted(named))
    return Split(resend=(good,) if good else (), rejected=bad)
