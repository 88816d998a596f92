import { useQuery } from "@tanstack/react-query";

import { useAuth } from "../auth/AuthProvider";
import { AsOf } from "../reports/parts";
import { dashboardQuery } from "../reports/queries";
import { STATUS_LABELS } from "../ui/badges";
import { formatMoney, formatQty } from "../ui/decimal";
import { ErrorState, Loading, Skeleton } from "../ui/states";

/**
 * The specification's dashboardStats for the site, from the reporting service (sellable stock:
 * live and photographed batches), with the instant it is true as of. Shown only to those who
 * may read reports; an outage of the reports is said so here and leaves the batch list working.
 */
export function DashboardStats({ siteId }: { siteId: string }) {
  const { can } = useAuth();
  const allowed = can("GET /api/v1/reports/dashboard");
  const stats = useQuery({ ...dashboardQuery(siteId), enabled: allowed && siteId !== "" });
  if (!allowed) return null;
  if (stats.isPending) {
    return (
      <Loading label="Loading the dashboard">
        <Skeleton height="4.5rem" />
      </Loading>
    );
  }
  if (stats.isError) return <ErrorState error={stats.error} onRetry={() => void stats.refetch()} title="The dashboard could not be loaded" />;
  const d = stats.data;
  const statuses = (Object.keys(STATUS_LABELS) as (keyof typeof STATUS_LABELS)[]).filter((s) => (d.statusCounts[s] ?? 0) > 0);
  return (
    <section className="dashboard" aria-labelledby="dashboard-title" data-testid="dashboard">
      <div className="section-header">
        <h2 id="dashboard-title">Sellable stock</h2>
        <AsOf asOf={d.asOf} lagMs={d.lagMs} />
      </div>
      <div className="dashboard-body">
        <dl className="stats dashboard-totals">
          <div className="stat">
            <dt>Inventory value</dt>
            <dd data-testid="dashboard-value">{formatMoney(d.totalInventoryValue)}</dd>
          </div>
          <div className="stat">
            <dt>Units</dt>
            <dd data-testid="dashboard-units">{formatQty(d.totalUnits)}</dd>
          </div>
        </dl>
        <div className="count-group">
          <h3>Batches by status</h3>
          {statuses.length === 0 ? (
            <p className="muted">None</p>
          ) : (
            <ul data-testid="dashboard-statuses">
              {statuses.map((s) => (
                <li key={s}>
                  {STATUS_LABELS[s]}: <strong>{d.statusCounts[s]}</strong>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="count-group">
          <h3>By category</h3>
          {d.categoryStats.length === 0 ? (
            <p className="muted">None</p>
          ) : (
            <table className="grid compact" data-testid="dashboard-categories">
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col" className="numeric">Batches</th>
                  <th scope="col" className="numeric">Units</th>
                  <th scope="col" className="numeric">Value</th>
                </tr>
              </thead>
              <tbody>
                {d.categoryStats.map((c) => (
                  <tr key={c.name ?? ""}>
                    <th scope="row">{c.name ?? "None"}</th>
                    <td className="numeric">{c.batches}</td>
                    <td className="numeric">{formatQty(c.units)}</td>
                    <td className="numeric">{formatMoney(c.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
