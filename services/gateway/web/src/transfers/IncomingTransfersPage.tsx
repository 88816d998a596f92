import { Link, useSearchParams } from "react-router";

import type { Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { ListStates } from "../cultivation/parts";
import { formatDateTime } from "../ui/decimal";
import { INCOMING_LABELS, IncomingStatusBadge, manifestName } from "./incomingParts";
import { useIncomingTransfers } from "./queries";

const STATUSES = Object.keys(INCOMING_LABELS) as Schemas["IncomingTransferStatus"][];

/** A state from the address, or no filter: a hand-edited `?status=` the list does not know is ignored. */
function knownStatus(value: string | null): Schemas["IncomingTransferStatus"] | "" {
  return STATUSES.find((s) => s === value) ?? "";
}

/** Transfers > Incoming: Metrc deliveries to the site's license, newest first, by state. */
export default function IncomingTransfersPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = knownStatus(params.get("status"));
  const list = useIncomingTransfers(site?.id ?? "", status);
  const transfers = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="transfers">
      <div className="page-header">
        <h1>Incoming transfers</h1>
        <span className="muted">{site ? `${site.name} (${site.licenseNumber})` : ""}</span>
      </div>
      <div className="toolbar">
        <label className="inline">
          State
          <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })} data-testid="incoming-status-filter">
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {INCOMING_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ListStates
        pending={list.isPending}
        error={list.error}
        retry={() => void list.refetch()}
        empty={transfers.length === 0}
        what={status ? `${INCOMING_LABELS[status].toLowerCase()} incoming transfers` : "incoming transfers"}
        emptyTestId="incoming-empty"
      >
        {status ? (
          <p>
            None in this state.{" "}
            <button type="button" className="link-button" onClick={() => setParams({}, { replace: true })}>
              Show every state
            </button>
          </p>
        ) : (
          <p>
            Deliveries other facilities send to this site's license appear here once compliance pulls them
            {can("POST /api/v1/compliance/sync") ? (
              <>
                {" "}
                (scheduled, or now with <Link to="/compliance/sync-metrc">Sync with Metrc</Link>, type <em>Incoming transfers</em>).
              </>
            ) : (
              "."
            )}
          </p>
        )}
      </ListStates>
      {transfers.length > 0 && (
        <div className="table-scroll">
          <table className="grid compact" data-testid="incoming-transfers">
            <caption className="visually-hidden">Incoming transfers of {site?.name}</caption>
            <thead>
              <tr>
                <th scope="col">Manifest</th>
                <th scope="col">Shipper</th>
                <th scope="col">Estimated arrival</th>
                <th scope="col">State</th>
                <th scope="col" className="numeric">
                  Packages
                </th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((t) => (
                <tr key={t.id} data-id={t.id} data-status={t.status}>
                  <th scope="row">
                    <Link to={`/transfers/incoming/${t.id}`}>{manifestName(t)}</Link>
                  </th>
                  <td data-testid="shipper">
                    {t.shipperName ?? "Unknown shipper"} {t.shipperLicenseNumber && <span className="muted">({t.shipperLicenseNumber})</span>}
                  </td>
                  <td>{t.estimatedArrival ? formatDateTime(t.estimatedArrival) : "—"}</td>
                  <td>
                    <IncomingStatusBadge status={t.status} />
                  </td>
                  <td className="numeric" data-testid="package-count">
                    {t.packages.length}
                  </td>
                  <td>{t.receivedAt ? formatDateTime(t.receivedAt) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? "Loading…" : "Older transfers"}
        </button>
      )}
    </div>
  );
}
