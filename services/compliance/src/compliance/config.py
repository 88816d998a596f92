"""Settings of the compliance service (environment variables; see the README's configuration table)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import Field, SecretStr, model_validator
from shared.settings import (
    ServiceSettings,
    consumer_group_field,
    database_url_field,
    service_name_field,
)

from compliance.service_layer.transfer_manifest_rounds import minimum_claim

__all__ = ["DEV_CREDENTIAL_KEYS", "ComplianceSettings", "SmtpSecurity"]

DEV_CREDENTIAL_KEYS = "canopy-dev-key:Y2Fub3B5LWRldi1jcmVkZW50aWFsLWtleS0wMDAwMDA="
"""Development keyring; its id starts with ``canopy-dev-``, so production refuses to start with it."""


class SmtpSecurity(StrEnum):
    NONE = "none"
    """Plain SMTP (a local relay or a test sink)."""
    STARTTLS = "starttls"
    """Upgrade to TLS with STARTTLS (port 587); refused if the server does not offer it."""
    TLS = "tls"
    """TLS from the first byte (port 465)."""


class ComplianceSettings(ServiceSettings):
    service_name: str = service_name_field("compliance")
    database_url: SecretStr = database_url_field("compliance")
    credential_keys: SecretStr = Field(
        default=SecretStr(DEV_CREDENTIAL_KEYS),
        validation_alias="COMPLIANCE_CREDENTIAL_KEYS",
        description=(
            "Keyring that encrypts the Metrc API keys at rest: <key id>:<base64 of 32 bytes>, "
            "comma-separated, current key first"
        ),
    )
    consumer_group: str = consumer_group_field("compliance")
    # --- notifications by email ----------------------------------------------------------------
    smtp_host: str | None = Field(
        default=None,
        validation_alias="COMPLIANCE_SMTP_HOST",
        description="Mail server for the notification feed; unset: nothing is mailed",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, validation_alias="COMPLIANCE_SMTP_PORT")
    smtp_security: SmtpSecurity = Field(
        default=SmtpSecurity.STARTTLS, validation_alias="COMPLIANCE_SMTP_SECURITY"
    )
    smtp_username: str | None = Field(default=None, validation_alias="COMPLIANCE_SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(
        default=None, validation_alias="COMPLIANCE_SMTP_PASSWORD"
    )
    smtp_from: str = Field(
        default="canopy-compliance@localhost",
        validation_alias="COMPLIANCE_SMTP_FROM",
        description="The notifications' From address",
    )
    smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="COMPLIANCE_SMTP_TIMEOUT_SECONDS"
    )
    notify_default_emails: str = Field(
        default="",
        validation_alias="COMPLIANCE_NOTIFY_DEFAULT_EMAILS",
        description="Comma-separated addresses for notifications of a license with none of its own",
    )
    notify_interval_seconds: float = Field(
        default=30.0, gt=0, validation_alias="COMPLIANCE_NOTIFY_INTERVAL_SECONDS"
    )

    @property
    def default_recipients(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.notify_default_emails.split(",") if a.strip())

    # --- Metrc calls and the push worker -------------------------------------------------------
    metrc_connect_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="COMPLIANCE_METRC_CONNECT_TIMEOUT_SECONDS"
    )
    metrc_read_timeout_seconds: float = Field(
        default=30.0, gt=0, validation_alias="COMPLIANCE_METRC_READ_TIMEOUT_SECONDS"
    )
    metrc_call_attempts: int = Field(
        default=4,
        ge=1,
        validation_alias="COMPLIANCE_METRC_CALL_ATTEMPTS",
        description="Tries of one Metrc call by the client (429, 5xx, nothing sent yet)",
    )
    metrc_max_retry_after_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias="COMPLIANCE_METRC_MAX_RETRY_AFTER_SECONDS",
        description="Longest Retry-After the client waits out inside a call",
    )
    metrc_max_backoff_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias="COMPLIANCE_METRC_MAX_BACKOFF_SECONDS",
        description="Cap of the client's backoff between tries of a call",
    )
    metrc_lag_seconds: float = Field(
        default=60.0,
        ge=0,
        validation_alias="COMPLIANCE_METRC_LAG_SECONDS",
        description="How long Metrc may still apply a request after the client gave up on it",
    )
    push_max_attempts: int = Field(
        default=8,
        ge=1,
        validation_alias="COMPLIANCE_PUSH_MAX_ATTEMPTS",
        description="Sends of one write before it is failed (compliance.push_failed)",
    )
    push_concurrent_requests: int = Field(
        default=10, ge=1, validation_alias="COMPLIANCE_PUSH_CONCURRENT_REQUESTS"
    )
    push_first_retry_seconds: float = Field(
        default=5.0, gt=0, validation_alias="COMPLIANCE_PUSH_FIRST_RETRY_SECONDS"
    )
    push_max_retry_seconds: float = Field(
        default=900.0, gt=0, validation_alias="COMPLIANCE_PUSH_MAX_RETRY_SECONDS"
    )
    transfer_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias="COMPLIANCE_TRANSFER_POLL_SECONDS",
        description="How often the worker brings outgoing transfer manifests a step further"
        " (make the template, archive it, follow the manifest)",
    )
    transfer_claim_seconds: float = Field(
        default=300.0,
        ge=10,
        validation_alias="COMPLIANCE_TRANSFER_CLAIM_SECONDS",
        description="How long a manifest round claims a license's open transfers (no step begins"
        " in the claim's last two fifths, no Metrc try starts in its last read timeout + connect"
        " timeout + lag): a worker killed mid-round leaves them this long. At least that margin"
        " divided by 2/5 (250 s at the defaults)",
    )
    transfer_stall_seconds: float = Field(
        default=900.0,
        gt=0,
        validation_alias="COMPLIANCE_TRANSFER_STALL_SECONDS",
        description="How long an outgoing transfer's manifest may wait (its packages not in"
        " Metrc, Metrc not answering) before a TRANSFER_STALLED notification tells a person",
    )
    push_poll_seconds: float = Field(
        default=0.1,
        gt=0,
        validation_alias="COMPLIANCE_PUSH_POLL_SECONDS",
        description="How often the worker looks for licenses with due writes",
    )
    push_rest_seconds: float = Field(
        default=1.0,
        ge=0,
        validation_alias="COMPLIANCE_PUSH_REST_SECONDS",
        description="A license whose due writes all wait (behind a failure, a backoff) rests this long",
    )
    recovery_interval_seconds: float = Field(
        default=5.0, gt=0, validation_alias="COMPLIANCE_RECOVERY_INTERVAL_SECONDS"
    )
    queue_metrics_interval_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias="COMPLIANCE_QUEUE_METRICS_INTERVAL_SECONDS",
        description="How often the worker samples the ledger for /metrics (one grouped read)",
    )

    @property
    def metrc_try_seconds(self) -> float:
        """The longest one try of a Metrc call takes: the client cuts it off at its connect and
        read timeouts together (``adapters.metrc._core.try_limit``)."""
        return self.metrc_connect_timeout_seconds + self.metrc_read_timeout_seconds

    @property
    def longest_metrc_call(self) -> timedelta:
        """The longest one Metrc call can take: every try timing out, and the longest wait
        between tries (Retry-After's cap, or the client's backoff cap)."""
        tries = self.metrc_call_attempts
        wait = max(self.metrc_max_retry_after_seconds, self.metrc_max_backoff_seconds)
        return timedelta(seconds=tries * self.metrc_try_seconds + (tries - 1) * wait)

    @property
    def transfer_calls_margin(self) -> timedelta:
        """How long before a manifest round's claim ends its Metrc calls start no more tries:
        the last try may take its whole limit, and Metrc may apply it as late as its lag after.
        So no write of a round can land once its claim has run out."""
        return timedelta(seconds=self.metrc_try_seconds + self.metrc_lag_seconds)

    @model_validator(mode="after")
    def _claim_outlasts_the_calls_margin(self) -> ComplianceSettings:
        shortest = minimum_claim(self.transfer_calls_margin).total_seconds()
        if self.transfer_claim_seconds < shortest:
            raise ValueError(
                f"COMPLIANCE_TRANSFER_CLAIM_SECONDS={self.transfer_claim_seconds:g} is too short: "
                f"a manifest round's Metrc calls start no try in the claim's last "
                f"{self.transfer_calls_margin.total_seconds():g} s (connect + read timeout + "
                f"Metrc's lag) and no step begins in its last two fifths, so the claim must be "
                f"at least {shortest:g} s; make it longer or the timeouts or lag shorter"
            )
        return self

    @property
    def read_back_after(self) -> timedelta:
        """How long after its claim a write with an unknown outcome is read back: two calls
        (a claimed request may wait for one slot before it starts) plus Metrc's lag. Shorter,
        and an abandoned request could land after the read-back said "not applied"."""
        return 2 * self.longest_metrc_call + timedelta(seconds=self.metrc_lag_seconds)

    # --- pull sync (README "Pull sync") ------------------------------------------------------------
    inventory_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias="COMPLIANCE_INVENTORY_URL",
        description="Inventory's API: the one reconciliation fix that records a movement in "
        "Canopy calls it, as the approving person",
    )
    inventory_timeout_seconds: float = Field(
        default=10.0, gt=0, validation_alias="COMPLIANCE_INVENTORY_TIMEOUT_SECONDS"
    )
    sync_interval_seconds: float = Field(
        default=600.0,
        ge=0,
        validation_alias="COMPLIANCE_SYNC_INTERVAL_SECONDS",
        description="Scheduled incremental pull of every license with keys, this often; 0: none",
    )
    sync_license_intervals: str = Field(
        default="",
        validation_alias="COMPLIANCE_SYNC_LICENSE_INTERVALS",
        description="Per-license intervals overriding the default: <license>=<seconds>,...",
    )
    sync_poll_seconds: float = Field(
        default=1.0, gt=0, validation_alias="COMPLIANCE_SYNC_POLL_SECONDS"
    )
    sync_stale_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias="COMPLIANCE_SYNC_STALE_SECONDS",
        description="A running sync whose worker has not reported for this long is taken over",
    )
    sync_overlap_seconds: float = Field(
        default=300.0,
        ge=0,
        validation_alias="COMPLIANCE_SYNC_OVERLAP_SECONDS",
        description="How far before the last successful pull an incremental pull starts",
    )
    sync_concurrent_runs: int = Field(
        default=4, ge=1, validation_alias="COMPLIANCE_SYNC_CONCURRENT_RUNS"
    )

    sync_health_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias="COMPLIANCE_SYNC_HEALTH_SECONDS",
        description="How often the worker checks every license: schedule, bursts, alerts, metrics",
    )
    # --- the sync watch (README "Pull sync": triggers and notifications) ----------------------
    sync_burst_pushes: int = Field(
        default=20,
        ge=0,
        validation_alias="COMPLIANCE_SYNC_BURST_PUSHES",
        description="Accepted pushes since the last pull that make a burst; 0: no such trigger",
    )
    sync_burst_quiet_seconds: float = Field(
        default=30.0,
        ge=0,
        validation_alias="COMPLIANCE_SYNC_BURST_QUIET_SECONDS",
        description="A burst has settled when no push was accepted for this long",
    )
    sync_stale_factor: float = Field(
        default=3.0,
        ge=1,
        validation_alias="COMPLIANCE_SYNC_STALE_FACTOR",
        description="A type's pull is stale when its last success is older than this many intervals",
    )
    sync_stale_unscheduled_seconds: float = Field(
        default=86400.0,
        gt=0,
        validation_alias="COMPLIANCE_SYNC_STALE_UNSCHEDULED_SECONDS",
        description="The same for a license without a schedule (interval 0)",
    )
    backlog_alert_size: int = Field(
        default=1000,
        ge=0,
        validation_alias="COMPLIANCE_BACKLOG_ALERT_SIZE",
        description="More writes waiting than this is a backlog",
    )
    backlog_alert_seconds: float = Field(
        default=1800.0,
        gt=0,
        validation_alias="COMPLIANCE_BACKLOG_ALERT_SECONDS",
        description="An oldest waiting write older than this is a backlog",
    )
    backlog_alert_checks: int = Field(
        default=3,
        ge=2,
        validation_alias="COMPLIANCE_BACKLOG_ALERT_CHECKS",
        description="Checks in a row a backlog must be over and not draining to raise a notification",
    )

    def sync_interval_for(self, license_number: str) -> float:
        """The license's scheduled pull interval in seconds (0: not scheduled)."""
        for part in self.sync_license_intervals.split(","):
            name, _, seconds = part.partition("=")
            if name.strip() == license_number and seconds.strip():
                return float(seconds)
        return self.sync_interval_seconds
