"""The reporting domain: read models built from events, as pure functions.

No I/O, no clock, no framework (import-linter keeps it so): the service layer maps events onto
these values, asks the ports for the rows, and stores what comes back.

Modules:
    money          Exact Decimal arithmetic; rounding for presentation only.
    batch          The batch facts an event carries, ledger rows, the batch view (snapshot).
    aggregates     Aggregate rows, what a batch contributes to them, deltas.
    projection     An event applied to a batch view: new view, ledger rows, deltas; fold().
    dashboard      Dashboard statistics (dashboardStats).
    aging          Aging brackets at query time from per-day totals (getAgingSummary).
    profitability  Sales valued from the ledger; per batch and summary.
    compliance     Compliance status per license, from compliance facts.
    lag            Positions per topic partition, lag and "as of".
    generations    When a rebuilt generation may replace the live one.
    errors         Errors with stable codes.
"""

from reporting.domain.aggregates import (
    EVERY_SITE,
    NO_SUBCATEGORY,
    AgingDayKey,
    DashboardKey,
    Deltas,
    Dimension,
    ProfitKey,
    ProfitTotals,
    Totals,
    aging_member,
    contribute,
    difference,
    stock_value,
)
from reporting.domain.aging import (
    AgingBracket,
    AgingCandidate,
    AgingClock,
    AgingItem,
    AgingReport,
    AgingThresholds,
    BracketTotals,
    age_in_days,
    aging_report,
)
from reporting.domain.batch import (
    PHYSICAL_BUCKETS,
    SELLABLE_STATUSES,
    Balances,
    BatchChange,
    BatchFacts,
    BatchStatus,
    BatchView,
    Bucket,
    CogsMode,
    Costs,
    Movement,
    Sales,
)
from reporting.domain.compliance import (
    BatchLinkUpdate,
    ComplianceDeltas,
    ComplianceFold,
    ComplianceStatusReport,
    ComplianceUpdate,
    FindingKey,
    FindingUpdate,
    LicenseKey,
    LicenseStatus,
    LinkCounts,
    LinkState,
    PushState,
    PushUpdate,
    SyncDirection,
    SyncFinished,
    SyncOutcome,
    compliance_status,
    fold_compliance,
)
from reporting.domain.dashboard import DashboardReport, NamedStat, dashboard_report
from reporting.domain.errors import (
    InconsistentEventError,
    InvalidReportParametersError,
    ReportingDomainError,
)
from reporting.domain.generations import caught_up_with
from reporting.domain.lag import PartitionPosition, ReadModelLag, read_model_lag
from reporting.domain.profitability import (
    CategoryProfit,
    ProfitabilityMetrics,
    ProfitabilitySummary,
    batch_profitability,
    profitability_summary,
    record_sales,
)
from reporting.domain.projection import Fold, Projection, advance, fold, project

__all__ = [
    "EVERY_SITE",
    "NO_SUBCATEGORY",
    "PHYSICAL_BUCKETS",
    "SELLABLE_STATUSES",
    "AgingBracket",
    "AgingCandidate",
    "AgingClock",
    "AgingDayKey",
    "AgingItem",
    "AgingReport",
    "AgingThresholds",
    "Balances",
    "BatchChange",
    "BatchFacts",
    "BatchLinkUpdate",
    "BatchStatus",
    "BatchView",
    "BracketTotals",
    "Bucket",
    "CategoryProfit",
    "CogsMode",
    "ComplianceDeltas",
    "ComplianceFold",
    "ComplianceStatusReport",
    "ComplianceUpdate",
    "Costs",
    "DashboardKey",
    "DashboardReport",
    "Deltas",
    "Dimension",
    "FindingKey",
    "FindingUpdate",
    "Fold",
    "InconsistentEventError",
    "InvalidReportParametersError",
    "LicenseKey",
    "LicenseStatus",
    "LinkCounts",
    "LinkState",
    "Movement",
    "NamedStat",
    "PartitionPosition",
    "ProfitKey",
    "ProfitTotals",
    "ProfitabilityMetrics",
    "ProfitabilitySummary",
    "Projection",
    "PushState",
    "PushUpdate",
    "ReadModelLag",
    "ReportingDomainError",
    "Sales",
    "SyncDirection",
    "SyncFinished",
    "SyncOutcome",
    "Totals",
    "advance",
    "age_in_days",
    "aging_member",
    "aging_report",
    "batch_profitability",
    "caught_up_with",
    "compliance_status",
    "contribute",
    "dashboard_report",
    "difference",
    "fold",
    "fold_compliance",
    "profitability_summary",
    "project",
    "read_model_lag",
    "record_sales",
    "stock_value",
]
