import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, type Schemas } from "../api/client";
import { AgingBadge } from "../ui/badges";
import { formatDate, formatMoney, formatQty } from "../ui/decimal";
import { EmptyState, ErrorState } from "../ui/states";
import { BarChart } from "./BarChart";
import { stamp } from "./download";
import { AsOf, CsvButton, ReportSkeleton } from "./parts";
import { agingQuery } from "./queries";
import { ReportHeader, useReportScope } from "./scope";

const BRACKETS = ["FRESH", "MODERATE", "AGING", "CRITICAL"] as const;
const TOPS = [5, 10, 25, 100];

/** /reports/aging: the sellable stock of the site (or of all the user's sites) by age bracket,
 * and the oldest batches. */
export default function AgingPage() {
  const [scope, setAll] = useReportScope();
  const [top, setTop] = useState(10);
  const report = useQuery(agingQuery(scope.siteIds, top));
  return (
    <div className="report">
      <ReportHeader title="Aging" scope={scope} onScope={setAll}>
        <CsvButton
          label="Download aging CSV"
          filename={() => `aging-${scope.fileTag}-${stamp(report.data?.asOf)}.csv`}
          call={() => api.GET("/api/v1/reports/aging/export", { params: { query: { siteId: scope.siteIds, top } }, parseAs: "blob" })}
        />
      </ReportHeader>
      {report.isPending ? (
        <ReportSkeleton />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} title="The aging report could not be loaded" />
      ) : (
        <AgingReport report={report.data} top={top} onTop={setTop} several={scope.all} />
      )}
    </div>
  );
}

function bracketLabel(bracket: (typeof BRACKETS)[number], report: Schemas["AgingSummary"]): string {
  switch (bracket) {
    case "FRESH":
      return `Fresh 0–${report.freshMaxDays} d`;
    case "MODERATE":
      return `Moderate ${report.freshMaxDays + 1}–${report.moderateMaxDays} d`;
    case "AGING":
      return `Aging ${report.moderateMaxDays + 1}–${report.agingMaxDays} d`;
    case "CRITICAL":
      return `Critical ${report.agingMaxDays + 1}+ d`;
  }
}

function AgingReport({ report, top, onTop, several }: { report: Schemas["AgingSummary"]; top: number; onTop: (top: number) => void; several: boolean }) {
  const rows = BRACKETS.map((bracket) => ({
    bracket,
    label: bracketLabel(bracket, report),
    totals: report.summary[bracket] ?? { count: 0, totalUnits: "0", totalValue: "0" },
  }));
  const empty = rows.every((row) => row.totals.count === 0);
  return (
    <>
      <AsOf asOf={report.asOf} lagMs={report.lagMs} />
      <p className="muted">
        Sellable batches with stock on hand, by whole days since receipt, measured at {formatDate(report.agesAt)}.{" "}
        <strong data-testid="aging-items-count">{report.agingItemsCount}</strong> past moderate.
      </p>
      {empty ? (
        <EmptyState title="No sellable stock" testId="aging-empty">
          <p>{several ? "None of these sites holds" : "This site holds no"} live stock on hand to age.</p>
        </EmptyState>
      ) : (
        <div className="report-grid">
          <BarChart
            title="Batches per age bracket"
            testId="aging-chart"
            counts
            data={rows.map((row) => ({ label: row.label, value: String(row.totals.count), shown: String(row.totals.count) }))}
          />
          <div className="table-scroll">
            <table className="grid compact" data-testid="aging-brackets">
              <caption className="visually-hidden">Totals per age bracket</caption>
              <thead>
                <tr>
                  <th scope="col">Bracket</th>
                  <th scope="col" className="numeric">
                    Batches
                  </th>
                  <th scope="col" className="numeric">
                    Units
                  </th>
                  <th scope="col" className="numeric">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.bracket} data-bracket={row.bracket}>
                    <th scope="row">{row.label}</th>
                    <td className="numeric">{row.totals.count}</td>
                    <td className="numeric">{formatQty(row.totals.totalUnits)}</td>
                    <td className="numeric">{formatMoney(row.totals.totalValue)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <section className="report-section" aria-labelledby="oldest">
        <div className="section-header">
          <h2 id="oldest">Oldest batches</h2>
          <label className="inline">
            Show
            <select value={top} onChange={(e) => onTop(Number(e.target.value))} data-testid="aging-top">
              {TOPS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </div>
        {report.topAgingItems.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-scroll">
            <table className="grid compact" data-testid="aging-items">
              <thead>
                <tr>
                  <th scope="col">Batch</th>
                  <th scope="col">Product</th>
                  <th scope="col">SKU</th>
                  <th scope="col">Received</th>
                  <th scope="col">Age</th>
                  <th scope="col" className="numeric">
                    On hand
                  </th>
                  <th scope="col" className="numeric">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.topAgingItems.map((item) => (
                  <tr key={item.batchId}>
                    <td>
                      <Link to={`/inventory?batch=${item.batchId}`}>{item.code}</Link>
                    </td>
                    <td>{item.productName}</td>
                    <td>{item.sku}</td>
                    <td>{formatDate(item.receivedAt)}</td>
                    <td>
                      <AgingBadge bracket={item.bracket as Schemas["AgingBracket"]} days={item.ageDays} />
                    </td>
                    <td className="numeric">{formatQty(item.onHandQty)}</td>
                    <td className="numeric">{formatMoney(item.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
