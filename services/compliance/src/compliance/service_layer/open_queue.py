"""A license's open queue as the push lane last read it, so that the next claim decodes only
the submissions that changed since (a backlog of thousands is otherwise read and decoded whole
for every claim).

The repository asks the database which submissions are open and at which row version, drops
what left the queue, and fetches only the new and the changed ones: the result is what a full
read would return, in sequence order.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from compliance.domain import Submission

__all__ = ["OpenQueueCache"]


class OpenQueueCache:
    def __init__(self) -> None:
        self._rows: dict[UUID, tuple[str, Submission]] = {}

    def keep_only(self, versions: Mapping[UUID, str]) -> list[UUID]:
        """Forget the submissions no longer open; the ids whose row is unknown or changed."""
        for gone in self._rows.keys() - versions.keys():
            del self._rows[gone]
        return [
            submission_id
            for submission_id, version in versions.items()
            if (known := self._rows.get(submission_id)) is None or known[0] != version
        ]

    def put(self, submission: Submission, version: str) -> None:
        self._rows[submission.id] = (version, submission)

    def in_order(self) -> list[Submission]:
        return sorted((s for _, s in self._rows.values()), key=lambda s: s.sequence)

    def __len__(self) -> int:
        return len(self._rows)
