import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type SyntheticEvent } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { cursorOf, cursorPages } from "../api/paging";
import { useSites } from "../app/SiteProvider";
import { formatDateTime, formatQty } from "../ui/decimal";
import { EmptyState, ErrorState, TableSkeleton } from "../ui/states";
import { useLocations } from "./queries";

/** The value of a datetime-local input for a Date, in the browser's time zone. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** /inventory/as-of: the site's inventory at a past instant, replayed from the ledger. */
export default function AsOfPage() {
  const { site } = useSites();
  const inputId = useId();
  const [text, setText] = useState(() => localInput(new Date()));
  const [at, setAt] = useState<string | null>(null);
  const locations = useLocations(site?.id);
  const labels = useMemo(() => Object.fromEntries((locations.data ?? []).map((l) => [l.id, l.label])), [locations.data]);
  const siteId = site?.id ?? "";

  const query = useInfiniteQuery({
    queryKey: ["as-of", siteId, at],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/inventory/as-of", {
          params: { query: { siteId, at: at ?? "", limit: 100, ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    enabled: at !== null && siteId !== "",
  });

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const moment = new Date(text);
    if (!Number.isNaN(moment.getTime())) setAt(moment.toISOString());
  };
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="as-of">
      <div className="page-header">
        <h1>Inventory as of a date</h1>
        <span className="muted">{site?.name}</span>
        <div className="page-actions">
          <Link className="button" to="/inventory">
            Back to inventory
          </Link>
        </div>
      </div>
      <form className="toolbar" onSubmit={submit}>
        <label htmlFor={inputId}>Date and time (your time zone)</label>
        <input id={inputId} type="datetime-local" step={1} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="button button-primary" disabled={!text}>
          Show inventory
        </button>
      </form>
      {at === null ? (
        <p className="muted">Choose a moment: every batch's buckets are replayed from the ledger up to it.</p>
      ) : query.isPending ? (
        <TableSkeleton columns={7} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No inventory at that moment" testId="as-of-empty">
          <p>No batch of this site held stock on {formatDateTime(at)}.</p>
        </EmptyState>
      ) : (
        <>
          <p data-testid="as-of-heading">
            {site?.name} on {formatDateTime(at)}: {items.length}
            {query.hasNextPage ? "+" : ""} batches
          </p>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Inventory as of the date">
            <table className="grid" data-testid="as-of-table">
              <thead>
                <tr>
                  <th>Batch</th>
                  <th className="numeric">On hand</th>
                  <th className="numeric">Reserved</th>
                  <th className="numeric">Quarantine</th>
                  <th className="numeric">Hold</th>
                  <th className="numeric">Available</th>
                  <th className="numeric">Physical</th>
                  <th>Locations</th>
                </tr>
              </thead>
              <tbody>
                {items.map((b) => (
                  <tr key={b.batchId}>
                    <td>
                      <Link to={`/inventory?batch=${b.batchId}`}>{b.code}</Link>
                    </td>
                    <td className="numeric">{formatQty(b.onHandQty)}</td>
                    <td className="numeric">{formatQty(b.reservedQty)}</td>
                    <td className="numeric">{formatQty(b.quarantineQty)}</td>
                    <td className="numeric">{formatQty(b.holdQty)}</td>
                    <td className="numeric">{formatQty(b.availableQty)}</td>
                    <td className="numeric">{formatQty(b.physicalQty)}</td>
                    <td>{b.locations.map((l) => `${labels[l.locationId] ?? "?"}: ${formatQty(l.qty)}`).join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {query.hasNextPage && (
            <button type="button" className="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </>
      )}
    </div>
  );
}
