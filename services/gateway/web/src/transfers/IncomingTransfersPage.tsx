import { Link, useSearchParams } from "react-router";

import type { Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime } from "../ui/decimal";
import { ListPage } from "../ui/ListPage";
import { INCOMING_LABELS, IncomingStatusBadge, manifestName } from "./incomingParts";
import { useIncomingTransfers } from "./queries";

const STATUSES = Object.keys(INCOMING_LABELS) as Schemas["IncomingTransferStatus"][];

/** Transfers > Incoming: Metrc deliveries to the site's license, newest first, by state. */
export default function IncomingTransfersPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as Schemas["IncomingTransferStatus"] | "";
  const list = useIncomingTransfers(site?.id ?? "", status);
  return (
    <ListPage
      className="transfers"
      title="Incoming transfers"
      subtitle={site ? `${site.name} (${site.licenseNumber})` : ""}
      toolbar={
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
      }
      list={list}
      what={status ? `${INCOMING_LABELS[status].toLowerCase()} incoming transfers` : "incoming transfers"}
      emptyTestId="incoming-empty"
      empty={
        status ? (
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
        )
      }
      tableTestId="incoming-transfers"
      caption={<>Incoming transfers of {site?.name}</>}
      columns={
        <>
          <th scope="col">Manifest</th>
          <th scope="col">Shipper</th>
          <th scope="col">Estimated arrival</th>
          <th scope="col">State</th>
          <th scope="col" className="numeric">
            Packages
          </th>
          <th scope="col">Received</th>
        </>
      }
      row={(t) => (
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
      )}
      more="Older transfers"
    />
  );
}
