"""Requests of the compliance API turned into the service layer's commands and queries (the
handlers never see an HTTP model)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from uuid import UUID

from shared.contracts import compliance as api
from shared.errors import ServiceError

from compliance.domain import (
    JurisdictionRules,
    Program,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogQuery,
    SyncStatus,
)
from compliance.service_layer import RetryFailed, SaveCredentials, SaveRules

__all__ = [
    "ledger_query",
    "next_ledger_cursor",
    "next_sync_log_cursor",
    "retry_failed",
    "save_credentials",
    "save_rules",
    "sync_log_query",
]


def save_rules(site_id: UUID, body: api.SiteRulesSave, actor: str) -> SaveRules:
    return SaveRules(
        rules=JurisdictionRules(
            site_id=site_id,
            state=body.state,
            program=Program(body.program.value),
            require_metrc_id=body.require_metrc_id,
            metrc_base_url=body.metrc_base_url,
            license_number=body.license_number,
            time_zone=body.time_zone,
            reason_map=dict(body.reason_map),
            unit_map=dict(body.unit_map),
            item_map=dict(body.item_map),
            location_map=dict(body.location_map),
            track_locations=body.track_locations,
            allow_opening_balance=body.allow_opening_balance,
        ),
        actor=actor,
    )


def save_credentials(license_number: str, body: api.CredentialsSave, actor: str) -> SaveCredentials:
    return SaveCredentials(
        license_number=license_number,
        state=body.state,
        vendor_key=body.vendor_key,
        user_key=body.user_key,
        actor=actor,
        expires_at=body.expires_at,
        notify_emails=tuple(body.notify_emails),
    )


def retry_failed(
    license_number: str, body: api.RetryRequest, actor: str, *, trace_parent: str | None = None
) -> RetryFailed:
    ids = None if body.submission_ids is None else tuple(dict.fromkeys(body.submission_ids))
    return RetryFailed(
        license_number=license_number,
        actor=actor,
        submission_ids=ids,
        trace_parent=trace_parent,
    )


_SEQUENCE = re.compile(r"[0-9]{1,18}")


# Cursors are opaque to clients: base64 of a small JSON array (the last row's sort key).
def _encode(parts: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def _decode(cursor: str, size: int) -> list[str]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        parts = None
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise _bad_cursor()
    return parts


def _bad_cursor() -> ServiceError:
    return ServiceError(
        "VALIDATION_ERROR",
        "The request is not valid: cursor is not one this API gave out",
        status=422,
        details={"problems": [{"field": "query.cursor", "problem": "not a cursor of this list"}]},
    )


def ledger_query(q: api.LedgerQuery) -> SubmissionQuery:
    before = None
    if q.cursor is not None:
        (text,) = _decode(q.cursor, 1)
        if not _SEQUENCE.fullmatch(text):  # a bigint, ASCII digits only
            raise _bad_cursor()
        before = int(text)
    return SubmissionQuery(
        license_number=q.license_number,
        site_id=q.site_id,
        batch_id=q.batch_id,
        states=frozenset(SubmissionState(s.value) for s in q.state) or None,
        kinds=frozenset(SubmissionKind(k.value) for k in q.kind) or None,
        created_since=q.since,
        created_until=q.until,
        limit=q.limit + 1,
        before_sequence=before,
    )


def next_ledger_cursor(last_sequence: int) -> str:
    return _encode([str(last_sequence)])


def sync_log_query(q: api.SyncLogQuery) -> SyncLogQuery:
    before = None
    if q.cursor is not None:
        at, entry = _decode(q.cursor, 2)
        try:
            instant = datetime.fromisoformat(at)
            # A forged instant may be naive, or fall outside years 1 to 9999 once in UTC.
            if instant.tzinfo is None:
                raise ValueError(at)
            before = (instant.astimezone(UTC), UUID(entry))
        except (ValueError, OverflowError):
            raise _bad_cursor() from None
    return SyncLogQuery(
        license_number=q.license_number,
        site_id=q.site_id,
        status=SyncStatus(q.status.value) if q.status else None,
        operation=q.operation,
        since=q.since,
        until=q.until,
        limit=q.limit + 1,
        before=before,
    )


def next_sync_log_cursor(started_at: datetime, entry_id: UUID) -> str:
    return _encode([started_at.isoformat(), str(entry_id)])
