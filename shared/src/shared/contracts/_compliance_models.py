"""Request, query and response models of the compliance API (private; import from
``shared.contracts.compliance``). camelCase on the wire, decimal strings, aware UTC times; an
unknown field is refused."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, SecretStr, StringConstraints

from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
    "BatchCompliance",
    "BatchLink",
    "CredentialsSave",
    "CredentialsView",
    "KeyStatus",
    "LedgerQuery",
    "LicenseHealth",
    "LinkState",
    "ManualPushResult",
    "MetrcProblem",
    "NotificationKind",
    "NotificationQuery",
    "NotificationView",
    "PackageSourceView",
    "Program",
    "RetryRequest",
    "RetryResult",
    "RotationResult",
    "RulesSaveResult",
    "Severity",
    "SiteRules",
    "SiteRulesSave",
    "SubmissionKind",
    "SubmissionPage",
    "SubmissionState",
    "SubmissionView",
    "SyncDirection",
    "SyncLogEntryView",
    "SyncLogPage",
    "SyncLogQuery",
    "SyncStatus",
    "WaitReason",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
License = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Cursor = Annotated[str, StringConstraints(max_length=200)]


class Program(StrEnum):
    CANNABIS = "CANNABIS"
    HEMP = "HEMP"


class KeyStatus(StrEnum):
    UNVALIDATED = "UNVALIDATED"
    VALID = "VALID"
    INVALID = "INVALID"


class LinkState(StrEnum):
    NOT_TRACKED = "NOT_TRACKED"
    UNLINKED = "UNLINKED"
    PENDING = "PENDING"
    LINKED = "LINKED"


class SubmissionKind(StrEnum):
    CREATE_PACKAGE = "CREATE_PACKAGE"
    CREATE_HARVEST_PACKAGE = "CREATE_HARVEST_PACKAGE"
    LINK_PACKAGE = "LINK_PACKAGE"
    ADJUST_PACKAGE = "ADJUST_PACKAGE"
    CHANGE_LOCATION = "CHANGE_LOCATION"
    FINISH_PACKAGE = "FINISH_PACKAGE"
    UNFINISH_PACKAGE = "UNFINISH_PACKAGE"
    INGREDIENT_DRAW = "INGREDIENT_DRAW"
    TRANSFER_OUT = "TRANSFER_OUT"
    PLANT_BATCH_PLANTING = "PLANT_BATCH_PLANTING"
    PLANT_BATCH_FROM_PACKAGE = "PLANT_BATCH_FROM_PACKAGE"
    PLANT_BATCH_SPLIT = "PLANT_BATCH_SPLIT"
    PLANT_BATCH_ADJUST = "PLANT_BATCH_ADJUST"
    PLANT_BATCH_LOCATION = "PLANT_BATCH_LOCATION"
    PLANT_BATCH_DESTROY = "PLANT_BATCH_DESTROY"
    PLANT_BATCH_GROWTH_PHASE = "PLANT_BATCH_GROWTH_PHASE"
    PLANT_GROWTH_PHASE = "PLANT_GROWTH_PHASE"
    HARVEST_PLANT = "HARVEST_PLANT"
    HARVEST_MANICURE = "HARVEST_MANICURE"
    HARVEST_WASTE = "HARVEST_WASTE"
    HARVEST_FINISH = "HARVEST_FINISH"
    HARVEST_UNFINISH = "HARVEST_UNFINISH"


class SubmissionState(StrEnum):
    PENDING = "PENDING"
    IN_FLIGHT = "IN_FLIGHT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    SETTLED = "SETTLED"
    """Done without a Metrc write of Canopy's: a sale settled by its transfer manifest."""


class WaitReason(StrEnum):
    READY = "READY"
    NOT_DUE = "NOT_DUE"
    IN_FLIGHT = "IN_FLIGHT"
    BEHIND_EARLIER_WRITE = "BEHIND_EARLIER_WRITE"
    BEHIND_FAILED_WRITE = "BEHIND_FAILED_WRITE"
    AWAITING_MANIFEST = "AWAITING_MANIFEST"
    AWAITING_INGREDIENT_DRAW = "AWAITING_INGREDIENT_DRAW"
    AWAITING_PACKAGE_CREATE = "AWAITING_PACKAGE_CREATE"
    STOPPED = "STOPPED"


class SyncDirection(StrEnum):
    PUSH = "PUSH"
    PULL = "PULL"
    CHECK = "CHECK"


class SyncStatus(StrEnum):
    SUCCESS = "SUCCESS"
    PARTIAL = "PARTIAL"
    REJECTED = "REJECTED"
    RETRYING = "RETRYING"
    UNKNOWN = "UNKNOWN"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class NotificationKind(StrEnum):
    PUSH_FAILED = "PUSH_FAILED"
    KEY_INVALID = "KEY_INVALID"
    KEY_EXPIRING = "KEY_EXPIRING"
    BACKLOG_GROWING = "BACKLOG_GROWING"
    QUANTITY_DRIFT = "QUANTITY_DRIFT"
    BATCH_NOT_PUSHED = "BATCH_NOT_PUSHED"
    PULL_STALE = "PULL_STALE"
    TRANSFER_STALLED = "TRANSFER_STALLED"


class Severity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


# --- jurisdictions and sites --------------------------------------------------------------------


class SiteRulesSave(ApiModel):
    """A site's jurisdiction rules, as the compliance team edits them (the whole record)."""

    state: str = Field(max_length=2, description="Two-letter state code", examples=["CO"])
    program: Program
    require_metrc_id: bool
    metrc_base_url: str | None = Field(default=None, max_length=300)
    license_number: License | None = None
    time_zone: str = Field(default="UTC", max_length=64, examples=["America/Denver"])
    reason_map: dict[Name, Name] = Field(
        default_factory=dict,
        max_length=50,
        description="Canopy cause (adjustment reason or movement type) -> Metrc adjust reason",
    )
    unit_map: dict[Name, Name] = Field(default_factory=dict, max_length=100)
    item_map: dict[Name, Name] = Field(
        default_factory=dict, max_length=10_000, description="Canopy product id -> Metrc item"
    )
    location_map: dict[Name, Name] = Field(
        default_factory=dict, max_length=1_000, description="Canopy location id -> Metrc location"
    )
    track_locations: bool = False
    allow_opening_balance: bool = False


class SiteRules(SiteRulesSave):
    site_id: UUID
    pushes_to_metrc: bool
    why_not_metrc: str | None = Field(
        default=None, description="Why the site pushes nothing (absent when it pushes)"
    )
    updated_at: UtcDateTime | None = None
    updated_by: str | None = None


class RulesSaveResult(ApiModel):
    rules: SiteRules
    checked_against_metrc: bool = Field(
        description="The Metrc names in the maps were checked against the facility's Metrc"
    )
    unchecked_because: str | None = Field(
        default=None, description="Why Metrc could not be asked (the names are checked at push)"
    )


# --- credentials --------------------------------------------------------------------------------


class CredentialsSave(ApiModel):
    """The license's Metrc keys. They are sealed at rest and never shown again (only hints)."""

    state: str = Field(max_length=2, examples=["CO"])
    vendor_key: SecretStr = Field(max_length=512, description="The integrator's key for the state")
    user_key: SecretStr = Field(max_length=512, description="The facility user's key")
    expires_at: UtcDateTime | None = Field(
        default=None, description="When the user key expires (default: in 365 days)"
    )
    notify_emails: list[Annotated[str, StringConstraints(max_length=254)]] = Field(
        default_factory=list, max_length=20, description="Where the license's notifications go"
    )


class CredentialsView(ApiModel):
    """What may be shown of a license's keys: hints (last four characters) and the status of
    the last validation (the guide's green check); never a key."""

    license_number: str
    state: str
    vendor_key_hint: str
    user_key_hint: str
    status: KeyStatus
    validated_at: UtcDateTime | None = None
    validation_message: str | None = None
    expires_at: UtcDateTime | None = None
    notify_emails: list[str]
    saved_at: UtcDateTime
    saved_by: str


class RotationResult(ApiModel):
    resealed: int = Field(description="Licenses whose keys were sealed again under the current key")


# --- links, submissions, manual operations ------------------------------------------------------


class MetrcProblem(ApiModel):
    """Why something did not (or will not yet) reach Metrc: a stable code, this push's message,
    and the compliance guide's guidance."""

    code: str
    message: str
    guidance: str
    field: str | None = None
    retry_at: UtcDateTime | None = None


class PackageSourceView(ApiModel):
    kind: str = Field(description="OPENING_BALANCE | TRANSFER | BATCHES | HARVEST")
    manifest_number: str | None = None
    ingredient_batch_ids: list[UUID] = Field(default_factory=list)


class SubmissionView(ApiModel):
    """One intended Metrc write (or read, for a link) of a batch's package."""

    id: UUID
    sequence: int
    license_number: str
    site_id: UUID
    batch_id: UUID
    kind: SubmissionKind
    state: SubmissionState
    quantity: DecimalString | None = Field(default=None, description="Signed for adjustments")
    unit: str | None = None
    cause: str | None = Field(default=None, description="Canopy's cause of an adjustment")
    note: str | None = None
    location_id: str | None = None
    into_batch_id: UUID | None = None
    tag: str | None = Field(default=None, description="The package tag of the last attempt")
    metrc_reason: str | None = None
    attempts: int
    manual_retries: int
    next_attempt_at: UtcDateTime
    last_error: MetrcProblem | None = None
    metrc_ids: list[int]
    created_at: UtcDateTime
    first_sent_at: UtcDateTime | None = None
    sent_at: UtcDateTime | None = None
    completed_at: UtcDateTime | None = None
    caused_by: UUID | None = None
    actor: str
    dismissed_by: str | None = None
    dismissed_at: UtcDateTime | None = None
    waits_for: WaitReason | None = Field(
        default=None, description="Why an open write waits (only in a batch's view)"
    )
    settled_by: str | None = Field(
        default=None,
        description="How a SETTLED sale was settled: its manifest, accepted or rejected by the "
        "receiver",
    )


class BatchLink(ApiModel):
    """A batch's Metrc link and its last push: what the batch detail shows."""

    batch_id: UUID
    site_id: UUID
    license_number: str | None = None
    state: LinkState
    tag: str | None = None
    metrc_package_id: int | None = None
    source: PackageSourceView | None = None
    planned_quantity: DecimalString | None = Field(
        default=None, description="What Metrc will hold once every planned write is applied"
    )
    planned_finished: bool | None = None
    problem: MetrcProblem | None = None
    updated_at: UtcDateTime
    last_push: SubmissionView | None = None
    open_writes: int = Field(description="Writes of the package not yet done")


class PlantBatchMetrcState(StrEnum):
    PENDING = "PENDING"
    IN_METRC = "IN_METRC"
    STOPPED = "STOPPED"


class PlantBatchLink(ApiModel):
    """A plant batch's mirror in Metrc: its Metrc id once its planting (or the split that made
    it) was accepted, and every write of it."""

    plant_batch_id: UUID
    site_id: UUID
    license_number: str
    name: str | None = None
    state: PlantBatchMetrcState = Field(
        description="PENDING: its create is not accepted yet; IN_METRC: it is; STOPPED: its"
        " create was rejected or failed (see the submission's error and guidance)"
    )
    metrc_id: int | None = Field(default=None, description="Metrc's plant batch Id")
    last_push: SubmissionView | None = None
    open_writes: int = Field(description="Writes of the plant batch not yet done")
    submissions: list[SubmissionView]


class BatchCompliance(ApiModel):
    link: BatchLink
    submissions: list[SubmissionView]


class ManualPushResult(ApiModel):
    link: BatchLink
    submissions: list[SubmissionView]
    notes: list[MetrcProblem]


class RetryRequest(ApiModel):
    submission_ids: list[UUID] | None = Field(
        default=None,
        max_length=500,
        description="The rejected or failed submissions to retry; absent: all of the license",
    )


class RetryResult(ApiModel):
    submissions: list[SubmissionView]


class LedgerQuery(ApiModel):
    license_number: License | None = None
    site_id: UUID | None = None
    batch_id: UUID | None = None
    state: list[SubmissionState] = Field(default_factory=list)
    kind: list[SubmissionKind] = Field(default_factory=list)
    since: UtcDateTime | None = Field(default=None, description="Created at or after")
    until: UtcDateTime | None = Field(default=None, description="Created before")
    limit: int = Field(default=100, ge=1, le=500)
    cursor: Cursor | None = None


class SubmissionPage(ApiModel):
    """Newest first; pass ``nextCursor`` back as ``cursor`` for the next page."""

    items: list[SubmissionView]
    next_cursor: str | None = None
    has_more: bool


# --- sync log, notifications, health ------------------------------------------------------------


class SyncLogQuery(ApiModel):
    license_number: License | None = None
    site_id: UUID | None = None
    status: SyncStatus | None = None
    operation: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The type: packages.create, packages.adjust, plan ..."
    )
    since: UtcDateTime | None = Field(default=None, description="Started at or after")
    until: UtcDateTime | None = Field(default=None, description="Started before")
    limit: int = Field(default=100, ge=1, le=500)
    cursor: Cursor | None = None


class SyncLogEntryView(ApiModel):
    id: UUID
    operation: str
    direction: SyncDirection
    status: SyncStatus
    started_at: UtcDateTime
    finished_at: UtcDateTime
    duration_ms: int
    actor: str
    license_number: str | None = None
    site_id: UUID | None = None
    objects: int
    accepted: int
    rejected: int
    batch_ids: list[UUID]
    submission_ids: list[UUID]
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    guidance: str | None = None


class SyncLogPage(ApiModel):
    """Newest first; pass ``nextCursor`` back as ``cursor`` for the next page."""

    items: list[SyncLogEntryView]
    next_cursor: str | None = None
    has_more: bool


class NotificationQuery(ApiModel):
    license_number: License | None = None
    open_only: bool = False
    limit: int = Field(default=100, ge=1, le=500)


class NotificationView(ApiModel):
    id: UUID
    kind: NotificationKind
    severity: Severity
    title: str
    message: str
    guidance: str
    created_at: UtcDateTime
    license_number: str | None = None
    site_id: UUID | None = None
    subject: str | None = None
    resolved_at: UtcDateTime | None = None
    emailed_at: UtcDateTime | None = None


class LicenseHealth(ApiModel):
    """One license's sync health: its queue and its keys."""

    license_number: str
    key_status: KeyStatus | None = Field(default=None, description="Absent: no keys saved")
    validated_at: UtcDateTime | None = None
    waiting: int = Field(description="Writes pending")
    in_flight: int
    stopped: int = Field(description="Rejected or failed writes nobody dismissed")
    oldest_waiting_seconds: int | None = None
    open_notifications: int
