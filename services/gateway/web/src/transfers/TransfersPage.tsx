import { Link, useSearchParams } from "react-router";

import type { Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime } from "../ui/decimal";
import { ListPage } from "../ui/ListPage";
import { MetrcBadge, STATUS_LABELS, TransferStatusBadge } from "./parts";
import { useOutgoingTransfers, useTransferManifest } from "./queries";

const STATUSES = Object.keys(STATUS_LABELS) as Schemas["TransferStatus"][];

/** Transfers > Outgoing: the site's outgoing transfers, newest first, filtered by state. */
export default function TransfersPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as Schemas["TransferStatus"] | "";
  const list = useOutgoingTransfers(site?.id ?? "", status);
  const showMetrc = can("GET /api/v1/compliance/transfers/{transferId}");
  return (
    <ListPage
      className="transfers"
      title="Outgoing transfers"
      subtitle={site?.name}
      actions={
        can("POST /api/v1/outgoing-transfers") && (
          <Link className="button button-primary" to="/transfers/outgoing/new">
            New outgoing transfer
          </Link>
        )
      }
      toolbar={
        <div className="toolbar">
          <label className="inline">
            State
            <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })} data-testid="transfer-status-filter">
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
      }
      list={list}
      what={status ? `${STATUS_LABELS[status].toLowerCase()} transfers` : "outgoing transfers"}
      emptyTestId="transfers-empty"
      empty={
        status ? (
          <p>
            None in this state. <button type="button" className="link-button" onClick={() => setParams({}, { replace: true })}>Show every state</button>
          </p>
        ) : (
          <p>Ship tagged packages to another licensed facility on a Metrc manifest{can("POST /api/v1/outgoing-transfers") ? ": plan the first one with New outgoing transfer." : " (ask someone who may plan them)."}</p>
        )
      }
      tableTestId="transfers"
      caption={<>Outgoing transfers of {site?.name}</>}
      columns={
        <>
          <th scope="col">Destination</th>
          <th scope="col">State</th>
          <th scope="col" className="numeric">
            Packages
          </th>
          <th scope="col">Created</th>
          <th scope="col">Sent</th>
          <th scope="col">Departure</th>
          {showMetrc && <th scope="col">Metrc</th>}
        </>
      }
      row={(t) => (
        <tr key={t.id} data-id={t.id} data-status={t.status}>
          <th scope="row">
            <Link to={`/transfers/outgoing/${t.id}`}>
              {t.destinationName} <span className="muted">({t.destinationLicenseNumber})</span>
            </Link>
          </th>
          <td>
            <TransferStatusBadge status={t.status} />
          </td>
          <td className="numeric" data-testid="line-count">
            {t.lines.length}
          </td>
          <td>{formatDateTime(t.createdAt)}</td>
          <td data-testid="sent">{sentCell(t)}</td>
          <td>{formatDateTime(t.estimatedDeparture)}</td>
          {showMetrc && (
            <td>
              <MetrcCell transferId={t.id} status={t.status} />
            </td>
          )}
        </tr>
      )}
      more="Older transfers"
    />
  );
}

/** One row's Metrc state (compliance has no list of them: one read per row shown). */
function MetrcCell({ transferId, status }: { transferId: string; status: Schemas["TransferStatus"] }) {
  const manifest = useTransferManifest(transferId, false);
  if (manifest.isError) return <span className="muted">Unavailable</span>;
  return <MetrcBadge manifest={manifest.isPending ? undefined : manifest.data} status={status} />;
}

/** The transfer keeps no "sent at" of its own: nothing changes a sent transfer until Metrc
 * reports the receiver, so a SENT one's last change is when it left; a settled one says when. */
function sentCell(t: Schemas["OutgoingTransfer"]): string {
  if (t.status === "CREATED" || t.status === "CANCELLED") return "—";
  if (t.status === "SENT") return formatDateTime(t.updatedAt);
  return `Yes; settled ${formatDateTime(t.updatedAt)}`;
}
