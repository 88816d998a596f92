import type { Schemas } from "../api/client";
import { AGING_LABELS, STATUS_LABELS, STOCK_LABELS } from "../ui/badges";
import { formatMoney, formatQty } from "../ui/decimal";

/** Totals over the whole filtered set (not only the page), from the enhanced list's summary. */
export function Summary({ summary }: { summary: Schemas["InventorySummary"] }) {
  const stats: [string, string][] = [
    ["Batches", summary.totalBatches.toLocaleString()],
    ["On hand", formatQty(summary.totalOnHandQty)],
    ["Available", formatQty(summary.totalAvailableQty)],
    ["Reserved", formatQty(summary.totalReservedQty)],
    ["Quarantine", formatQty(summary.totalQuarantineQty)],
    ["On hold", formatQty(summary.totalHoldQty)],
    ["Stock value", formatMoney(summary.totalValue)],
  ];
  return (
    <section aria-label="Summary of the filtered batches" data-testid="summary">
      <dl className="stats">
        {stats.map(([label, value]) => (
          <div className="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div className="counts">
        <Counts title="By status" counts={summary.statusCounts} labels={STATUS_LABELS} />
        <Counts title="By stock" counts={summary.stockStatusCounts} labels={STOCK_LABELS} />
        <Counts title="By age" counts={summary.agingCounts} labels={AGING_LABELS} />
      </div>
    </section>
  );
}

function Counts<K extends string>({
  title,
  counts,
  labels,
}: {
  title: string;
  counts: Partial<Record<K, number>>;
  labels: Record<K, string>;
}) {
  const entries = (Object.keys(labels) as K[]).filter((key) => (counts[key] ?? 0) > 0);
  return (
    <div className="count-group">
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <ul>
          {entries.map((key) => (
            <li key={key}>
              {labels[key]}: <strong>{counts[key]}</strong>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
