"""The compliance records the service layer stores whole, on PostgreSQL: jurisdiction rules,
sealed credentials, package links, the sync log and the notification feed (README §4).

Each repository implements its protocol of ``service_layer.ports`` on the unit of work's
connection (inside its transaction; none commits). Statements are ``shared.database.Sql`` with
named parameters; records nested in a row (a link's batch, source and problem) are ``jsonb`` in
the form of ``codec``.
"""

# Statements are assembled only from this module's constant column lists and fixed clauses;
# every value is a bound parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import asyncpg
from shared.database import Connection, Sql, from_row
from shared.json_form import encode

from compliance.adapters.postgres.codec import from_json, to_json
from compliance.domain import (
    BatchFacts,
    Direction,
    JurisdictionRules,
    KeyStatus,
    LicenseCredentials,
    LinkState,
    Notification,
    NotificationKind,
    PackageLink,
    PackageSource,
    PlannedPackage,
    Problem,
    Program,
    SealedSecret,
    Severity,
    SyncLogEntry,
    SyncLogQuery,
    SyncStatus,
)
from compliance.service_layer.ports import TagTakenError

__all__ = [
    "PgCredentials",
    "PgJurisdictions",
    "PgLinks",
    "PgNotifications",
    "PgSyncLog",
]


def _json(value: Any) -> str | None:
    return None if value is None else encode(to_json(value))


def _read_json(hint: Any, text: str | None) -> Any:
    return None if text is None else from_json(hint, json.loads(text))


# --------------------------------------------------------------------- jurisdiction rules

_RULES_COLUMNS = (
    "site_id, state, program, require_metrc_id, metrc_base_url, license_number, time_zone, "
    "reason_map, unit_map, item_map, location_map, track_locations, allow_opening_balance, "
    "updated_at, updated_by"
)
_SAVE_RULES = Sql(
    f"""
    INSERT INTO jurisdiction_rules ({_RULES_COLUMNS})
    VALUES (:site_id, :state, :program, :require_metrc_id, :metrc_base_url, :license_number,
            :time_zone, CAST(:reason_map AS jsonb), CAST(:unit_map AS jsonb),
            CAST(:item_map AS jsonb), CAST(:location_map AS jsonb), :track_locations,
            :allow_opening_balance, :updated_at, :updated_by)
    ON CONFLICT (site_id) DO UPDATE SET
        state = excluded.state, program = excluded.program,
        require_metrc_id = excluded.require_metrc_id, metrc_base_url = excluded.metrc_base_url,
        license_number = excluded.license_number, time_zone = excluded.time_zone,
        reason_map = excluded.reason_map, unit_map = excluded.unit_map,
        item_map = excluded.item_map, location_map = excluded.location_map,
        track_locations = excluded.track_locations,
        allow_opening_balance = excluded.allow_opening_balance,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by
    """
)
_RULES_OF_SITE = Sql(f"SELECT {_RULES_COLUMNS} FROM jurisdiction_rules WHERE site_id = :site_id")
_RULES_OF_LICENSE = Sql(
    f"SELECT {_RULES_COLUMNS} FROM jurisdiction_rules WHERE license_number = :license_number"
    " ORDER BY site_id"
)
_ALL_RULES = Sql(f"SELECT {_RULES_COLUMNS} FROM jurisdiction_rules ORDER BY site_id")


def _rules(row: Mapping[str, Any]) -> JurisdictionRules:
    return from_row(
        JurisdictionRules,
        row,
        program=Program(row["program"]),
        reason_map=json.loads(row["reason_map"]),
        unit_map=json.loads(row["unit_map"]),
        item_map=json.loads(row["item_map"]),
        location_map=json.loads(row["location_map"]),
    )


class PgJurisdictions:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, site_id: UUID) -> JurisdictionRules | None:
        row = await self._conn.fetchrow(
            _RULES_OF_SITE.text, *_RULES_OF_SITE.args({"site_id": site_id})
        )
        return None if row is None else _rules(row)

    async def save(self, rules: JurisdictionRules) -> None:
        values = {
            "site_id": rules.site_id,
            "state": rules.state,
            "program": rules.program.value,
            "require_metrc_id": rules.require_metrc_id,
            "metrc_base_url": rules.metrc_base_url,
            "license_number": rules.license_number,
            "time_zone": rules.time_zone,
            "reason_map": encode(dict(rules.reason_map)),
            "unit_map": encode(dict(rules.unit_map)),
            "item_map": encode(dict(rules.item_map)),
            "location_map": encode(dict(rules.location_map)),
            "track_locations": rules.track_locations,
            "allow_opening_balance": rules.allow_opening_balance,
            "updated_at": rules.updated_at,
            "updated_by": rules.updated_by,
        }
        await self._conn.execute(_SAVE_RULES.text, *_SAVE_RULES.args(values))

    async def for_license(self, license_number: str) -> list[JurisdictionRules]:
        args = _RULES_OF_LICENSE.args({"license_number": license_number})
        return [_rules(r) for r in await self._conn.fetch(_RULES_OF_LICENSE.text, *args)]

    async def all(self) -> list[JurisdictionRules]:
        return [_rules(r) for r in await self._conn.fetch(_ALL_RULES.text)]


# --------------------------------------------------------------------- credentials

_CREDENTIAL_COLUMNS = (
    "license_number, state, vendor_key, user_key, vendor_key_hint, user_key_hint, status, "
    "validated_at, validation_message, expires_at, notify_emails, saved_at, saved_by"
)
_SAVE_CREDENTIALS = Sql(
    f"""
    INSERT INTO metrc_credentials ({_CREDENTIAL_COLUMNS})
    VALUES (:license_number, :state, :vendor_key, :user_key, :vendor_key_hint, :user_key_hint,
            :status, :validated_at, :validation_message, :expires_at,
            CAST(:notify_emails AS text[]), :saved_at, :saved_by)
    ON CONFLICT (license_number) DO UPDATE SET
        state = excluded.state, vendor_key = excluded.vendor_key, user_key = excluded.user_key,
        vendor_key_hint = excluded.vendor_key_hint, user_key_hint = excluded.user_key_hint,
        status = excluded.status, validated_at = excluded.validated_at,
        validation_message = excluded.validation_message, expires_at = excluded.expires_at,
        notify_emails = excluded.notify_emails, saved_at = excluded.saved_at,
        saved_by = excluded.saved_by
    """
)
_CREDENTIALS_OF = Sql(
    f"SELECT {_CREDENTIAL_COLUMNS} FROM metrc_credentials WHERE license_number = :license_number"
)
_ALL_CREDENTIALS = Sql(
    f"SELECT {_CREDENTIAL_COLUMNS} FROM metrc_credentials ORDER BY license_number"
)


def _credentials(row: Mapping[str, Any]) -> LicenseCredentials:
    return from_row(
        LicenseCredentials,
        row,
        vendor_key=SealedSecret.from_text(row["vendor_key"]),
        user_key=SealedSecret.from_text(row["user_key"]),
        status=KeyStatus(row["status"]),
        notify_emails=tuple(row["notify_emails"]),
    )


class PgCredentials:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, license_number: str) -> LicenseCredentials | None:
        args = _CREDENTIALS_OF.args({"license_number": license_number})
        row = await self._conn.fetchrow(_CREDENTIALS_OF.text, *args)
        return None if row is None else _credentials(row)

    async def save(self, credentials: LicenseCredentials) -> None:
        c = credentials
        values = {
            "license_number": c.license_number,
            "state": c.state,
            "vendor_key": c.vendor_key.to_text(),
            "user_key": c.user_key.to_text(),
            "vendor_key_hint": c.vendor_key_hint,
            "user_key_hint": c.user_key_hint,
            "status": c.status.value,
            "validated_at": c.validated_at,
            "validation_message": c.validation_message,
            "expires_at": c.expires_at,
            "notify_emails": list(c.notify_emails),
            "saved_at": c.saved_at,
            "saved_by": c.saved_by,
        }
        await self._conn.execute(_SAVE_CREDENTIALS.text, *_SAVE_CREDENTIALS.args(values))

    async def all(self) -> list[LicenseCredentials]:
        return [_credentials(r) for r in await self._conn.fetch(_ALL_CREDENTIALS.text)]


# --------------------------------------------------------------------- package links

_LINK_COLUMNS = (
    "batch_id, site_id, license_number, state, tag, source, batch, applied_version, "
    "applied_sequence, planned_quantity, planned_finished, planned_location_id, "
    "metrc_package_id, problem, updated_at"
)
# How both saves below end: a link saved again replaces the stored one whole.
_LINK_UPSERT = """
    ON CONFLICT (batch_id) DO UPDATE SET
        site_id = excluded.site_id, license_number = excluded.license_number,
        state = excluded.state, tag = excluded.tag, source = excluded.source,
        batch = excluded.batch, applied_version = excluded.applied_version,
        applied_sequence = excluded.applied_sequence,
        planned_quantity = excluded.planned_quantity,
        planned_finished = excluded.planned_finished,
        planned_location_id = excluded.planned_location_id,
        metrc_package_id = excluded.metrc_package_id, problem = excluded.problem,
        updated_at = excluded.updated_at
    RETURNING 1
"""
# A tag another batch's link of the license holds refuses the save (nothing written, the
# transaction still usable), as the in-memory reference does; the unique index backs it up
# against a concurrent writer (claims hold the license's lock, so that race needs two writers
# outside a claim).
_SAVE_LINK = Sql(
    f"""
    INSERT INTO package_links ({_LINK_COLUMNS})
    SELECT :batch_id, :site_id, :license_number, :state, :tag, CAST(:source AS jsonb),
           CAST(:batch AS jsonb), :applied_version, :applied_sequence, :planned_quantity,
           :planned_finished, :planned_location_id, :metrc_package_id, CAST(:problem AS jsonb),
           :updated_at
    WHERE CAST(:tag AS text) IS NULL OR NOT EXISTS (
        SELECT 1 FROM package_links
        WHERE license_number = :license_number AND tag = :tag AND batch_id <> :batch_id
    )
    {_LINK_UPSERT}
    """
)
# Many links at once (a request's outcome, a claim's tags), each under the same tag rule.
_SAVE_LINKS = Sql(
    f"""
    INSERT INTO package_links ({_LINK_COLUMNS})
    SELECT x.batch_id, x.site_id, x.license_number, x.state, x.tag, CAST(x.source AS jsonb),
           CAST(x.batch AS jsonb), x.applied_version, x.applied_sequence, x.planned_quantity,
           x.planned_finished, x.planned_location_id, x.metrc_package_id,
           CAST(x.problem AS jsonb), x.updated_at
    FROM unnest(
        CAST(:batch_id AS uuid[]), CAST(:site_id AS uuid[]), CAST(:license_number AS text[]),
        CAST(:state AS text[]), CAST(:tag AS text[]), CAST(:source AS text[]),
        CAST(:batch AS text[]), CAST(:applied_version AS integer[]),
        CAST(:applied_sequence AS integer[]), CAST(:planned_quantity AS numeric[]),
        CAST(:planned_finished AS boolean[]), CAST(:planned_location_id AS text[]),
        CAST(:metrc_package_id AS bigint[]), CAST(:problem AS text[]),
        CAST(:updated_at AS timestamptz[])
    ) AS x(batch_id, site_id, license_number, state, tag, source, batch, applied_version,
           applied_sequence, planned_quantity, planned_finished, planned_location_id,
           metrc_package_id, problem, updated_at)
    WHERE x.tag IS NULL OR NOT EXISTS (
        SELECT 1 FROM package_links p
        WHERE p.license_number = x.license_number AND p.tag = x.tag AND p.batch_id <> x.batch_id
    )
    {_LINK_UPSERT}
    """
)
_LINKS_OF = Sql(
    f"SELECT {_LINK_COLUMNS} FROM package_links WHERE batch_id = ANY(CAST(:batch_ids AS uuid[]))"
)
_LOCK_LINKS = Sql(
    "SELECT batch_id FROM package_links WHERE batch_id = ANY(CAST(:batch_ids AS uuid[]))"
    " ORDER BY batch_id FOR UPDATE"
)
_OWNER_OF_TAG = Sql(
    "SELECT batch_id FROM package_links WHERE license_number = :license_number AND tag = :tag"
)
_OWNERS_OF_TAGS = Sql(
    """
    SELECT tag, batch_id FROM package_links
    WHERE license_number = :license_number AND tag = ANY(CAST(:tags AS text[]))
    """
)
_TAGS_IN_USE = Sql(
    """
    SELECT tag FROM package_links
    WHERE license_number = :license_number AND tag = ANY(CAST(:tags AS text[]))
    """
)


@lru_cache(maxsize=4096)
def _batch_facts(text: str) -> BatchFacts:
    """A link's batch as inventory last described it, decoded once per text: a push reads each
    link at its claim and again at its answer. The record is frozen, so readers may share it."""
    return cast(BatchFacts, from_json(BatchFacts, json.loads(text)))


def _link(row: Mapping[str, Any]) -> PackageLink:
    planned = None
    if row["planned_quantity"] is not None:
        planned = PlannedPackage(
            quantity=row["planned_quantity"],
            finished=row["planned_finished"],
            location_id=row["planned_location_id"],
        )
    return from_row(
        PackageLink,
        row,
        state=LinkState(row["state"]),
        batch=_batch_facts(row["batch"]),
        applied_through=(row["applied_version"], row["applied_sequence"]),
        source=_read_json(PackageSource | None, row["source"]),
        planned=planned,
        problem=_read_json(Problem | None, row["problem"]),
    )


class PgLinks:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        # The batch of each link this unit of work read, with its stored text: a link saved
        # with that same record (a push's outcome changes the link's state, not its batch)
        # writes the text again instead of encoding the batch anew.
        self._batch_texts: dict[int, tuple[BatchFacts, str]] = {}

    async def lock(self, batch_ids: Collection[UUID]) -> None:
        if batch_ids:
            await self._conn.fetch(
                _LOCK_LINKS.text, *_LOCK_LINKS.args({"batch_ids": sorted(batch_ids)})
            )

    async def get(self, batch_id: UUID) -> PackageLink | None:
        return (await self.get_many([batch_id])).get(batch_id)

    async def get_many(self, batch_ids: Collection[UUID]) -> dict[UUID, PackageLink]:
        if not batch_ids:
            return {}
        rows = await self._conn.fetch(
            _LINKS_OF.text, *_LINKS_OF.args({"batch_ids": list(batch_ids)})
        )
        links = {row["batch_id"]: _link(row) for row in rows}
        for row in rows:
            batch = links[row["batch_id"]].batch
            self._batch_texts[id(batch)] = (batch, row["batch"])
        return links

    def _values(self, link: PackageLink) -> dict[str, Any]:
        known = self._batch_texts.get(id(link.batch))
        text = known[1] if known is not None and known[0] is link.batch else None
        return _link_values(link, batch_text=text)

    async def save(self, link: PackageLink) -> None:
        values = self._values(link)
        try:
            saved = await self._conn.fetchval(_SAVE_LINK.text, *_SAVE_LINK.args(values))
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "package_links_tag_per_license":
                raise TagTakenError(f"tag {link.tag} is held by another batch") from None
            raise
        if saved is None:
            raise TagTakenError(f"tag {link.tag} is held by another batch")

    async def save_many(self, links: Sequence[PackageLink]) -> None:
        if not links:
            return
        last = {link.batch_id: link for link in links}  # one row per batch: the last one given
        rows = [self._values(link) for link in last.values()]
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        try:
            saved = await self._conn.fetch(_SAVE_LINKS.text, *_SAVE_LINKS.args(columns))
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "package_links_tag_per_license":
                raise TagTakenError("a tag is held by another batch") from None
            raise
        if len(saved) != len(rows):
            raise TagTakenError("a tag is held by another batch")

    async def owner_of_tag(self, license_number: str, tag: str) -> UUID | None:
        args = _OWNER_OF_TAG.args({"license_number": license_number, "tag": tag})
        owner: UUID | None = await self._conn.fetchval(_OWNER_OF_TAG.text, *args)
        return owner

    async def owners_of_tags(self, license_number: str, tags: Collection[str]) -> dict[str, UUID]:
        if not tags:
            return {}
        args = _OWNERS_OF_TAGS.args({"license_number": license_number, "tags": list(tags)})
        return {
            r["tag"]: r["batch_id"] for r in await self._conn.fetch(_OWNERS_OF_TAGS.text, *args)
        }

    async def tags_in_use(self, license_number: str, tags: Collection[str]) -> set[str]:
        if not tags:
            return set()
        args = _TAGS_IN_USE.args({"license_number": license_number, "tags": list(tags)})
        return {row["tag"] for row in await self._conn.fetch(_TAGS_IN_USE.text, *args)}


def _link_values(link: PackageLink, *, batch_text: str | None = None) -> dict[str, Any]:
    planned = link.planned
    return {
        "batch_id": link.batch_id,
        "site_id": link.site_id,
        "license_number": link.license_number,
        "state": link.state.value,
        "tag": link.tag,
        "source": _json(link.source),
        "batch": batch_text or _json(link.batch),
        "applied_version": link.applied_through[0],
        "applied_sequence": link.applied_through[1],
        "planned_quantity": None if planned is None else planned.quantity,
        "planned_finished": None if planned is None else planned.finished,
        "planned_location_id": None if planned is None else planned.location_id,
        "metrc_package_id": link.metrc_package_id,
        "problem": _json(link.problem),
        "updated_at": link.updated_at,
    }


# --------------------------------------------------------------------- sync log

_SYNC_COLUMNS = (
    "id, operation, direction, status, started_at, finished_at, actor, license_number, "
    "site_id, objects, accepted, rejected, batch_ids, submission_ids, http_status, "
    "error_code, error_message, guidance"
)
_ADD_SYNC = Sql(
    f"""
    INSERT INTO sync_log ({_SYNC_COLUMNS})
    VALUES (:id, :operation, :direction, :status, :started_at, :finished_at, :actor,
            :license_number, :site_id, :objects, :accepted, :rejected,
            CAST(:batch_ids AS uuid[]), CAST(:submission_ids AS uuid[]), :http_status,
            :error_code, :error_message, :guidance)
    """
)
_QUERY_SYNC = Sql(
    f"""
    SELECT {_SYNC_COLUMNS} FROM sync_log
    WHERE (CAST(:license_number AS text) IS NULL OR license_number = :license_number)
      AND (CAST(:site_id AS uuid) IS NULL OR site_id = :site_id)
      AND (CAST(:status AS text) IS NULL OR status = :status)
      AND (CAST(:operation AS text) IS NULL OR operation = :operation)
      AND (CAST(:since AS timestamptz) IS NULL OR started_at >= :since)
      AND (CAST(:until AS timestamptz) IS NULL OR started_at < :until)
      AND (CAST(:before_at AS timestamptz) IS NULL
           OR (started_at, id) < (:before_at, CAST(:before_id AS uuid)))
    ORDER BY started_at DESC, id DESC
    LIMIT :limit
    """
)


def _sync_entry(row: Mapping[str, Any]) -> SyncLogEntry:
    return from_row(
        SyncLogEntry,
        row,
        direction=Direction(row["direction"]),
        status=SyncStatus(row["status"]),
        batch_ids=tuple(row["batch_ids"]),
        submission_ids=tuple(row["submission_ids"]),
    )


class PgSyncLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, entry: SyncLogEntry) -> None:
        values = {
            "id": entry.id,
            "operation": entry.operation,
            "direction": entry.direction.value,
            "status": entry.status.value,
            "started_at": entry.started_at,
            "finished_at": entry.finished_at,
            "actor": entry.actor,
            "license_number": entry.license_number,
            "site_id": entry.site_id,
            "objects": entry.objects,
            "accepted": entry.accepted,
            "rejected": entry.rejected,
            "batch_ids": list(entry.batch_ids),
            "submission_ids": list(entry.submission_ids),
            "http_status": entry.http_status,
            "error_code": entry.error_code,
            "error_message": entry.error_message,
            "guidance": entry.guidance,
        }
        await self._conn.execute(_ADD_SYNC.text, *_ADD_SYNC.args(values))

    async def query(self, query: SyncLogQuery) -> list[SyncLogEntry]:
        values = {
            "license_number": query.license_number,
            "site_id": query.site_id,
            "status": None if query.status is None else query.status.value,
            "operation": query.operation,
            "since": query.since,
            "until": query.until,
            "before_at": None if query.before is None else query.before[0],
            "before_id": None if query.before is None else query.before[1],
            "limit": query.limit,
        }
        rows = await self._conn.fetch(_QUERY_SYNC.text, *_QUERY_SYNC.args(values))
        return [_sync_entry(r) for r in rows]


# --------------------------------------------------------------------- notifications

_NOTIFICATION_COLUMNS = (
    "id, kind, severity, title, message, guidance, created_at, license_number, site_id, "
    "subject, dedup_key, resolved_at, emailed_at"
)
_RAISE = Sql(
    f"""
    INSERT INTO notifications ({_NOTIFICATION_COLUMNS})
    VALUES (:id, :kind, :severity, :title, :message, :guidance, :created_at, :license_number,
            :site_id, :subject, :dedup_key, :resolved_at, :emailed_at)
    ON CONFLICT (dedup_key) WHERE resolved_at IS NULL DO NOTHING
    RETURNING id
    """
)
_RESOLVE = Sql(
    """
    UPDATE notifications SET resolved_at = :at
    WHERE dedup_key = :dedup_key AND resolved_at IS NULL
    """
)
_RECENT = Sql(
    f"""
    SELECT {_NOTIFICATION_COLUMNS} FROM notifications
    WHERE (CAST(:license_number AS text) IS NULL OR license_number = :license_number)
      AND (NOT :open_only OR resolved_at IS NULL)
    ORDER BY created_at DESC
    LIMIT :limit
    """
)
_UNDELIVERED = Sql(
    f"""
    SELECT {_NOTIFICATION_COLUMNS} FROM notifications
    WHERE emailed_at IS NULL ORDER BY created_at LIMIT :limit
    """
)
_MARK_EMAILED = Sql("UPDATE notifications SET emailed_at = :at WHERE id = :id")


def _notification(row: Mapping[str, Any]) -> Notification:
    return from_row(
        Notification,
        row,
        kind=NotificationKind(row["kind"]),
        severity=Severity(row["severity"]),
    )


class PgNotifications:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def raise_(self, notification: Notification) -> bool:
        n = notification
        values = {
            "id": n.id,
            "kind": n.kind.value,
            "severity": n.severity.value,
            "title": n.title,
            "message": n.message,
            "guidance": n.guidance,
            "created_at": n.created_at,
            "license_number": n.license_number,
            "site_id": n.site_id,
            "subject": n.subject,
            "dedup_key": n.dedup_key,
            "resolved_at": n.resolved_at,
            "emailed_at": n.emailed_at,
        }
        stored = await self._conn.fetchval(_RAISE.text, *_RAISE.args(values))
        return stored is not None

    async def resolve(self, dedup_key: str, at: datetime) -> None:
        await self._conn.execute(_RESOLVE.text, *_RESOLVE.args({"dedup_key": dedup_key, "at": at}))

    async def recent(
        self, *, license_number: str | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Notification]:
        values = {"license_number": license_number, "open_only": open_only, "limit": limit}
        rows = await self._conn.fetch(_RECENT.text, *_RECENT.args(values))
        return [_notification(r) for r in rows]

    async def undelivered(self, limit: int) -> list[Notification]:
        rows = await self._conn.fetch(_UNDELIVERED.text, *_UNDELIVERED.args({"limit": limit}))
        return [_notification(r) for r in rows]

    async def mark_emailed(self, notification_id: UUID, at: datetime) -> None:
        args = _MARK_EMAILED.args({"id": notification_id, "at": at})
        await self._conn.execute(_MARK_EMAILED.text, *args)
