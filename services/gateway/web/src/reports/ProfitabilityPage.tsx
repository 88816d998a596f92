import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, type Schemas } from "../api/client";
import { enhancedListQuery } from "../api/queries";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatMoney, formatQty } from "../ui/decimal";
import { useUrlFilters } from "../ui/searchParams";
import { EmptyState, ErrorState } from "../ui/states";
import { BarChart } from "./BarChart";
import { stamp } from "./download";
import { AsOf, CsvButton, ReportSkeleton } from "./parts";
import { batchProfitabilityQuery, profitabilityQuery } from "./queries";
import { ReportHeader, useReportScope } from "./scope";

/** /reports/profitability: the sales of the site (or of all the user's sites) against their cost,
 * in total and per category, and one batch's (?batch=<id>, chosen here among the site's batches or
 * from the batch drawer). */
export default function ProfitabilityPage() {
  const { site } = useSites();
  const [scope, setAll] = useReportScope();
  const report = useQuery(profitabilityQuery(scope.siteIds));
  const [params, set] = useUrlFilters();
  const batchId = params.get("batch");
  return (
    <div className="report">
      <ReportHeader title="Profitability" scope={scope} onScope={setAll}>
        <CsvButton
          label="Download profitability CSV"
          filename={() => `profitability-${scope.fileTag}-${stamp(report.data?.asOf)}.csv`}
          call={() => api.GET("/api/v1/reports/profitability/export", { params: { query: { siteId: scope.siteIds } }, parseAs: "blob" })}
        />
      </ReportHeader>
      {report.isPending ? (
        <ReportSkeleton />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} title="The profitability report could not be loaded" />
      ) : (
        <SiteProfit report={report.data} several={scope.all} />
      )}
      <section className="report-section" aria-labelledby="by-batch">
        <h2 id="by-batch">By batch</h2>
        <BatchPicker siteId={site?.id ?? ""} onPick={(id) => set("batch", id)} />
        {batchId && <BatchProfit batchId={batchId} />}
      </section>
    </div>
  );
}

function SiteProfit({ report, several }: { report: Schemas["ProfitabilitySummary"]; several: boolean }) {
  const stats: [string, string][] = [
    ["Revenue", formatMoney(report.totalRevenue)],
    ["Cost of goods", formatMoney(report.totalCost)],
    ["Gross profit", formatMoney(report.grossProfit)],
    ["Average margin", `${report.avgMargin} %`],
    ["Units sold", formatQty(report.totalUnits)],
    ["Batches with sales", String(report.batchesWithSales)],
    ["Unpriced units", formatQty(report.unpricedUnits)],
  ];
  return (
    <>
      <AsOf asOf={report.asOf} lagMs={report.lagMs} />
      <dl className="stats" data-testid="profit-stats">
        {stats.map(([label, value]) => (
          <div className="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <section className="report-section" aria-labelledby="by-category">
        <h2 id="by-category">By category</h2>
        {report.byCategory.length === 0 ? (
          <EmptyState title="No sales yet" testId="profit-empty">
            <p>No batch of {several ? "these sites" : "this site"} has sold anything.</p>
          </EmptyState>
        ) : (
          <div className="report-grid">
            <BarChart
              title="Gross profit per category"
              testId="profit-chart"
              data={report.byCategory.map((c) => ({ label: c.category, value: c.grossProfit, shown: formatMoney(c.grossProfit) }))}
            />
            <div className="table-scroll">
              <table className="grid compact" data-testid="profit-categories">
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    <th scope="col" className="numeric">Batches</th>
                    <th scope="col" className="numeric">Units sold</th>
                    <th scope="col" className="numeric">Revenue</th>
                    <th scope="col" className="numeric">Cost</th>
                    <th scope="col" className="numeric">Gross profit</th>
                    <th scope="col" className="numeric">Margin</th>
                    <th scope="col" className="numeric">Unpriced</th>
                  </tr>
                </thead>
                <tbody>
                  {report.byCategory.map((c) => (
                    <tr key={c.category}>
                      <th scope="row">{c.category}</th>
                      <td className="numeric">{c.batchesWithSales}</td>
                      <td className="numeric">{formatQty(c.unitsSold)}</td>
                      <td className="numeric">{formatMoney(c.totalRevenue)}</td>
                      <td className="numeric">{formatMoney(c.totalCost)}</td>
                      <td className="numeric">{formatMoney(c.grossProfit)}</td>
                      <td className="numeric">{c.marginPercent} %</td>
                      <td className="numeric">{formatQty(c.unpricedUnits)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </section>
    </>
  );
}

/** Finds a batch of the site by code, SKU or product (the inventory's search). */
function BatchPicker({ siteId, onPick }: { siteId: string; onPick: (batchId: string) => void }) {
  const { can } = useAuth();
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  const found = useQuery({ ...enhancedListQuery(siteId, { search, pageSize: 10 }), enabled: search !== "" && can("GET /api/v1/batches/enhanced") });
  if (!can("GET /api/v1/batches/enhanced")) return null;
  return (
    <div className="batch-picker">
      <form
        className="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(text.trim());
        }}
      >
        <label className="inline">
          Batch
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Code, SKU or product" data-testid="profit-batch-search" />
        </label>
        <button type="submit" className="button">
          Find
        </button>
      </form>
      {found.isError && <ErrorState error={found.error} />}
      {found.data && (
        <ul className="picker-results" aria-label="Batches found">
          {found.data.items.length === 0 && <li className="muted">No batch matches.</li>}
          {found.data.items.map((batch) => (
            <li key={batch.id}>
              <button type="button" className="link-button" onClick={() => onPick(batch.id)}>
                {batch.code}
              </button>{" "}
              <span className="muted">
                {batch.productName} · {batch.sku}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function BatchProfit({ batchId }: { batchId: string }) {
  const report = useQuery(batchProfitabilityQuery(batchId));
  if (report.isPending) return <ReportSkeleton />;
  if (report.isError) return <ErrorState error={report.error} onRetry={() => void report.refetch()} title="This batch's profitability could not be loaded" />;
  const b = report.data;
  const figures: [string, string][] = [
    ["Units sold", formatQty(b.unitsSold)],
    ["Units returned", formatQty(b.unitsReturned)],
    ["Revenue", formatMoney(b.totalRevenue)],
    ["Cost of goods", formatMoney(b.totalCost)],
    ["Gross profit", formatMoney(b.grossProfit)],
    ["Margin", `${b.marginPercent} %`],
    ["Average price", formatMoney(b.avgSellingPrice)],
    ["Remaining units", formatQty(b.remainingUnits)],
    ["Potential revenue", formatMoney(b.potentialRevenue)],
    ["Potential profit", formatMoney(b.potentialProfit)],
    ["Unpriced units", formatQty(b.unpricedUnits)],
  ];
  return (
    <article className="batch-profit" data-testid="batch-profit" aria-labelledby="batch-profit-title">
      <div className="section-header">
        <h3 id="batch-profit-title">
          <Link to={`/inventory?batch=${b.batchId}`}>{b.code}</Link> · {b.productName} · {b.sku}
        </h3>
        <CsvButton
          label="Download batch CSV"
          filename={() => `profitability-${b.code}-${stamp(b.asOf)}.csv`}
          call={() => api.GET("/api/v1/reports/profitability/batches/{batchId}/export", { params: { path: { batchId } }, parseAs: "blob" })}
        />
      </div>
      <AsOf asOf={b.asOf} lagMs={b.lagMs} />
      <p className="muted">
        {b.category} · unit cost {formatMoney(b.unitCost)} · ticket {formatMoney(b.ticket)}
      </p>
      <div className="report-grid">
        <BarChart
          title={`Sales and what remains of ${b.code}`}
          testId="batch-profit-chart"
          data={[
            { label: "Revenue", value: b.totalRevenue, shown: formatMoney(b.totalRevenue) },
            { label: "Cost", value: b.totalCost, shown: formatMoney(b.totalCost) },
            { label: "Gross profit", value: b.grossProfit, shown: formatMoney(b.grossProfit) },
            { label: "Potential profit", value: b.potentialProfit, shown: formatMoney(b.potentialProfit) },
          ]}
        />
        <dl className="figures">
          {figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </div>
    </article>
  );
}
