import type { Schemas } from "../api/client";

export const STATUS_LABELS: Record<Schemas["BatchStatus"], string> = {
  AWAITING_INTAKE: "Awaiting intake",
  LIVE: "Live",
  PHOTOGRAPHY_COMPLETE: "Photography complete",
  ON_HOLD: "On hold",
  QUARANTINED: "Quarantined",
  SOLD_OUT: "Sold out",
  CLOSED: "Closed",
};

export const STOCK_LABELS: Record<Schemas["StockStatus"], string> = {
  IN_STOCK: "In stock",
  LOW_STOCK: "Low stock",
  OUT_OF_STOCK: "Out of stock",
};

export const AGING_LABELS: Record<Schemas["AgingBracket"], string> = {
  FRESH: "Fresh (0–14 d)",
  MODERATE: "Moderate (15–30 d)",
  AGING: "Aging (31–60 d)",
  CRITICAL: "Critical (61+ d)",
};

export function StatusBadge({ status }: { status: Schemas["BatchStatus"] }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{STATUS_LABELS[status]}</span>;
}

export function StockStatusBadge({ status }: { status: Schemas["StockStatus"] }) {
  return <span className={`badge stock-${status.toLowerCase()}`}>{STOCK_LABELS[status]}</span>;
}

export function AgingBadge({ bracket, days }: { bracket: Schemas["AgingBracket"]; days: number }) {
  return (
    <span className={`badge aging-${bracket.toLowerCase()}`} title={AGING_LABELS[bracket]}>
      {days} d
    </span>
  );
}
