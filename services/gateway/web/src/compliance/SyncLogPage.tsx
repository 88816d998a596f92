import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { cursorOf, cursorPages } from "../api/paging";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime } from "../ui/decimal";
import { useUrlFilters } from "../ui/searchParams";
import { ErrorState } from "../ui/states";

const STATUSES: Schemas["SyncStatus"][] = ["SUCCESS", "PARTIAL", "REJECTED", "RETRYING", "UNKNOWN", "FAILED", "SKIPPED"];

/** Compliance > Sync log: every exchange with Metrc, newest first, filtered by license, status
 * and operation (in the URL), with the guide's guidance on each error. A user granted some sites,
 * not every site, sees the working site's exchanges (the log is license-wide otherwise). */
export default function SyncLogPage() {
  const [params, set] = useUrlFilters();
  const { everySite } = useAuth();
  const { site } = useSites();
  const siteId = everySite ? undefined : site?.id;
  const filters = {
    licenseNumber: params.get("license") ?? "",
    status: (params.get("status") ?? "") as Schemas["SyncStatus"] | "",
    operation: params.get("operation") ?? "",
  };
  const query = {
    ...(siteId ? { siteId } : {}),
    ...(filters.licenseNumber ? { licenseNumber: filters.licenseNumber } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.operation ? { operation: filters.operation } : {}),
    limit: 50,
  };
  const log = useInfiniteQuery({
    queryKey: ["compliance", "sync-log", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/compliance/sync-log", { params: { query: { ...query, ...cursorOf(pageParam) } } })),
    ...cursorPages,
    placeholderData: keepPreviousData,
    // Without every site the log needs a site: none yet (sites loading) is no request at all.
    enabled: everySite || siteId !== undefined,
  });
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Sync log</h1>
      </div>
      {siteId && (
        <p className="muted" data-testid="log-site">
          Exchanges for {site?.name}: the whole license&apos;s log needs every site.
        </p>
      )}
      <form className="toolbar" role="search" aria-label="Filter the sync log" onSubmit={(e) => e.preventDefault()}>
        <label className="inline">
          License
          <input defaultValue={filters.licenseNumber} onBlur={(e) => set("license", e.target.value.trim())} onKeyDown={(e) => e.key === "Enter" && set("license", e.currentTarget.value.trim())} data-testid="log-license" />
        </label>
        <label className="inline">
          Status
          <select value={filters.status} onChange={(e) => set("status", e.target.value)} data-testid="log-status">
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Operation
          <input defaultValue={filters.operation} placeholder="packages.create" onBlur={(e) => set("operation", e.target.value.trim())} onKeyDown={(e) => e.key === "Enter" && set("operation", e.currentTarget.value.trim())} data-testid="log-operation" />
        </label>
      </form>
      {log.isPending ? (
        <p className="muted">Loading…</p>
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} title="The sync log could not be loaded" />
      ) : entries.length === 0 ? (
        <p className="muted" data-testid="log-empty">
          No exchange with Metrc matches.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid compact" data-testid="sync-log">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">License</th>
                <th scope="col" className="numeric">Objects</th>
                <th scope="col" className="numeric">Accepted</th>
                <th scope="col" className="numeric">Rejected</th>
                <th scope="col">Took</th>
                <th scope="col">Error and what to do</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-status={e.status}>
                  <td>{formatDateTime(e.startedAt)}</td>
                  <td>
                    {e.operation} <span className="muted">({e.direction})</span>
                  </td>
                  <td>
                    <span className={`badge sync-${e.status.toLowerCase()}`}>{e.status}</span>
                  </td>
                  <td>{e.licenseNumber ?? "—"}</td>
                  <td className="numeric">{e.objects}</td>
                  <td className="numeric">{e.accepted}</td>
                  <td className="numeric">{e.rejected}</td>
                  <td>{e.durationMs} ms</td>
                  <td className="wrap">
                    {e.errorCode && (
                      <>
                        <code>{e.errorCode}</code> {e.errorMessage}
                        {e.guidance && <p className="guidance">{e.guidance}</p>}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && (
        <button type="button" className="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          {log.isFetchingNextPage ? "Loading…" : "Older entries"}
        </button>
      )}
    </div>
  );
}
